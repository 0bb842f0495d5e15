"""The reader alone, before reconciliation: how much of a rendered batch ``ocr/`` reads right.

Scores the raw record (text as read, mapped to fields by ``reconcile.forms.understand``)
against the batch's ground truth, per scan profile:

- numbers exact (by their digits), codes exact (header codes, header and row líneas
  de acción, row numbers, movement codes), row texts as character accuracy
  (1 - edit distance / truth length over descripción, unidad de medida, observaciones,
  justificación), orientation right (pages), rows found;
- tesseract calls and CPU seconds per page (this process and its tesseract children);
- calibration of the cell confidence: among table cells and header codes read with
  confidence >= 0.95, the share that is right (the reader promises >= 99 %), and a
  reliability table (confidence bucket -> cells, share right).

Function API (``make bench`` calls it)::

    from bench.raw_reading import score_profile, score_dir, format_table
    row = score_profile("fax150", seed=101)        # renders into bench/out/raw/fax150-101/ once
    row = score_dir(Path("DIR"), expected=None)    # an already rendered batch (DIR/truth.jsonl)
    print(format_table([row, ...]))

Command line::

    python -m bench.raw_reading --profiles all --seed 101 [--workers 2] [--verbose]
    python -m bench.raw_reading DIR [--verbose]     # one rendered batch

``compare`` and ``as_int`` are shared with the img2table comparison (bench/table_score.py).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from reconcile.parse import leading_row_number  # noqa: E402  (pure: no engine, no Django)

OUT = Path(__file__).resolve().parent / "out" / "raw"
NUMBER_KEYS = ("meta_anual", "avance_absoluto", "avance_relativo", "meta_anual_autorizada",
               "aumentos", "disminuciones", "meta_anual_modificada")
HEADER_CODES = ("clasificacion_administrativa", "ramo", "programa", "unidad_ejecutora",
                "finalidad", "funcion", "subfuncion")
TEXT_KEYS = ("descripcion", "unidad_medida", "observaciones", "justificacion")
BUCKETS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
SURE = 0.95


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


def _norm_code(s: str | None) -> str | None:
    return re.sub(r"[\s.,\-]", "", s or "").upper() or None


def _row_number(raw: dict) -> str | None:
    number = raw.get("number")
    if not number:  # as read where it opens the description (reconcile's split, not its repair)
        lead = leading_row_number(raw.get("descripcion"))
        number = lead[0] if lead else None
    return number


def _row_codes(raw: dict, truth: dict) -> list[tuple[str, Any, Any]]:
    out = [("number", _norm_code(_row_number(raw)), _norm_code(truth.get("number"))),
           ("lineas_accion", _codes_of_cell(raw.get("lineas_accion")), truth.get("lineas_accion") or [])]
    if "movimiento" in truth:
        out.append(("movimiento", _norm_code(raw.get("movimiento")), _norm_code(truth.get("movimiento"))))
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


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _row_text(raw_row: dict, key: str) -> str:
    got = squash(raw_row.get(key))
    if key == "descripcion" and not raw_row.get("number"):
        lead = leading_row_number(got)
        got = squash(lead[1]) if lead else got
    return got


def text_counts(raw: dict, truth: dict) -> Counter:
    """``text`` (truth characters) and ``text_ok`` (characters minus edit distance)."""
    from rapidfuzz.distance import Levenshtein

    c, rows = Counter(), raw.get("rows") or []
    for i, want_row in enumerate(truth.get("rows") or []):
        got_row = rows[i] if i < len(rows) and rows[i] else {}
        for key in TEXT_KEYS:
            want = squash(want_row.get(key))
            if want:
                got = _row_text(got_row, key)
                c["text"] += len(want)
                c["text_ok"] += max(0, len(want) - Levenshtein.distance(got, want))
    return c


def _leaf_truth(path: str, truth: dict) -> tuple[bool, Any, Any]:
    """(scored?, a function of the raw text to compare, the truth) for one raw leaf path."""
    m = re.fullmatch(r"rows\[(\d+)\]\.(\w+)(?:\[(\d)\])?(?:\.(\w+))?", path)
    if m is None:
        h = re.fullmatch(r"(\w+)\.code|lineas_accion\[(\d+)\]\.code", path)
        if h is None:
            return False, None, None
        if h.group(1):
            want = (truth.get(h.group(1)) or {}).get("code")
        else:
            la = truth.get("lineas_accion") or []
            want = la[int(h.group(2))]["code"] if int(h.group(2)) < len(la) else None
        return True, lambda t: (t or "").strip() or None, want
    rows = truth.get("rows") or []
    i, key, q, sub = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    row = rows[i] if i < len(rows) else {}
    want = row.get(key)
    if q is not None:
        want = (want or [None] * 4)[int(q)]
        want = want.get(sub) if sub and isinstance(want, dict) else want
        if sub == "alcanzado" and want is None and int(q) + 1 > (truth.get("trimestre") or 4):
            return False, None, None  # a later quarter: whatever is printed there is not data
        return True, as_int, want
    if key in NUMBER_KEYS:
        return True, as_int, want
    if key == "lineas_accion":
        return True, _codes_of_cell, want or []
    if key in ("number", "movimiento"):
        return True, _norm_code, _norm_code(want)
    if key in TEXT_KEYS:
        return True, (lambda t, k=key: _row_text({k: t}, k) or None), squash(want) or None
    return False, None, None


def calibration_pairs(rawrec: Any, truth: dict, sure_wrong: list[str] | None = None) -> list[tuple[float, bool]]:
    """(confidence, right) for every table cell and header code the reader gave a value;
    cells read with confidence >= SURE that are wrong are listed in ``sure_wrong``."""
    out = []
    for path, prov in rawrec.ocr.items():
        scored, conv, want = _leaf_truth(path, truth)
        if not scored or prov.confidence is None:
            continue
        text = _leaf_text(rawrec.data, path)
        if text is None:
            continue
        right = conv(text) == want
        out.append((float(prov.confidence), right))
        if sure_wrong is not None and not right and prov.confidence >= SURE:
            sure_wrong.append(f"SURE BUT WRONG {path}: {text!r} (conf {prov.confidence:.2f}) != {want!r}")
    return out


def _leaf_text(data: dict, path: str) -> Any:
    node: Any = data
    for part in re.findall(r"\w+|\[\d+\]", path):
        if node is None:
            return None
        node = node[int(part[1:-1])] if part.startswith("[") else node.get(part)
    return node


def cpu_seconds() -> float:
    """CPU of this process and its finished children (tesseract runs as a child)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load(folder: Path, source: dict):
    """Page image and dpi (a bench tool: borrows the shell's loader; the core never imports it)."""
    from ingest import files

    path = folder / source["file"]
    return files.load_page(path, files.sniff(path), int(source.get("page") or 1), files.Limits())


