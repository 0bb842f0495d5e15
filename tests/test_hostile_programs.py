"""Issue 7, external programs: a pdfinfo, pdftoppm or tesseract that hangs is killed at its time-out,
the page ends FAILED with the reason, and the worker goes on with the next page.

A hang cannot be produced with the real programs, so a fake of the program (a shell script that
records its pid and sleeps) is put first on PATH. The time-out is tried once more (the machine may
only have been busy), then the page fails: bounded by about twice the time limit. One test runs a
real ``folio worker`` on Redis (tests/services.py); the others run the page in this process.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from folio.errors import ProgramTimeout
from ingest.models import Page
from ingest.service import submit_paths
from samples import hostile

TIMEOUT = 1.0


def fake_program(folder: Path, name: str, *, answer_version: bool = False) -> Path:
    """An executable ``name`` in ``folder`` that writes its pid to ``name.pids`` and sleeps 300 s
    (``--version`` and ``--list-langs`` still answered by the real program, when asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    real = shutil.which(name)
    lines = ["#!/bin/sh"]
    if answer_version:
        lines.append(f'case "$1" in --version|--list-langs) exec {real} "$@";; esac')
    lines += [f'echo $$ >> "{folder / (name + ".pids")}"', "exec sleep 300"]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o755)
    return path


def killed(folder: Path, name: str) -> list[int]:
    """The fake's pids, each checked to be gone (killed, not left sleeping)."""
    pids = [int(p) for p in (folder / f"{name}.pids").read_text().split()]
    for pid in pids:
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid), f"{name} (pid {pid}) still running"
    return pids


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.fixture
def quick(settings):
    settings.FOLIO_POPPLER_TIMEOUT = TIMEOUT
    settings.FOLIO_TESSERACT_TIMEOUT = TIMEOUT
    settings.FOLIO_RETRY_BACKOFF = 0
    settings.FOLIO_RETRY_MAX = 5  # a time-out is still tried only twice
    return settings


def _run_pages(submitted) -> list[Page]:
    from worker.pages import process_page

    out = []
    for sub in submitted:
        for page in sub.pages:
            out.append(process_page(page.id) if page.state == Page.State.QUEUED else page)
    return out


def _import_catalog():
    from reconcile.catalog_db import import_csv

    import_csv(Path(hostile.__file__).parent / "data" / "catalog.csv")


@pytest.mark.django_db
@pytest.mark.parametrize("program", ["pdfinfo", "pdftoppm"])
def test_poppler_hang_fails_the_page_and_the_next_page_runs(program, quick, tmp_path, monkeypatch):
    _import_catalog()
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "report.pdf").write_bytes(hostile.report_pdf())
    hostile.blank_page(scans / "next.png")
    _, submitted = submit_paths([scans / "report.pdf"], batch_name="hang")  # counted with the real pdfinfo
    bin_ = tmp_path / "bin"
    fake_program(bin_, program)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")

    started = time.monotonic()
    [page] = _run_pages(submitted)
    seconds = time.monotonic() - started
    assert page.state == Page.State.FAILED and page.error_code == "timeout"
    assert page.error.startswith("report.pdf, page 1: ")
    assert f"{program} did not finish within {TIMEOUT:g} s and was stopped" in page.error
    assert "tried 2 times" in page.error and "scan it again" in page.error
    assert page.attempts == 2, "a hang is tried once more, not FOLIO_RETRY_MAX times"
    assert seconds < 2 * TIMEOUT + 10, seconds
    assert len(killed(bin_, program)) == 2, "each try's program was killed"

    # the same process goes on with the next page (the blank page: refused for what it is)
    _, more = submit_paths([scans / "next.png"], batch_name="after")
    [after] = _run_pages(more)
    assert (after.state, after.error_code) == (Page.State.SKIPPED, "blank_page")


@pytest.mark.django_db
def test_pdfinfo_hang_at_submission_fails_that_file_only(quick, tmp_path, monkeypatch):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "a-report.pdf").write_bytes(hostile.report_pdf())
    hostile.blank_page(scans / "b-next.png")
    bin_ = tmp_path / "bin"
    fake_program(bin_, "pdfinfo")
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    _, submitted = submit_paths([scans], batch_name="hang at submission")
    pdf, png = submitted
    [page] = pdf.pages
    assert (page.state, page.error_code) == (Page.State.FAILED, "timeout")
    assert page.error.startswith("a-report.pdf, whole file: pdfinfo did not finish within")
    assert [p.state for p in png.pages] == [Page.State.QUEUED], "the rest of the batch is untouched"
    killed(bin_, "pdfinfo")


