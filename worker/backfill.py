"""``folio backfill FOLDER``: the archive's past years, submitted unattended, once.

The tree (years, ramos, ... any depth) is walked in sorted order; each file
whose bytes the archive does not hold yet (sha256) is submitted at backfill
priority into the batch of its folder (``backfill ROOT/2019/52``), created
on first use and found again on a re-run. That content check alone makes a
second run submit nothing; a small journal in ``FOLIO_HOME/backfill/``
(path, size, mtime, sha256 per file done) lets a run resumed after a crash or
a stop skip what it already went through without reading those files again.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from tqdm import tqdm

from ingest import files
from ingest.models import Batch, Document
from worker.queue import BACKFILL, submit


@dataclass
class BackfillResult:
    files: int = 0
    submitted: int = 0
    held: int = 0
    rejected: int = 0
    pages: int = 0
    batches: list[int] = field(default_factory=list)


class Journal:
    """What earlier runs on this root went through: rel path -> (size, mtime_ns)."""

    def __init__(self, root: Path) -> None:
        folder = settings.FOLIO_HOME / "backfill"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / (hashlib.sha1(str(root).encode()).hexdigest()[:16] + ".jsonl")
        self.seen: dict[str, tuple[int, int]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.seen[row["path"]] = (row["size"], row["mtime_ns"])
                except (ValueError, KeyError):
                    continue  # a line cut short by a crash: that file is simply looked at again

    def done(self, rel: str, stat) -> bool:
        return self.seen.get(rel) == (stat.st_size, stat.st_mtime_ns)

    def note(self, rel: str, stat, sha256: str) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"path": rel, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                                 "sha256": sha256}) + "\n")


def _batch_for(root: Path, rel_parent: Path, cache: dict) -> Batch:
    name = f"backfill {root.name}" + (f"/{rel_parent.as_posix()}" if str(rel_parent) != "." else "")
    if name not in cache:
        cache[name] = Batch.objects.filter(name=name).order_by("-id").first() or Batch.objects.create(name=name)
    return cache[name]


def backfill(root: Path, *, show_progress: bool = True) -> BackfillResult:
    root = root.resolve()
    paths = list(files.expand([root]))
    journal = Journal(root)
    result, batches = BackfillResult(files=len(paths)), {}
    for path in tqdm(paths, desc=f"backfill {root.name}", unit="file", file=sys.stderr, disable=not show_progress):
        rel, stat = path.relative_to(root).as_posix(), path.stat()
        if journal.done(rel, stat):
            result.held += 1
            continue
        sha = files.sha256_of(path)
        if Document.objects.filter(sha256=sha).exists():
            result.held += 1
        else:
            batch = _batch_for(root, path.parent.relative_to(root), batches)
            _, submitted = submit([path], batch_name=batch.name, priority=BACKFILL, batch=batch)
            pages = [p for s in submitted for p in s.pages]
            result.submitted += 1
            result.pages += len(pages)
            result.rejected += sum(1 for s in submitted if s.document.error)
            if batch.id not in result.batches:
                result.batches.append(batch.id)
        journal.note(rel, stat, sha)
    return result