def read_one(job: tuple[str, dict, int | None]) -> dict:
    """Read one page of a batch and score it (runs in a pool process)."""
    import ocr.read as R
    from ocr._exec import tesseract
    from reconcile.forms import understand

    folder, truth, want_rot = Path(job[0]), job[1], job[2]
    image, dpi = _load(folder, truth["source"])
    t0, calls0 = cpu_seconds(), tesseract.calls()
    clean, page = R.read_page(image, dpi=dpi)
    cpu, calls = cpu_seconds() - t0, tesseract.calls() - calls0
    rawrec = understand(page, source=truth["source"])
    c, bad = compare(rawrec.data, truth)
    c += text_counts(rawrec.data, truth)
    c.update(pages=1, calls=calls)
    if want_rot is not None:
        c.update(oriented=1, oriented_ok=int(page.rotation == want_rot))
    sure_wrong: list[str] = []
    pairs = calibration_pairs(rawrec, truth, sure_wrong)
    bad = sure_wrong + bad
    src = truth["source"]
    return {"counts": dict(c), "cpu": cpu, "pairs": pairs, "bad": bad,
            "label": f"{src['file']}:{src.get('page')} rot {page.rotation} skew {page.skew:.2f}",
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def expected_rotations(profile: str, seed: int) -> dict[tuple[str, int], int]:
    """Clockwise turn that makes each page upright, from the renderer's batch plan."""
    from samples.generate import batch_plan, bundled_records

    plan = batch_plan(len(bundled_records()), profile, seed)
    return {(fp.name, n): (90 * plan.turns[i]) % 360
            for fp in plan.files for n, i in enumerate(fp.records, start=1)}


def score_dir(folder: Path, *, expected: dict[tuple[str, int], int] | None = None, workers: int = 1,
              limit: int | None = None, verbose: bool = False, profile: str | None = None) -> dict:
    """Score every page of a rendered batch (``folder/truth.jsonl``); one result row."""
    truths = [json.loads(ln) for ln in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    jobs = [(str(folder), t, (expected or {}).get((t["source"]["file"], int(t["source"].get("page") or 1))))
            for t in truths[:limit]]
    if workers > 1:
        ctx = multiprocessing.get_context("spawn")  # a forked child would inherit OpenCV's threads locked
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = list(pool.map(read_one, jobs))
    else:
        results = [read_one(j) for j in jobs]
    total, pairs = Counter(), []
    for r in results:
        total.update(r["counts"])
        pairs.extend(r["pairs"])
        if verbose:
            print(r["label"], f"cpu {r['cpu']:.2f}", r["counts"], *r["bad"][:15], sep="\n  ")
    return summarise(profile or folder.name, total, [r["cpu"] for r in results], pairs,
                     max((r["rss_mb"] for r in results), default=0.0))


def summarise(profile: str, c: Counter, cpus: list[float], pairs: list[tuple[float, bool]], rss: float) -> dict:
    def share(g: str) -> float | None:
        return round(c[g + "_ok"] / c[g], 4) if c[g] else None

    sure = [ok for conf, ok in pairs if conf >= SURE]
    table = []
    for lo, hi in zip(BUCKETS, (*BUCKETS[1:], 1.01)):
        oks = [ok for conf, ok in pairs if lo <= conf < hi]
        table.append({"from": lo, "cells": len(oks), "right": round(sum(oks) / len(oks), 4) if oks else None})
    pages = max(1, c["pages"])
    return {"profile": profile, "pages": c["pages"], "numbers": share("numbers"), "n_numbers": c["numbers"],
            "codes": share("codes"), "n_codes": c["codes"], "text": share("text"),
            "oriented": f"{c['oriented_ok']}/{c['oriented']}" if c["oriented"] else "-",
            "rows": f"{c['rows_read']}/{c['rows']}", "sure_cells": len(sure),
            "sure_right": round(sum(sure) / len(sure), 4) if sure else None, "reliability": table,
            "calls_per_page": round(c["calls"] / pages, 1), "cpu_per_page": round(sum(cpus) / pages, 2),
            "cpu_max": round(max(cpus, default=0.0), 2), "max_rss_mb": round(rss)}


def score_profile(profile: str, seed: int = 101, *, workers: int = 2, rerender: bool = False,
                  batch_dir: Path | None = None, verbose: bool = False) -> dict:
    """Render ``profile`` with ``seed`` (once, into bench/out/raw/PROFILE-SEED/) and score it."""
    from samples.generate import render_batch

    folder = batch_dir or OUT / f"{profile}-{seed}"
    if rerender or not (folder / "truth.jsonl").exists():
        render_batch(folder, profile, seed)
    return score_dir(folder, expected=expected_rotations(profile, seed), workers=workers,
                     verbose=verbose, profile=profile)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def format_table(rows: list[dict]) -> str:
    """The per-profile table, then each profile's reliability (bucket: cells share-right)."""
    head = ["profile", "pages", "numbers", "codes", "row text chars", "oriented", "rows",
            f"conf>={SURE} right (cells)", "tess calls/page", "cpu s/page"]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        lines.append(" | ".join(str(v) for v in (
            r["profile"], r["pages"], _pct(r["numbers"]), _pct(r["codes"]), _pct(r["text"]), r["oriented"],
            r["rows"], f"{_pct(r['sure_right'])} ({r['sure_cells']})", r["calls_per_page"], r["cpu_per_page"])))
    lines.append("reliability (confidence from: cells, share right):")
    for r in rows:
        parts = [f"{b['from']:.2f}: {b['cells']} {_pct(b['right'])}" for b in r["reliability"]]
        lines.append(f"  {r['profile']}: " + " | ".join(parts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from samples.generate import PROFILES

    p = argparse.ArgumentParser(prog="bench.raw_reading", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", nargs="?", help="an already rendered batch (DIR/truth.jsonl)")
    p.add_argument("--profiles", nargs="*", default=["all"])
    p.add_argument("--seed", type=int, default=101)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rerender", action="store_true")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.dir:
        rows = [score_dir(Path(args.dir), workers=args.workers, verbose=args.verbose)]
    else:
        names = list(PROFILES) if args.profiles in (["all"], []) else args.profiles
        rows = [score_profile(n, args.seed, workers=args.workers, rerender=args.rerender,
                              verbose=args.verbose) for n in names]
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"results-{args.seed}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
