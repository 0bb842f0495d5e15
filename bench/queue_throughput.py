"""Pages per minute through the queue service: real redis-server, 1 then 2 `folio worker` processes.

``python -m bench.queue_throughput [--profile office200] [--seeds 11 12]`` renders
the sample batch with each seed (distinct files, so none is recognised as a
duplicate), starts a fresh service (FOLIO_HOME, Redis, SQLite) per run, waits
for its workers to be ready, submits every file as one interactive batch and
times it from the first page enqueued to the last page done (database
timestamps). Each worker process has one child (``--concurrency 1``); the
machine's load average is printed beside the figures, since other work on
the machine slows them. A benchmark, not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import RedisServer, Service  # noqa: E402 - the tests' real-process helpers


def render(out: Path, profile: str, seeds: list[int]) -> list[Path]:
    from samples.generate import render_batch

    files = []
    for seed in seeds:
        folder = out / f"{profile}-{seed}"
        if not (folder / "truth.jsonl").exists():
            render_batch(folder, profile, seed)
        files += sorted(p for p in folder.iterdir() if p.suffix != ".jsonl")
    return files


def run(files: list[Path], workers: int, scratch: Path) -> dict:
    redis = RedisServer(scratch / f"redis-{workers}")
    svc = Service(scratch / f"home-{workers}", redis)
    try:
        procs = [svc.worker(concurrency=1) for _ in range(workers)]
        deadline = time.monotonic() + 120
        while not all("ready." in p.log.read_text(errors="replace") for p in procs):
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start:\n" + "\n".join(p.tail() for p in procs))
            time.sleep(0.5)
        load = os.getloadavg()[0]
        svc.folio("submit", *files, "--batch", f"bench-{workers}")
        state = svc.wait_settled(timeout=3600)
        pages = state["pages"]
        start = min(datetime.fromisoformat(p["enqueued_at"]) for p in pages)
        end = max(datetime.fromisoformat(p["updated_at"]) for p in pages)
        minutes = (end - start).total_seconds() / 60
        done = sum(p["state"] == "done" for p in pages)
        cpu = [p["cpu_seconds"] for p in pages if p["cpu_seconds"]]
        return {"workers": workers, "pages": len(pages), "done": done, "minutes": minutes,
                "pages_per_minute": done / minutes if minutes else 0.0,
                "cpu_s_per_page": sum(cpu) / len(cpu) if cpu else 0.0,
                "load_before": load, "load_after": os.getloadavg()[0]}
    finally:
        svc.close()
        redis.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="office200")
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    out = ROOT / "bench" / "out" / "queue"
    out.mkdir(parents=True, exist_ok=True)
    files = render(out, args.profile, args.seeds)
    rows = []
    with tempfile.TemporaryDirectory(prefix="folio-bench-queue-") as tmp:
        for n in args.workers:
            rows.append(run(files, n, Path(tmp)))
            r = rows[-1]
            print(f"{r['workers']} worker process(es): {r['done']}/{r['pages']} pages done in "
                  f"{r['minutes'] * 60:.0f} s = {r['pages_per_minute']:.1f} pages/min "
                  f"(CPU {r['cpu_s_per_page']:.1f} s/page; load average {r['load_before']:.1f} -> "
                  f"{r['load_after']:.1f})", flush=True)
    if len(rows) > 1 and rows[0]["pages_per_minute"]:
        print(f"speed-up with {rows[-1]['workers']} workers: "
              f"{rows[-1]['pages_per_minute'] / rows[0]['pages_per_minute']:.2f}x on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
