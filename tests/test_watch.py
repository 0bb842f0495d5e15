"""The watch folder, on real files in a temporary folder: stable files once, rejections logged, nothing lost."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from ingest.models import Document, Page
from ingest.watch import Watcher
from worker.queue import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queue_in_process(settings):
    settings.FOLIO_QUEUE = "sync"  # pages would run when the test's transaction commits, which it never does


def scan(path: Path, shade: int = 255) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (60, 40), shade).save(path)
    return path


def watcher(folder: Path, **kwargs) -> Watcher:
    return Watcher(folder, partial(submit, priority="interactive"), **kwargs)


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    scan(folder / "good.png")
    scan(folder / "2023" / "ramo 71" / "second.png", shade=200)
    (folder / "vacío.pdf").write_bytes(b"")
    (folder / "carta.pdf").write_text("<html>not a pdf</html>")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 a word file")
    (folder / ".hidden.pdf").write_bytes(b"%PDF-1.4")
    (folder / "copying.pdf.part").write_bytes(b"%PDF-1.4")
    return folder


def test_stable_files_are_submitted_once_and_rejections_say_why(inbox, caplog):
    caplog.set_level(logging.INFO, logger="folio.watch")
    w = watcher(inbox)
    first = w.poll()
    assert not first.submitted and not first.rejected and len(first.waiting) == 5  # sizes noted, nothing taken
    assert Document.objects.count() == 0

    second = w.poll()
    assert sorted(p.name for p, _ in second.submitted) == ["good.png", "second.png"]
    assert all(doc.pages.get().state == Page.State.QUEUED for _, doc in second.submitted)
    reasons = {r.path.name: r.reason for r in second.rejected}
    assert set(reasons) == {"vacío.pdf", "carta.pdf", "notes.docx"}
    assert "empty" in reasons["vacío.pdf"] and "not a scan type" in reasons["notes.docx"]
    assert Document.objects.count() == 4  # the two scans and the two bad files: kept, with their reasons
    assert Document.objects.get(name="carta.pdf").pages.get().state == Page.State.FAILED
    logged = caplog.text
    assert "rejected" in logged and "notes.docx" in logged and "vacío.pdf" in logged
    assert "submitted" in logged and "good.png" in logged

    third = w.poll()
    assert not third.submitted and {p.name for p, _ in third.held} == {"good.png", "second.png", "vacío.pdf",
                                                                       "carta.pdf"}
    assert Document.objects.count() == 4
    assert sorted(p.name for p in inbox.rglob("*")) == sorted(
        [".hidden.pdf", "2023", "carta.pdf", "copying.pdf.part", "good.png", "notes.docx", "ramo 71", "second.png",
         "vacío.pdf"])  # nothing moved or deleted


def test_a_file_still_growing_waits(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    growing = folder / "big.png"
    growing.write_bytes(b"\x89PNG\r\n")
    w = watcher(folder)
    w.poll()
    with open(growing, "ab") as fh:
        fh.write(b"more bytes")
    assert w.poll().waiting == [growing.resolve()]
    assert Document.objects.count() == 0
    assert [r.path.name for r in w.poll().rejected] == ["big.png"]  # stable now: taken (and rejected: not a real PNG)


def test_a_restart_does_not_submit_again(inbox):
    w = watcher(inbox)
    w.poll(), w.poll()
    held = Document.objects.count()
    again = watcher(inbox)  # a new process: only the database remembers
    again.poll()
    result = again.poll()
    assert not result.submitted and len(result.held) == held
    assert Document.objects.count() == held


def test_move_done_moves_only_what_was_taken(inbox, tmp_path):
    done = tmp_path / "done"
    scan(done / "good.png", shade=10)  # a name already there: never overwritten
    w = watcher(inbox, move_done=done)
    w.poll()
    result = w.poll()
    moved = {src.name: dst for src, dst in result.moved}
    assert set(moved) == {"good.png", "second.png"}
    assert moved["second.png"] == done.resolve() / "2023" / "ramo 71" / "second.png"
    assert moved["good.png"].name == "good (2).png" and (done / "good.png").exists()
    assert not (inbox / "good.png").exists() and (inbox / "carta.pdf").exists() and (inbox / "notes.docx").exists()


def test_folio_watch_once_from_the_command_line(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "vacío.tif").write_bytes(b"")
    (folder / "informe.xlsx").write_bytes(b"PK\x03\x04")
    env = {**os.environ, "FOLIO_HOME": str(tmp_path / "home"), "FOLIO_QUEUE": "sync"}
    cmd = [sys.executable, "-m", "folio.cli", "watch", str(folder), "--once", "--interval", "0.2"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # something was rejected
    assert "rejected" in done.stderr and "vacío.tif" in done.stderr and "empty" in done.stderr
    assert "informe.xlsx" in done.stderr and "not a scan type" in done.stderr
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert "already held" in again.stderr and "vacío.tif" in again.stderr
    assert (folder / "vacío.tif").exists()


def test_folio_watch_names_a_folder_that_is_not_there(tmp_path, capsys):
    from folio.cli import build_parser
    from folio.web_commands import cmd_watch

    args = build_parser().parse_args(["watch", str(tmp_path / "nowhere"), "--once"])
    assert cmd_watch(args) == 2 and "nowhere is not a folder" in capsys.readouterr().err


def test_a_second_watcher_of_the_same_folder_is_refused(tmp_path, capsys, settings):
    """Two watchers of one folder would race to submit and move the same files: the second is told."""
    from folio.cli import build_parser
    from folio.web_commands import cmd_watch
    from ingest.watch import folder_lock

    folder = tmp_path / "inbox"
    folder.mkdir()
    args = build_parser().parse_args(["watch", str(folder), "--once", "--interval", "0.1"])
    with folder_lock(folder, tmp_path / "locks"):
        assert cmd_watch(args) == 2
        err = capsys.readouterr().err
        assert "already watched by folio watch, pid" in err and "stop that watcher first" in err
    assert cmd_watch(args) == 0  # once the first has stopped, the folder is free
    assert not [p for p in folder.iterdir() if p.name != ".folio-watch.lock"]


def test_symbolic_links_in_the_folder_are_not_followed(tmp_path, caplog):
    """An unattended folder may hold a link to any file the service can read: it is named, never stored."""
    from ingest.watch import Watcher

    secret = tmp_path / "elsewhere" / "informe.png"
    secret.parent.mkdir()
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.png").symlink_to(secret)
    (inbox / "linked-dir").symlink_to(secret.parent, target_is_directory=True)
    calls = []
    watcher = Watcher(inbox, lambda paths, **kw: calls.append(paths) or (None, []))
    with caplog.at_level("WARNING", logger="folio.watch"):
        watcher.poll()
        result = watcher.poll()
    assert calls == [] and result.submitted == []
    assert "link.png is a symbolic link" in caplog.text
