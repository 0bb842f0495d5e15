"""Accuracy of raw reading against ground truth (a development tool, not bench/).

Compares a raw record (text as read) with a contract record: numbers by their
digits, codes exactly. ``python -m bench.raw_reading DIR`` reads ``DIR/truth.jsonl``
(one ground-truth record per line with ``source.file`` naming the image).
"""
from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

NUMBER_KEYS = ("meta_anual", "avance_absoluto", "avance_relativo", "meta_anual_autorizada",
               "aumentos", "disminuciones", "meta_anual_modificada")
HEADER_CODES = ("clasificacion_administrativa", "ramo", "programa", "unidad_ejecutora",
                "finalidad", "funcion", "subfuncion")
_NUM_PREFIX = re.compile(r"^\s*(M\.?\s?\d+|\d+)")


def as_int(raw: str | None) -> int | None:
    digits = re.sub(r"\D", "", raw or "")
    return int(digits) if digits else None


def _row_numbers(raw: dict, truth: dict) -> list[tuple[str, Any, Any]]:
    out = [(k, as_int(raw.get(k)), truth.get(k)) for k in NUMBER_KEYS if k in truth]
    for q, (rq, tq) in enumerate(zip(raw.get("trimestres") or [{}] * 4, truth.get("trimestres") or [])):
        for k in ("programado", "alcanzado"):
            out.append((f"trimestres[{q}].{k}", as_int(rq.get(k)), tq.get(k)))
    for q, tv in enumerate(truth.get("calendario") or []):
        rv = (raw.get("calendario") or [None] * 4)[q]
        out.append((f"calendario[{q}]", as_int(rv), tv))
    return out


def _codes_of_cell(text: str | None) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)+", text or "")


def _row_codes(raw: dict, truth: dict) -> list[tuple[str, Any, Any]]:
    number = raw.get("number")
    if not number:
        m = _NUM_PREFIX.match(raw.get("descripcion") or "")
        number = m.group(1) if m else None
    norm = (lambda s: re.sub(r"[\s.\-]", "", s or "").upper() or None)
    out = [("number", norm(number), norm(truth.get("number"))),
           ("lineas_accion", _codes_of_cell(raw.get("lineas_accion")), truth.get("lineas_accion") or [])]
    if "movimiento" in truth:
        out.append(("movimiento", norm(raw.get("movimiento")), norm(truth.get("movimiento"))))
    return out


def compare(raw: dict, truth: dict) -> tuple[Counter, list[str]]:
    """Counts of ``numbers``/``codes`` fields and how many are exact; mismatches listed."""
    c, bad = Counter(), []

    def tally(group: str, path: str, got: Any, want: Any) -> None:
        c[group] += 1
        if got == want:
            c[group + "_ok"] += 1
        else:
            bad.append(f"{path}: {got!r} != {want!r}")

    for k in HEADER_CODES:
        if truth.get(k):
            tally("codes", f"{k}.code", ((raw.get(k) or {}).get("code") or "").strip(), truth[k]["code"])
    for i, la in enumerate(truth.get("lineas_accion") or []):
        got = (raw.get("lineas_accion") or [])
        tally("codes", f"lineas_accion[{i}].code", got[i].get("code") if i < len(got) and got[i] else None, la["code"])
    rows = raw.get("rows") or []
    for i, trow in enumerate(truth.get("rows") or []):
        rrow = rows[i] if i < len(rows) else {}
        for path, got, want in _row_numbers(rrow, trow):
            tally("numbers", f"rows[{i}].{path}", got, want)
        for path, got, want in _row_codes(rrow, trow):
            tally("codes", f"rows[{i}].{path}", got, want)
    c["rows"] += len(truth.get("rows") or [])
    c["rows_read"] += len(rows)
    return c, bad


def cpu_seconds() -> float:
    """CPU of this process and its finished children (tesseract runs as a child)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load(folder: Path, source: dict):
    """Page image and dpi (dev tool: borrows the shell's loader; the core never imports it)."""
    from ingest import files

    path = folder / source["file"]
    return files.load_page(path, files.sniff(path), int(source.get("page") or 1), files.Limits())


def evaluate_dir(folder: Path, limit: int | None = None, verbose: bool = False) -> Counter:
    import ocr.read as R
    from reconcile.forms import understand

    total = Counter()
    for line in (folder / "truth.jsonl").read_text().splitlines()[:limit]:
        truth = json.loads(line)
        image, dpi = _load(folder, truth["source"])
        t0, w0 = cpu_seconds(), time.time()
        clean, page = R.read_page(image, dpi=dpi)
        raw = understand(page, source=truth["source"]).data
        c, bad = compare(raw, truth)
        c["cpu"] += cpu_seconds() - t0
        c["wall"] += time.time() - w0
        c["pages"] += 1
        total += c
        if verbose:
            src = truth["source"]
            print(f"{src['file']}:{src.get('page')} rot {page.rotation} skew {page.skew:.2f}", dict(c), *bad[:12], sep="\n  ")
    return total


def summary(c: Counter) -> str:
    def pct(g: str) -> str:
        return f"{100 * c[g + '_ok'] / max(1, c[g]):.1f}% of {c[g]}"
    return (f"pages {c['pages']}: numbers {pct('numbers')}, codes {pct('codes')}, rows {c['rows_read']}/{c['rows']}, "
            f"cpu {c['cpu'] / max(1, c['pages']):.2f} s/page, wall {c['wall'] / max(1, c['pages']):.2f} s/page")


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    print(summary(evaluate_dir(folder, limit, verbose=True)))
