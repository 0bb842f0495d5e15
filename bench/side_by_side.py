"""Folio, one plain tesseract pass and img2table on the same page images, in one run.

``python -m bench.side_by_side [--profiles clean300 office200]`` (and ``make bench``,
through bench/run.py): renders the sample batch in each profile (or takes the
scans bench/run.py just rendered), writes every page as the reader gets it to
``bench/out/side/<profile>/pages/*.png``, then per page, in one process of a
pool of two (pages give the parallelism, every engine runs single-threaded):
one tesseract pass, Folio's read, img2table. Prints the CPU ratio table
(bench/baseline.py) and the accuracy/time comparison with img2table
(bench/img2table_cmp.py, scored by bench/table_score.py). Nothing asserts.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from bench import baseline, img2table_cmp  # noqa: E402
from bench.table_score import share, table_measure  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_PROFILES = ("clean300", "office200")


def _truth_turns(profile: str, seed: int, n: int) -> list[int]:
    """Quarter turns of each page in truth.jsonl order (as samples.generate lays the batch out)."""
    from samples.generate import batch_plan

    plan = batch_plan(n, profile, seed)
    return [plan.turns[i] for fp in plan.files for i in fp.records]


def write_pages(profile: str, seed: int, scans: Path | None = None) -> list[dict]:
    """Every page of the profile's batch as a PNG of the image the reader gets (dpi kept)."""
    from PIL import Image

    from ingest import files
    from samples.generate import render_batch

    if scans is None or not (scans / "truth.jsonl").exists():
        scans = OUT / "side" / profile / "scans"
        render_batch(scans, profile, seed)
    truths = [json.loads(line) for line in (scans / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    turns = _truth_turns(profile, seed, len(truths))
    folder = OUT / "side" / profile / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for truth, turn in zip(truths, turns):
        src = truth["source"]
        path = scans / src["file"]
        image, dpi = files.load_page(path, files.sniff(path), int(src["page"]), files.Limits())
        png = folder / f"{Path(src['file']).stem}-p{src['page']}.png"
        Image.fromarray(image).save(png, dpi=(dpi, dpi))
        pages.append({"profile": profile, "page": png.name, "png": str(png), "turns": turn, "truth": truth})
    return pages


def _init_worker() -> None:
    """Start-up outside the measured part: imports and tesseract's version probe."""
    import worker.pipeline  # noqa: F401
    from ocr._exec.tesseract import probe

    probe()


def page_job(page: dict) -> dict:
    """One page, side by side in this process: tesseract pass, Folio's read, img2table."""
    png = Path(page["png"])
    tess = baseline.tesseract_pass(png)
    folio = baseline.folio_read(png)
    i2t = img2table_cmp.run_img2table(png) if img2table_cmp.available() is None else {"error": "not installed"}
    truth = page["truth"]
    out = {k: page[k] for k in ("profile", "page", "turns")}
    out.update(dpi=folio["dpi"], rotation=folio["rotation"], tesseract_cpu=tess["cpu"], tesseract_wall=tess["wall"],
               folio_cpu=folio["cpu"], folio_wall=folio["wall"], folio=dict(table_measure(folio["raw"], truth)))
    if "error" in i2t:
        out["img2table_error"] = i2t["error"]
    else:
        raw = img2table_cmp.grids_to_raw(i2t["tables"], truth)
        out.update(img2table_cpu=i2t["cpu"], img2table_wall=i2t["wall"], img2table_tables=len(i2t["tables"]),
                   img2table=dict(table_measure(raw, truth)))
    return out


def _pct(counts: Counter, group: str) -> str:
    value = share(counts, group)
    return "-" if value is None else f"{100 * value:.1f}%"


def compare_summary(pages: list[dict], who: str) -> dict:
    """Accuracy shares and mean CPU/wall per page of one system over the given pages."""
    done = [p for p in pages if who in p]
    counts = sum((Counter(p[who]) for p in done), Counter())
    return {"pages": len(done), "numbers": share(counts, "numbers"), "codes": share(counts, "codes"),
            "text": share(counts, "text"), "counts": dict(counts),
            "cpu": statistics.fmean(p[f"{who}_cpu"] for p in done) if done else None,
            "wall": statistics.fmean(p[f"{who}_wall"] for p in done) if done else None}


def print_compare_table(profile: str, pages: list[dict]) -> None:
    print(f"\nTable cells, Folio's raw read vs img2table 2 (TesseractOCR spa, defaults) — {profile}, rows only")
    head = ["system", "pages", "numbers exact", "row codes exact", "row text chars", "cpu s/page", "wall s/page"]
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    upright = [p for p in pages if p["turns"] == 0]
    for label, who, subset in (("Folio (raw read)", "folio", pages), ("img2table", "img2table", pages),
                               ("Folio, upright pages", "folio", upright),
                               ("img2table, upright pages", "img2table", upright)):
        done = [p for p in subset if who in p]
        counts = sum((Counter(p[who]) for p in done), Counter())
        cpu = statistics.fmean(p[f"{who}_cpu"] for p in done) if done else float("nan")
        wall = statistics.fmean(p[f"{who}_wall"] for p in done) if done else float("nan")
        print(" | ".join((label, str(len(done)), _pct(counts, "numbers"), _pct(counts, "codes"), _pct(counts, "text"),
                          f"{cpu:.2f}", f"{wall:.2f}")))
    ran = [p for p in pages if "img2table" in p]
    found = sum(1 for p in ran if p["img2table_tables"])
    print(f"img2table found a table on {found} of {len(ran)} pages")
    for p in pages:
        if "img2table_error" in p:
            print(f"img2table failed on {p['page']}: {p['img2table_error']}")
    print("(img2table is given the best row and column alignment to the truth: an upper bound; "
          "wall times are on a shared machine)")


def run(profiles=DEFAULT_PROFILES, seed: int = 101, workers: int = 2,
        scans: dict[str, Path] | None = None) -> dict:
    """All side-by-side measurements; prints the tables and returns what results.json keeps."""
    pages = [p for profile in profiles for p in write_pages(profile, seed, (scans or {}).get(profile))]
    why_not = img2table_cmp.available()
    if why_not:
        print(f"img2table not run: {why_not}", file=sys.stderr)
    ctx = multiprocessing.get_context("spawn")  # as bench/run.py: no inherited OpenCV thread pool
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker) as pool:
        results = list(pool.map(page_job, pages))
    out: dict = {"seed": seed, "profiles": {}}
    for profile in profiles:
        mine = [r for r in results if r["profile"] == profile]
        ratio = baseline.ratio_summary(mine)
        baseline.print_ratio_table(profile, mine, ratio)
        print_compare_table(profile, mine)
        out["profiles"][profile] = {
            "tesseract_ratio": ratio,
            "folio": compare_summary(mine, "folio"),
            "img2table": compare_summary(mine, "img2table") if why_not is None else {"error": why_not},
            "pages": mine,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.side_by_side")
    p.add_argument("--profiles", nargs="*", default=list(DEFAULT_PROFILES))
    p.add_argument("--seed", type=int, default=101)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    result = run(args.profiles, args.seed, args.workers)
    (OUT / "side").mkdir(parents=True, exist_ok=True)
    (OUT / "side" / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