@pytest.mark.django_db
def test_tesseract_hang_fails_the_page(quick, tmp_path, monkeypatch):
    """The CLI engine (the in-process one has its own time-out inside libtesseract)."""
    from ocr._exec import tesseract

    _import_catalog()
    scans = tmp_path / "scans"
    scans.mkdir()
    hostile.letter_page(scans / "letter.png")  # print on it: the reader calls tesseract
    _, submitted = submit_paths([scans], batch_name="tesseract hang")
    bin_ = tmp_path / "bin"
    fake_program(bin_, "tesseract", answer_version=True)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    tesseract.use_engine("cli")
    try:
        started = time.monotonic()
        [page] = _run_pages(submitted)
        seconds = time.monotonic() - started
    finally:
        tesseract.use_engine("auto")
        tesseract.set_timeout(tesseract.DEFAULT_TIMEOUT)
    assert (page.state, page.error_code) == (Page.State.FAILED, "timeout"), page.error
    assert page.error.startswith("letter.png, page 1: tesseract did not finish within 1 s and was stopped")
    assert page.attempts == 2
    assert seconds < 2 * TIMEOUT + 20, seconds
    assert killed(bin_, "tesseract")


def test_program_timeout_is_transient_but_short_lived():
    exc = ProgramTimeout("pdftoppm", 120, file="x.pdf", page=3)
    assert exc.code == "timeout" and exc.max_tries == 2
    assert str(exc).startswith("x.pdf, page 3: pdftoppm did not finish within 120 s")


@pytest.mark.slow
def test_real_worker_kills_a_hanging_pdftoppm_and_reads_the_next_page(make_service, tmp_path):
    """A real ``folio worker`` (one slot) on Redis: the hanging page FAILED with its reason in bounded
    time, the same worker and pool child then read a report page."""
    from services import ledger

    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "hangs.pdf").write_bytes(hostile.report_pdf())
    hostile.good_page(scans / "good.png")
    bin_ = tmp_path / "bin"
    fake_program(bin_, "pdftoppm")
    svc = make_service(FOLIO_POPPLER_TIMEOUT="2", FOLIO_RETRY_BACKOFF="1")
    worker = svc._start("worker", ["worker", "--concurrency", 1],
                        {"PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"})
    svc.folio("submit", scans / "hangs.pdf", "--batch", "hang")
    state = svc.wait_for(lambda s: any(p["state"] == "failed" for p in s["pages"]), "the hanging page to fail",
                         timeout=120)
    [hung] = state["pages"]
    assert hung["error_code"] == "timeout" and hung["attempts"] == 2
    assert hung["error"].startswith("hangs.pdf, page 1: pdftoppm did not finish within 2 s and was stopped")
    assert len(killed(bin_, "pdftoppm")) == 2
    children = worker.children()

    svc.folio("submit", scans / "good.png", "--batch", "after the hang")
    state = svc.wait_settled(timeout=300)
    good = [p for p in state["pages"] if p["file"] == "good.png"]
    assert [(p["state"], p["has_record"]) for p in good] == [("done", True)]
    assert worker.alive() and worker.children() == children, "the same worker and child read it"
    assert ledger(state)["lost"] == 0


@pytest.mark.django_db
def test_an_upload_s_files_share_one_examination_budget(settings, tmp_path, monkeypatch):
    """A web or API request of damaged PDFs whose pdfinfo hangs holds the web process for
    FOLIO_UPLOAD_EXAMINE_SECONDS in all, not the program's time-out once per file; every file is kept."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from web.uploads import submit_uploads

    settings.FOLIO_POPPLER_TIMEOUT = 60  # per call: three files would hold the request three minutes
    settings.FOLIO_UPLOAD_EXAMINE_SECONDS = 2
    bin_ = tmp_path / "bin"
    fake_program(bin_, "pdfinfo")
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    uploads = [SimpleUploadedFile(f"{n}.pdf", hostile.report_pdf() + n.encode()) for n in ("uno", "dos", "tres")]
    _, submitted = submit_uploads(uploads, batch_name="hangs")
    first, *rest = [s.pages[0] for s in submitted]
    assert (first.state, first.error_code) == (Page.State.FAILED, "timeout")
    assert first.error.startswith("uno.pdf, whole file: pdfinfo did not finish within 2 s")
    assert [(p.state, p.error_code) for p in rest] == [(Page.State.FAILED, "upload_time")] * 2
    assert rest[0].error.startswith("dos.pdf, whole file: examining the files of this upload took more than its 2 s")
    assert "upload it again on its own" in rest[0].error
    assert all(s.document.original for s in submitted)  # kept, all three
    assert len(killed(bin_, "pdfinfo")) == 1  # only the first was examined
