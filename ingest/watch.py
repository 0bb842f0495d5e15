"""The watch folder: files that appear in a folder are submitted once they stop growing.

A scanner or a file share drops files into a folder; a file is taken when it
is *stable*, its size and modification time unchanged between two polls, so
a copy in progress is never read half-written. What was submitted is
remembered by content in the database (``Document.sha256``), so a restart,
or the same file dropped again, never submits it twice. Originals are never
deleted; they are moved only when asked (``move_done``), after their
submission has committed. Files Folio cannot take (not a scan type, or
rejected at submission: empty, corrupt, encrypted) are logged with the
reason and left where they are.

This module sits on the data floor: the submitting function (``worker.queue.submit``
with a priority) is passed in by the entrance that runs the watcher.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from django.utils import timezone

from ingest import files
from ingest.models import Document

log = logging.getLogger("folio.watch")

# Names that copy tools and editors use while a file is still being written.
PARTIAL_SUFFIXES = {".part", ".partial", ".tmp", ".crdownload", ".download", ".filepart"}
Submit = Callable[..., tuple]  # worker.queue.submit(paths, *, batch_name, names) -> (batch, [Submitted])


@dataclass(frozen=True)
class Rejected:
    path: Path
    reason: str


@dataclass
class PollResult:
    """What one poll did, for the log and for tests."""

    batch_id: int | None = None
    submitted: list[tuple[Path, Document]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    held: list[tuple[Path, Document]] = field(default_factory=list)  # already submitted before
    waiting: list[Path] = field(default_factory=list)  # not yet stable
    moved: list[tuple[Path, Path]] = field(default_factory=list)


LOCK_NAME = ".folio-watch.lock"  # a dot file: never taken as a scan (is_partial)


class FolderBusy(RuntimeError):
    """Another ``folio watch`` already watches this folder."""


@contextmanager
def folder_lock(folder: Path, fallback_dir: Path) -> Iterator[Path]:
    """Hold the folder for one watcher: two watchers of one folder would race to submit and move its files.

    The lock is an advisory ``flock`` on a dot file in the folder itself, so watchers on other
    machines sharing the folder see it where the file share supports locks. A folder Folio may not
    write to is locked by a file under ``fallback_dir`` instead (this machine only).
    """
    folder = Path(folder).resolve()
    path = folder / LOCK_NAME
    try:
        fh = open(path, "a+")
    except OSError:
        fallback_dir.mkdir(parents=True, exist_ok=True)
        path = fallback_dir / (hashlib.sha256(str(folder).encode()).hexdigest()[:16] + ".lock")
        fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise FolderBusy(f"{folder} is already watched by {holder}; stop that watcher first, or watch "
                             f"another folder") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"folio watch, pid {os.getpid()}\n")
        fh.flush()
        yield path
    finally:
        fh.close()  # closing releases the lock


def is_partial(path: Path) -> bool:
    return path.name.startswith((".", "~$")) or path.suffix.lower() in PARTIAL_SUFFIXES


class Watcher:
    """Polls one folder (recursively). Call :meth:`poll` every few seconds."""

    def __init__(self, folder: Path, submit: Submit, *, batch_name: str | None = None,
                 move_done: Path | None = None):
        self.folder = Path(folder).resolve()
        self.submit = submit
        self.batch_name = batch_name
        self.move_done = Path(move_done).resolve() if move_done else None
        self._last: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) at the previous poll
        self._sha: dict[tuple[Path, int, int], str] = {}
        self._held: dict[tuple[Path, int, int], Document] = {}  # known held: no query at every poll
        self._told: set[tuple[Path, int, int]] = set()  # rejections and held files already logged

    def _candidates(self) -> dict[Path, tuple[int, int]]:
        found = {}
        for path in sorted(self.folder.rglob("*")):
            if self.move_done and self.move_done in path.parents:
                continue
            if path.is_symlink():
                # a link could point anywhere the service may read: only files really in the folder are taken
                # (rglob lists a linked folder as the link, never descending into it)
                self._once((path, 0, 0), logging.WARNING, "not taken: %s is a symbolic link; copy the file "
                           "itself into the folder", path)
                continue
            if not path.is_file() or is_partial(path):
                continue
            try:
                st = path.stat()
            except OSError:
                continue  # vanished between listing and stat
            found[path] = (st.st_size, st.st_mtime_ns)
        return found

    def _once(self, key: tuple[Path, int, int], level: int, message: str, *args) -> None:
        """Log a file's standing once per version of it, not at every poll."""
        if key not in self._told:
            self._told.add(key)
            log.log(level, message, *args)

    def poll(self) -> PollResult:
        result = PollResult()
        now = self._candidates()
        stable: list[Path] = []
        for path, stamp in now.items():
            key = (path, *stamp)
            if self._last.get(path) != stamp:
                result.waiting.append(path)
                continue
            if path.suffix.lower() not in files.SUFFIXES:
                reason = (f"not a scan type ({path.suffix or 'no extension'}); Folio reads PDF, TIFF, JPEG and "
                          f"PNG; the file is left where it is")
                result.rejected.append(Rejected(path, reason))
                self._once(key, logging.WARNING, "rejected %s: %s", path, reason)
                continue
            held = self._held_document(key)
            if held is not None:
                result.held.append((path, held))
                self._once(key, logging.INFO, "already held: %s (document %s, batch %s)%s", path, held.id,
                           held.batch_id, f"; it was rejected: {held.error}" if held.error else "")
                continue
            stable.append(path)
        self._last = now
        self._forget_gone(now)
        if stable:
            self._submit(stable, result)
        if self.move_done:
            for path, doc in result.submitted + result.held:
                if not doc.error:
                    result.moved.append((path, self._move(path)))
        return result

    def _held_document(self, key: tuple[Path, int, int]) -> Document | None:
        """The document already holding these bytes (any batch, rejected or not), if any."""
        if key not in self._held:
            if key not in self._sha:
                self._sha[key] = files.sha256_of(key[0])
            held = Document.objects.filter(sha256=self._sha[key]).order_by("id").first()
            if held is None:
                return None
            self._held[key] = held
        return self._held[key]

    def _forget_gone(self, now: dict[Path, tuple[int, int]]) -> None:
        """Drop what is remembered of file versions no longer in the folder (a watcher runs for months)."""
        for memo in (self._sha, self._held):
            for key in [k for k in memo if now.get(k[0]) != k[1:]]:
                del memo[key]
        self._told = {k for k in self._told if now.get(k[0]) == k[1:]}

    def _submit(self, paths: list[Path], result: PollResult) -> None:
        name = self.batch_name or f"watch {self.folder.name} {timezone.localtime():%Y-%m-%d %H:%M:%S}"
        batch, submitted = self.submit(paths, batch_name=name, names=[p.name for p in paths])
        result.batch_id = batch.id
        for path, sub in zip(paths, submitted):
            doc = sub.document
            key = (path, *self._last[path])
            if doc.error:
                result.rejected.append(Rejected(path, doc.error))
                self._once(key, logging.WARNING, "rejected %s (document %s, batch %s): %s", path, doc.id,
                           batch.id, doc.error)
            else:
                result.submitted.append((path, doc))
                self._told.add(key)
                log.info("submitted %s: document %s, %s page(s), batch %s", path, doc.id, len(sub.pages), batch.id)

    def _move(self, path: Path) -> Path:
        """Move a held original out of the folder, keeping its sub-folders; never overwrite."""
        target = self.move_done / path.relative_to(self.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        stem, n = target, 2
        while target.exists():
            target = stem.with_name(f"{stem.stem} ({n}){stem.suffix}")
            n += 1
        shutil.move(str(path), str(target))
        self._last.pop(path, None)
        log.info("moved %s to %s", path, target)
        return target
