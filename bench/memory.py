"""Memory across a long batch: one process runs the whole pipeline page after page.

``python -m bench.memory [--profile office200] [--seed 101] [--pages 42]`` (and
``make bench``, after bench/run.py): the profile's batch, rendered once (or the
one bench/run.py just rendered), is read round after round in this one process,
as a worker reads its queue: every page through ``worker.pipeline.process_image``
(cleanup, layout, cells, reconciliation against the bundled catalog), the page
image loaded from its file each time. After every page the process's resident
memory (VmRSS) is taken. Printed: the memory after the first page and after the
first round (the engine, the catalog and OpenCV's buffers in place), at the end,
and the growth per page from the first round's end to the last page's (a leak
shows as a steady climb; flat is a few MB either way). Also written to
``bench/out/memory.json``. Nothing asserts: a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

OUT = Path(__file__).resolve().parent / "out"


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux: /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _batch(profile: str, seed: int) -> Path:
    from samples.generate import render_batch

    scans = OUT / profile / "scans"
    if not (scans / "truth.jsonl").exists():
        render_batch(scans, profile, seed)
    return scans


def run(profile: str, seed: int, pages: int) -> dict:
    from bench.run import _catalog
    from ingest import files
    from worker.pipeline import process_image

    scans = _batch(profile, seed)
    sources = [json.loads(line)["source"] for line in (scans / "truth.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    catalog = _catalog()
    trace, started = [], time.monotonic()
    for n in range(pages):
        src = sources[n % len(sources)]
        path = scans / src["file"]
        image, dpi = files.load_page(path, files.sniff(path), int(src["page"]), files.Limits())
        process_image(image, catalog, source={"file": path.name, "page": src["page"], "sha256": ""}, dpi=dpi)
        del image
        trace.append(round(rss_mb(), 1))
    first_round = min(len(sources), pages) - 1
    growth = (trace[-1] - trace[first_round]) / max(1, pages - 1 - first_round)
    return {"profile": profile, "seed": seed, "pages": pages, "batch_pages": len(sources),
            "rss_mb_after_first_page": trace[0], "rss_mb_after_first_round": trace[first_round],
            "rss_mb_at_end": trace[-1], "rss_mb_max": max(trace),
            "growth_mb_per_page_after_first_round": round(growth, 3),
            "wall_seconds": round(time.monotonic() - started, 1), "rss_mb_per_page": trace}


def print_summary(r: dict) -> None:
    print(f"\nMemory across a long batch ({r['profile']}, {r['pages']} pages in one process, the batch's "
          f"{r['batch_pages']} pages round after round, whole pipeline)")
    print("after page 1 | after the first round | at the end | max | growth per page after the first round")
    print("--- | --- | --- | --- | ---")
    print(f"{r['rss_mb_after_first_page']:.0f} MB | {r['rss_mb_after_first_round']:.0f} MB | "
          f"{r['rss_mb_at_end']:.0f} MB | {r['rss_mb_max']:.0f} MB | "
          f"{r['growth_mb_per_page_after_first_round']:+.2f} MB")
    step = r["batch_pages"]
    ends = r["rss_mb_per_page"][step - 1::step]
    print("at the end of each round: " + ", ".join(f"{v:.0f}" for v in ends) + " MB")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.memory")
    p.add_argument("--profile", default="office200")
    p.add_argument("--seed", type=int, default=101)
    p.add_argument("--pages", type=int, default=42)
    args = p.parse_args(argv)
    result = run(args.profile, args.seed, args.pages)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "memory.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print_summary(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
