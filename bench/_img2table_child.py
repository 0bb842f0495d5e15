"""img2table on one page image, run by bench/img2table_cmp.py with the bench venv's python.

img2table needs opencv-contrib-python, which would clash with Folio's
opencv-python-headless in .venv, so it lives in .venv-bench and runs here, as
a separate process that imports nothing of Folio. Usage:

    .venv-bench/bin/python bench/_img2table_child.py PAGE.png

prints one JSON object: ``cpu`` (this process and its tesseract children,
user+sys, seconds) and ``wall`` of the extraction alone — imports and
TesseractOCR's own start-up probes are excluded, as they are for Folio — and
``tables``: each a list of rows, each row a list of cell texts as img2table
gives them (a merged cell repeats its text in every column it spans).
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ["OMP_THREAD_LIMIT"] = "1"

from img2table.document import Image  # noqa: E402
from img2table.ocr import TesseractOCR  # noqa: E402


def cpu_seconds() -> float:
    """User+sys of this process and its waited-for children (img2table's tesseract calls)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(path: str) -> int:
    # img2table's shell calls print to fd 1; keep fd 1 for the JSON answer alone
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # its constructor shells out to `tesseract --version` and `--list-langs`: start-up, not reading
    ocr = TesseractOCR(n_threads=1, lang="spa")
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    # library defaults (implicit rows/columns off, bordered tables only) plus its own skew fix
    tables = Image(path, detect_rotation=True).extract_tables(
        ocr=ocr, implicit_rows=False, implicit_columns=False, borderless_tables=False)
    cpu, wall = cpu_seconds() - cpu0, time.monotonic() - wall0
    grids = [[[cell.value or "" for cell in row] for row in table.content.values()] for table in tables]
    json.dump({"cpu": cpu, "wall": wall, "tables": grids}, answer, ensure_ascii=False)
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
