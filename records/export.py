"""Export stored records: JSONL in the contract's shape, CSV one line per table row, XLSX (both views).

Text read from a scan is untrusted: a cell that opens with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return would be a formula when the CSV is opened in a
spreadsheet (a printed ``=HYPERLINK(...)``, a handwritten ``-2+3``). CSV text
cells like that get a leading apostrophe (``formula_safe``), the OWASP advice;
the XLSX writes them as text cells, unchanged; the JSONL is never altered.
Numbers stay numbers in all three."""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable, Iterator

from reconcile.paths import split
from records.models import Report
from records.store import export_json

CSV_HEADER = (
    "file", "page", "report_type", "ejercicio", "trimestre", "ramo", "programa", "unidad_ejecutora",
    "row", "kind", "number", "lineas_accion", "descripcion", "unidad_medida", "meta_anual",
    "p1", "a1", "p2", "a2", "p3", "a3", "p4", "a4", "avance_absoluto", "avance_relativo", "observaciones",
    "movimiento", "meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada",
    "c1", "c2", "c3", "c4", "justificacion", "needs_review",
)


def each(reports: Iterable[Report]) -> Iterator[Report]:
    """The reports one at a time: a queryset is read in chunks, never held whole (an archive is large)."""
    return reports.iterator(chunk_size=200) if hasattr(reports, "iterator") else iter(reports)


class _Line:
    """A file for csv.writer that hands back what it is given: one CSV line per writerow."""

    def write(self, text: str) -> str:
        return text


def export_lines(reports: Iterable[Report], fmt: str) -> Iterator[str]:
    """JSONL (one record a line) or CSV (one table row a line) as text pieces, in constant memory."""
    if fmt == "jsonl":
        for report in each(reports):
            yield json.dumps(export_json(report), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        writer = csv.writer(_Line())
        yield writer.writerow(CSV_HEADER)
        for line in table_rows(each(reports)):
            yield writer.writerow([formula_safe(v) for v in line])
    else:
        raise ValueError(f"unknown export format {fmt!r}")


class _Counted:
    def __init__(self, reports: Iterable[Report]):
        self.reports, self.n = reports, 0

    def __iter__(self) -> Iterator[Report]:
        for report in each(self.reports):
            self.n += 1
            yield report


def write_export(reports: Iterable[Report], fmt: str, fh: IO) -> int:
    """Write the export to ``fh`` (text; binary for XLSX); returns how many records it holds."""
    if fmt == "xlsx":
        return write_xlsx(reports, fh)
    counted = _Counted(reports)
    for piece in export_lines(counted, fmt):
        fh.write(piece)
    return counted.n


def _four(values, empty) -> list:
    """Exactly four quarters, so a short row never shifts the columns after it."""
    values = list(values or [])[:4]
    return values + [empty] * (4 - len(values))


def _code(d: dict, key: str) -> str:
    return ((d.get(key) or {}).get("code")) or ""


def table_rows(reports: Iterable[Report]) -> Iterator[list]:
    """One list per table row of every report, in ``CSV_HEADER`` order (CSV and XLSX share it)."""
    for report in reports:
        d, src = report.data, report.source
        flagged = set(report.needs_review)
        for i, row in enumerate(d.get("rows") or []):
            q = _four(row.get("trimestres"), {})
            cal = _four(row.get("calendario"), None)
            row_flagged = any(split(p)[:2] in (["rows"], ["rows", i]) for p in flagged)
            yield [
                src.get("file"), src.get("page"), d.get("report_type"), d.get("ejercicio"), d.get("trimestre"),
                _code(d, "ramo"), _code(d, "programa"), _code(d, "unidad_ejecutora"),
                i, row.get("kind"), row.get("number"), " ".join(row.get("lineas_accion") or []),
                row.get("descripcion"), row.get("unidad_medida"), row.get("meta_anual"),
                *[x for t in q for x in ((t or {}).get("programado"), (t or {}).get("alcanzado"))],
                row.get("avance_absoluto"), row.get("avance_relativo"), row.get("observaciones"),
                row.get("movimiento"), row.get("meta_anual_autorizada"), row.get("aumentos"),
                row.get("disminuciones"), row.get("meta_anual_modificada"), *cal, row.get("justificacion"),
                "yes" if row_flagged else "",
            ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """A text a spreadsheet would run as a formula, with an apostrophe before it; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_xlsx(reports: Iterable[Report], fh: IO[bytes]) -> int:
    """A workbook: sheet "rows" as the CSV, sheet "fields" one line per field with its evidence."""
    from records.xlsx import write_workbook

    return write_workbook(reports, fh)
