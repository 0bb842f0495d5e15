"""``make bench``: render every scan profile, run the pipeline, score against ground truth.

Prints, in order:
1. per profile, end to end: fields exact by group, silent errors (wrong and
   not in review.needs_review), share of fields sent to review, CPU seconds
   per page (this process and its tesseract children);
2. the reader alone, before reconciliation (bench/raw_reading.py);
3. side by side on the same page images (bench/side_by_side.py): CPU of
   Folio's read against one plain tesseract pass, and img2table's table cells
   and time next to Folio's.
Everything also goes to bench/out/results.json, details to bench/out/.
Benchmarks are not tests: nothing here asserts.
"""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from records.compare import GROUPS, Comparison, compare  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CATALOG = Path(__file__).resolve().parent.parent / "samples" / "data" / "catalog.csv"


@functools.lru_cache(maxsize=1)
def _catalog():
    """The catalog, read once per pool process."""
    from reconcile.catalog import CatalogIndex, load_csv

    return CatalogIndex(load_csv(CATALOG))


def _one_page(job: tuple[str, int, str, dict]) -> dict:
    """Run the pipeline on one page of one file (in a pool process)."""
    from folio.errors import FolioError
    from ingest import files
    from worker.pipeline import cpu_seconds, process_image

    path_s, number, kind, truth = job
    path = Path(path_s)
    catalog = _catalog()
    source = {"file": path.name, "page": number, "sha256": truth["source"]["sha256"]}
    started = cpu_seconds()
    try:
        image, dpi = files.load_page(path, kind, number, files.Limits())
        work = process_image(image, catalog, source=source, dpi=dpi)
        record, error = work.record.to_json(), None
        rotation = work.read.rotation
    except FolioError as exc:
        record, error, rotation = {"review": {"needs_review": []}}, str(exc), None
    return {"record": record, "error": error, "cpu": cpu_seconds() - started, "source": source, "rotation": rotation}


def run_profile(profile: str, seed: int, workers: int) -> dict:
    from ingest import files
    from samples.generate import render_batch

    batch_dir = OUT / profile / "scans"
    truth_path = render_batch(batch_dir, profile, seed)
    truths = [json.loads(line) for line in open(truth_path, encoding="utf-8") if line.strip()]
    jobs = []
    for t in truths:
        path = batch_dir / t["source"]["file"]
        jobs.append((str(path), t["source"]["page"], files.sniff(path), t))
    # spawn, not fork: the parent has used OpenCV's threads (rendering), which a forked child would inherit locked
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_one_page, jobs))
    total = Comparison()
    errors = []
    with open(OUT / profile / "export.jsonl", "w", encoding="utf-8") as fh:
        for (_, _, _, truth), res in zip(jobs, results):
            fh.write(json.dumps(res["record"], ensure_ascii=False) + "\n")
            label = f"{truth['source']['file']}:{truth['source']['page']}"
            if res["error"]:
                errors.append(f"{label} {res['error']}")
            want = {k: v for k, v in truth.items() if k != "source"}
            total.add(compare(res["record"], want, label))
    (OUT / profile / "silent.txt").write_text("\n".join(total.silent) + "\n", encoding="utf-8")
    (OUT / profile / "wrong.txt").write_text("\n".join(total.wrong) + "\n", encoding="utf-8")
    return {
        "profile": profile,
        "pages": len(jobs),
        "failed": errors,
        "fields": total.fields,
        "exact": {g: round(total.share_exact(g), 4) for g in GROUPS},
        "exact_all": round(total.share_exact(), 4),
        "silent": len(total.silent),
        "flagged": round(total.flagged / total.fields, 4) if total.fields else 0.0,
        "cpu_per_page": round(sum(r["cpu"] for r in results) / max(1, len(results)), 2),
    }


def print_table(rows: list[dict]) -> None:
    head = ["profile", "pages", "fields", *GROUPS, "all", "silent", "review", "cpu s/page"]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        cells = [r["profile"], r["pages"], r["fields"], *[f"{100 * r['exact'][g]:.1f}%" for g in GROUPS],
                 f"{100 * r['exact_all']:.1f}%", r["silent"], f"{100 * r['flagged']:.1f}%", r["cpu_per_page"]]
        print(" | ".join(str(c) for c in cells))
    for r in rows:
        for e in r["failed"]:
            print(f"FAILED [{r['profile']}] {e}")


def _all_cpu() -> float:
    """CPU of this process and every finished child (pool processes, tesseract, img2table)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def raw_reading_rows(profiles: list[str], seed: int, workers: int) -> list[dict]:
    """The reader alone, before reconciliation (bench/raw_reading.py), on the batches just rendered."""
    from bench.raw_reading import score_profile

    return [score_profile(p, seed, workers=workers, batch_dir=OUT / p / "scans") for p in profiles]


def main(argv: list[str] | None = None) -> int:
    from bench import side_by_side
    from bench.raw_reading import format_table
    from samples.generate import PROFILES

    p = argparse.ArgumentParser(prog="bench")
    p.add_argument("--profiles", nargs="*", default=list(PROFILES))
    p.add_argument("--seed", type=int, default=101, help="layout seed (not the samples' default)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--side-profiles", nargs="*", default=list(side_by_side.DEFAULT_PROFILES),
                   help="profiles for the tesseract ratio and img2table comparison ('none' to skip)")
    args = p.parse_args(argv)
    started, marks = time.monotonic(), {}
    rows = []
    for profile in args.profiles:
        rows.append(run_profile(profile, args.seed, args.workers))
        print(f"... {profile} done", file=sys.stderr, flush=True)
    print_table(rows)
    marks["end_to_end"] = time.monotonic()
    print("\nRaw reading, before reconciliation (bench/raw_reading.py)")
    raw_rows = raw_reading_rows(args.profiles, args.seed, args.workers)
    print(format_table(raw_rows))
    marks["raw_reading"] = time.monotonic()
    side_profiles = [s for s in args.side_profiles if s != "none"]
    side = side_by_side.run(side_profiles, args.seed, args.workers,
                            scans={s: OUT / s / "scans" for s in side_profiles if s in args.profiles})
    marks["side_by_side"] = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    walls, last = {}, started
    for name, at in marks.items():
        walls[name], last = round(at - last), at
    results = {"seed": args.seed, "end_to_end": rows, "raw_reading": raw_rows, "side_by_side": side,
               "wall_seconds": round(time.monotonic() - started), "wall_seconds_by_part": walls,
               "cpu_seconds": round(_all_cpu())}
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nthis run: {results['wall_seconds']} s wall ({', '.join(f'{k} {v} s' for k, v in walls.items())}), "
          f"{results['cpu_seconds']} s CPU in all its processes (wall depends on the machine's other load)")
    print(f"details: {OUT}/<profile>/(export.jsonl, silent.txt, wrong.txt), {OUT}/side/, {OUT}/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
