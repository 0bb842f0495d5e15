"""XLSX export (openpyxl): the table rows as in the CSV, and every field with its evidence.

Auditors open exports in a spreadsheet; the second sheet lets them trace any
value to its raw reading, confidence, status and position on the page.
"""
from __future__ import annotations

import json
from typing import IO, Any, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from records.export import CSV_HEADER, each, table_rows
from records.models import Report

FIELD_HEADER = ("file", "page", "report_type", "ejercicio", "trimestre", "ramo", "unidad_ejecutora",
                "path", "value", "raw", "confidence", "status", "failed_checks", "bbox")


def _cell(sheet, value: Any) -> Any:
    """What a spreadsheet cell can hold: numbers stay numbers, lists and objects become JSON text, and
    text is always a text cell (openpyxl would make ``=...`` read from a scan a formula)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _field_rows(report: Report):
    src = report.source
    for f in report.fields.order_by("id"):
        failed = [c.get("rule") for c in f.checks or () if not c.get("ok", True)]
        yield [src.get("file"), src.get("page"), report.report_type, report.ejercicio, report.trimestre,
               report.ramo_code, report.unidad_code, f.path, f.value, f.raw, f.confidence, f.status,
               " ".join(r for r in failed if r), f.bbox]


def write_workbook(reports: Iterable[Report], fh: IO[bytes]) -> int:
    """Both sheets, the reports read twice one at a time (openpyxl's write-only sheets spill to disk)."""
    if not hasattr(reports, "iterator"):
        reports = list(reports)
    book = Workbook(write_only=True)
    rows = book.create_sheet("rows")
    rows.append(list(CSV_HEADER))
    for line in table_rows(each(reports)):
        rows.append([_cell(rows, v) for v in line])
    fields = book.create_sheet("fields")
    fields.append(list(FIELD_HEADER))
    n = 0
    for report in each(reports):
        n += 1
        for line in _field_rows(report):
            fields.append([_cell(fields, v) for v in line])
    book.save(fh)
    return n
