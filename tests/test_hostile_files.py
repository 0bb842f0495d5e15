"""Issue 7, files: every row of the hostile-file matrix through the real pipeline, one test per row.

The matrix (samples/hostile.py) is written and run once, as ``folio samples hostile`` does: every
file and a good report page submitted as one batch and run in one process. Each row's test then
reads that run's database and storage and asserts the row's own outcome: its state and error code,
a message that names the file and the page (or "whole file") and says what to do, the original
kept byte for byte, and the good page of the same batch read into a record.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# row -> (state, error code, a phrase of its message that says what it is or what to do)
EXPECTED = {
    "zero_byte": ("failed", "empty_file", "upload the scan again"),
    "truncated_pdf": ("failed", "truncated_pdf", "upload the complete file"),
    "encrypted_pdf": ("failed", "encrypted_pdf", "save or print an unprotected copy"),
    "html_as_pdf": ("failed", "unsupported_format", "a web page (HTML)"),
    "zip_as_pdf": ("failed", "unsupported_format", "unpack it and upload the scans"),
    "exe_as_pdf": ("failed", "unsupported_format", "a Windows program"),
    "jpeg_named_pdf": ("done", "", None),
    "pdf_named_jpg": ("done", "", None),
    "png_html_polyglot": ("done", "", None),
    "tiff_1000_frames": ("failed", "too_many_pages", "split it into files of at most 500 pages"),
    "tiff_ifd_loop": ("failed", "corrupt_image", "loops back on itself"),
    "png_bad_header_crc": ("failed", "corrupt_image", "scan it again"),
    "png_broken_data": ("failed", "corrupt_image", "scan it again"),
    "jpeg_truncated": ("failed", "corrupt_image", "copy the complete file"),
    "tiff_strips_past_end": ("failed", "corrupt_image", "scan it again"),
    "pdf_200_inch_page": ("failed", "too_many_pixels", "200.0 x 200.0 inches"),
    "png_50000px": ("failed", "too_many_pixels", "2,500 megapixels"),
    "png_1_dpi": ("skipped", "blank_page", "the page is blank"),
    "pdf_5000_pages": ("failed", "too_many_pages", "the file has 5000 pages"),
    "photo": ("skipped", "not_a_report", "the page is not a report"),
    "blank_page": ("skipped", "blank_page", "the back of a sheet scanned on both sides"),
    "letter": ("skipped", "not_a_report", "only a form title"),
}
KINDS = {"jpeg_named_pdf": "jpeg", "pdf_named_jpg": "pdf", "png_html_polyglot": "png"}
WHOLE_FILE = {"zero_byte", "truncated_pdf", "encrypted_pdf", "html_as_pdf", "zip_as_pdf", "exe_as_pdf",
              "tiff_1000_frames", "tiff_ifd_loop", "png_bad_header_crc", "pdf_5000_pages"}

SQL = """
SELECT d.name, d.kind, d.sha256, d.original, d.batch_id, p.number, p.state, p.error_code, p.error, p.image,
       (SELECT COUNT(*) FROM records_report r WHERE r.page_id = p.id)
FROM ingest_page p JOIN ingest_document d ON d.id = p.document_id ORDER BY p.id"""
KEYS = ("file", "kind", "sha256", "original", "batch", "page", "state", "code", "message", "image", "records")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """``folio samples hostile`` run once: the files, the command's output, and the ledger it left."""
    from samples.hostile import ROWS

    base = tmp_path_factory.mktemp("hostile")
    home, files = base / "home", base / "files"
    env = {**os.environ, "FOLIO_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    env.pop("DATABASE_URL", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "folio.cli", "samples", "hostile", "--out", files,
                           "--json", base / "rows.json"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    seconds = time.monotonic() - started
    assert done.returncode == 0, f"the run itself failed (a crash, a lost file or the good page not read):\n" \
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    conn = sqlite3.connect(home / "folio.sqlite3")
    try:
        pages = [dict(zip(KEYS, row)) for row in conn.execute(SQL).fetchall()]
    finally:
        conn.close()
    return {"rows": {row.name: row for row in ROWS}, "files": files, "media": home / "media", "pages": pages,
            "stdout": done.stdout, "seconds": seconds}


def _pages_of(matrix, name: str) -> list[dict]:
    return [p for p in matrix["pages"] if p["file"] == name]


def test_the_matrix_covers_the_issue():
    from samples.hostile import ROWS

    assert [r.name for r in ROWS] == list(EXPECTED), "one test per row: keep EXPECTED in step with the matrix"


@pytest.mark.parametrize("row", list(EXPECTED))
def test_hostile_file(matrix, row):
    state, code, phrase = EXPECTED[row]
    spec = matrix["rows"][row]
    pages = _pages_of(matrix, spec.file)
    assert len(pages) == 1, f"{spec.file}: one page row, kept even when the file cannot be read: {pages}"
    page = pages[0]
    assert (page["state"], page["code"]) == (state, code), page["message"]

    # the original is kept, byte for byte, under its content's name (never the name it came with)
    stored = matrix["media"] / page["original"]
    assert page["original"] == f"originals/{page['sha256'][:2]}/{page['sha256']}"
    assert stored.is_file() and stored.read_bytes() == (matrix["files"] / spec.file).read_bytes()

    if state in ("failed", "skipped"):  # skipped: read and set aside as not a report, with its reason
        where = f"{spec.file}, whole file: " if row in WHOLE_FILE else f"{spec.file}, page 1: "
        assert page["message"].startswith(where), page["message"]
        assert phrase in page["message"], page["message"]
        assert ";" in page["message"] or ":" in page["message"].removeprefix(where), "says what to do"
        assert page["records"] == 0
    else:
        assert page["kind"] == KINDS[row], "the kind comes from the first bytes, not the name"
        assert page["records"] == 1 and page["message"] == ""

    # the rest of the batch is untouched: the good report page beside it was read into a record
    good = [p for p in _pages_of(matrix, "good-report.png") if p["batch"] == page["batch"]]
    assert [(g["state"], g["records"]) for g in good] == [("done", 1)]


def test_polyglot_is_only_ever_shown_as_folio_s_own_image(matrix):
    """The PNG+HTML polyglot is read as the PNG it starts with; what reviewers see is Folio's own
    re-encoded page image (a JPEG without the markup), and the original keeps its bytes as evidence."""
    page = _pages_of(matrix, "polyglot.png")[0]
    shown = (matrix["media"] / page["image"]).read_bytes()
    assert shown.startswith(b"\xff\xd8\xff") and b"<script" not in shown and b"<html" not in shown
    assert b"<script" in (matrix["media"] / page["original"]).read_bytes()


def test_the_command_prints_the_matrix(matrix):
    out = matrix["stdout"]
    assert out.startswith("| row | file | state | code | message |")
    for row, (state, code, _) in EXPECTED.items():
        line = next(ln for ln in out.splitlines() if ln.startswith(f"| {row} |"))
        assert f"| {state} | {code or '-'} |" in line, line
    assert "good_page | good-report.png | done" in out
