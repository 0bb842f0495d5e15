"""One measure of a page's table, applied alike to Folio's raw record and to img2table's cells.

It is the reader's own scorer (bench/raw_reading.py) fed the table rows only,
so header codes and header líneas de acción, which img2table does not read,
count for neither side: numbers by their digits and row codes (row number,
líneas de acción, movement) exactly by ``compare``; row texts (descripción,
unidad de medida, observaciones, justificación) as characters right
(1 - edit distance / truth length) by ``text_counts``.
"""
from __future__ import annotations

from collections import Counter

from bench.raw_reading import compare, text_counts


def table_measure(raw: dict, truth: dict) -> Counter:
    """Counts ``numbers``/``numbers_ok``, ``codes``/``codes_ok``, ``text``/``text_ok`` of the rows."""
    rows_only = {"rows": raw.get("rows") or []}
    truth_rows = {"rows": truth.get("rows") or []}
    counts, _ = compare(rows_only, truth_rows)
    counts += text_counts(rows_only, truth_rows)
    return counts


def share(counts: Counter, group: str) -> float | None:
    """Share right of a group, None when the group had nothing to count."""
    return counts[group + "_ok"] / counts[group] if counts[group] else None
