"""Submitting files: keep the original, recognise its kind, create one page row per page.

Nothing submitted is dropped: a file that cannot be read still becomes a
Document with one FAILED page that says why and what to do.
"""
from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction

from folio.errors import FolioError
from ingest import files
from ingest.models import Batch, Document, Page

log = logging.getLogger("folio.ingest")


def store_original(path: Path, sha256: str) -> str:
    """Content-addressed: the same bytes are stored once and never modified."""
    name = f"originals/{sha256[:2]}/{sha256}"
    if not default_storage.exists(name):
        with open(path, "rb") as fh:
            name = default_storage.save(name, File(fh))
    return name


@contextmanager
def local_original(document: Document) -> Iterator[Path]:
    """The original as a local file for the readers (poppler, Pillow), whatever the storage.

    File-system storage gives its own path; object storage (S3, shared by several
    machines) is copied to a temporary file that is removed afterwards.
    """
    try:
        path = default_storage.path(document.original)
    except NotImplementedError:
        path = None
    if path:
        yield Path(path)
        return
    with default_storage.open(document.original, "rb") as src, tempfile.NamedTemporaryFile(prefix="folio-") as tmp:
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def held_document(sha256: str) -> Document | None:
    """The first readable document with these bytes, if the archive already holds them."""
    return (Document.objects.filter(sha256=sha256, duplicate_of__isnull=True, error="")
            .order_by("id").first())


@dataclass(frozen=True)
class Submitted:
    document: Document
    pages: list[Page]


@transaction.atomic
def submit_file(batch: Batch, path: Path, *, name: str | None = None, read_again: bool = True,
                deadline: float | None = None) -> Submitted:
    """Keep the file, recognise it, and create its page rows (queued, or FAILED with the reason).

    The same bytes submitted again are recognised (``duplicate_of`` names the first
    document that holds them). With ``read_again=False`` (the queue service) a
    duplicate gets no page rows: its record is already held, so nothing is read or
    stored twice. ``folio run`` reads every file it is given (``read_again=True``).

    ``deadline`` (``time.monotonic()``; the web and the API give one per request) bounds the
    examination: pdfinfo gets no more than the time left, and once it has passed, the file is kept
    and refused with the reason instead of examined.
    """
    lim = files.Limits.from_settings()
    display = files.safe_name(name or path.name)
    sha = files.sha256_of(path)
    size = path.stat().st_size
    held = held_document(sha)
    doc = Document.objects.create(
        batch=batch, name=display, sha256=sha, original=store_original(path, sha), size=size, kind="",
        duplicate_of=held,
    )
    if held is not None and not read_again:
        doc.kind, doc.page_count = held.kind, held.page_count
        doc.save()
        return Submitted(doc, [])
    try:
        if deadline is not None:
            lim = _within(lim, deadline)
        files.check_size(path, lim, name=display)
        doc.kind = files.sniff(path, name=display)
        doc.page_count = files.count_pages(path, doc.kind, lim)
    except Exception as exc:  # noqa: BLE001 - whatever a file does, the batch goes on
        if isinstance(exc, DatabaseError):
            raise
        if not isinstance(exc, FolioError):
            log.exception("examining %s (%s) failed unexpectedly", display, sha)
            exc = FolioError(f"Folio could not examine the file ({type(exc).__name__}: {files.without_paths(exc)}); "
                             f"report it with the file to the maintainers", code="internal_error")  # no paths
        exc.file = display  # the name as given (sanitised), not the path it was read from
        exc.page = exc.page or "whole file"
        doc.error = str(exc)
        doc.save()
        page = Page.objects.create(document=doc, number=1, state=Page.State.FAILED, error_code=exc.code,
                                   error=str(exc))
        return Submitted(doc, [page])
    doc.save()
    Page.objects.bulk_create(Page(document=doc, number=n) for n in range(1, doc.page_count + 1))
    return Submitted(doc, list(doc.pages.all()))


def _within(lim: files.Limits, deadline: float) -> files.Limits:
    """The limits with the examination's time-out cut to what is left before ``deadline``."""
    left = deadline - time.monotonic()
    if left < 1:
        raise FolioError(
            f"examining the files of this upload took more than its {settings.FOLIO_UPLOAD_EXAMINE_SECONDS:.0f} s "
            "(FOLIO_UPLOAD_EXAMINE_SECONDS), so this file was kept but not examined; upload it again on its own, "
            "or in a smaller batch (a file before it may be damaged)", code="upload_time")
    return dataclasses.replace(lim, timeout=min(lim.timeout, float(max(1, round(left)))))


def submit_paths(paths: Iterable[Path], *, batch_name: str, read_again: bool = True) -> tuple[Batch, list[Submitted]]:
    batch = Batch.objects.create(name=batch_name)
    return batch, [submit_file(batch, p, read_again=read_again) for p in files.expand(paths)]
