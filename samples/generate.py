"""Render ground-truth records into a batch of "scanned" files plus truth.jsonl.

    render_batch(out_dir, profile, seed=0, records=None) -> Path of truth.jsonl
    render_page(record, seed) -> PIL.Image (clean 300 dpi page)
    PROFILES: the scan profile names
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .render import render_page
from .scan import PROFILES, scan_page

DATA = Path(__file__).parent / "data"
BUNDLED = ("ground_truth.jsonl", "modificaciones.jsonl")
PDF_DATE = datetime.datetime(2023, 4, 14, 9, 30, 0).timetuple()  # fixed: same bytes every run

__all__ = ["PROFILES", "render_batch", "render_page", "bundled_records", "batch_plan", "main"]


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def bundled_records() -> list[dict]:
    """The 4 DIF progress pages followed by the modification records."""
    return [rec for name in BUNDLED for rec in _read_jsonl(DATA / name)]


@dataclass(frozen=True)
class FilePlan:
    name: str
    fmt: str                    # "pdf", "tiff", "jpeg", "png"
    records: tuple[int, ...]    # indices into the record list, in page order


@dataclass(frozen=True)
class BatchPlan:
    files: tuple[FilePlan, ...]
    turns: tuple[int, ...]      # per record: quarter turns (0, 1 = 90 deg ccw, 2, 3)
    layout_seeds: tuple[int, ...]


def _profile_index(profile: str) -> int:
    if profile not in PROFILES:
        raise ValueError(f"unknown scan profile {profile!r}; choose from {', '.join(PROFILES)}")
    return PROFILES.index(profile)


def batch_plan(n: int, profile: str, seed: int = 0) -> BatchPlan:
    """Which record goes to which file and page, and which pages are turned."""
    rng = np.random.default_rng([seed, _profile_index(profile), 0xBA7C])
    order = [int(i) for i in rng.permutation(n)]
    n_pdf = max(1, round(n * 0.4)) if n >= 2 else n
    n_tif = min(max(1, round(n * 0.3)), n - n_pdf) if n - n_pdf >= 2 else 0
    groups = [("pdf", order[:n_pdf]), ("tiff", order[n_pdf:n_pdf + n_tif])]
    singles = order[n_pdf + n_tif:]
    first = "jpeg" if rng.random() < 0.5 else "png"
    other = "png" if first == "jpeg" else "jpeg"
    groups += [(first if k % 2 == 0 else other, [i]) for k, i in enumerate(singles)]
    ext = {"pdf": "pdf", "tiff": "tif", "jpeg": "jpg", "png": "png"}
    files = tuple(FilePlan(f"scan-{k + 1:02d}.{ext[fmt]}", fmt, tuple(idx))
                  for k, (fmt, idx) in enumerate(g for g in groups if g[1]))
    turns = [0] * n
    if n >= 1:
        picks = rng.choice(n, size=min(2, n), replace=False)
        turns[int(picks[0])] = 1 if rng.random() < 0.5 else 3
        if n >= 2:
            turns[int(picks[1])] = 2
    seeds = tuple(int(v) for v in rng.integers(0, 2**31 - 1, size=n))
    return BatchPlan(files, tuple(turns), seeds)


def _save(fp: FilePlan, images: list[Image.Image], path: Path, rng: np.random.Generator) -> None:
    dpi = images[0].info.get("dpi", (300, 300))
    if fp.fmt == "pdf":
        imgs = [im if im.mode in ("1", "L", "RGB") else im.convert("RGB") for im in images]
        imgs[0].save(path, "PDF", save_all=True, append_images=imgs[1:], resolution=float(dpi[0]),
                     creationDate=PDF_DATE, modDate=PDF_DATE, producer="folio samples",
                     title=path.stem)
    elif fp.fmt == "tiff":
        comp = "group4" if images[0].mode == "1" else "tiff_lzw"
        images[0].save(path, "TIFF", save_all=True, append_images=images[1:], dpi=dpi,
                       compression=comp)
    elif fp.fmt == "jpeg":
        im = images[0].convert("L") if images[0].mode == "1" else images[0]
        im.save(path, "JPEG", quality=int(rng.integers(82, 93)), dpi=dpi)
    else:
        images[0].save(path, "PNG", dpi=dpi, compress_level=3)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_batch(out_dir: Path, profile: str, seed: int = 0,
                 records: list[dict] | None = None) -> Path:
    """Render, scan and save every record; returns the path of out_dir/truth.jsonl."""
    out_dir = Path(out_dir)
    records = bundled_records() if records is None else list(records)
    plan = batch_plan(len(records), profile, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for fp in plan.files:
        images = []
        for i in fp.records:
            page = render_page(records[i], plan.layout_seeds[i])
            rng = np.random.default_rng([seed, _profile_index(profile), i, 0x5CA7])
            images.append(scan_page(page, profile, rng, plan.turns[i]))
        path = out_dir / fp.name
        _save(fp, images, path, np.random.default_rng([seed, len(lines), 0xF11E]))
        digest = _sha256(path)
        for n, i in enumerate(fp.records, start=1):
            src = {"file": fp.name, "page": n, "sha256": digest}
            lines.append({"source": src, **{k: v for k, v in records[i].items() if k != "source"}})
    truth = out_dir / "truth.jsonl"
    with open(truth, "w", encoding="utf-8") as f:
        for rec in lines:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="samples", description="render sample scans")
    ap.add_argument("--profile", choices=PROFILES, default="clean300")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    truth = render_batch(Path(args.out), args.profile, args.seed)
    n = sum(1 for _ in open(truth, encoding="utf-8"))
    print(f"{n} pages in {truth.parent} ({args.profile}, seed {args.seed}); truth: {truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
