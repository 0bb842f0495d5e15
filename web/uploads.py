"""Uploaded files into a batch: the one path the upload page and the API share.

Django hands over ``UploadedFile`` objects, small ones in memory and large
ones already streamed to a temporary file. Each is written (or pointed) to a
path on disk and the whole set goes through ``worker.queue.submit`` with the
people's original file names, at the interactive priority, so an afternoon's
upload goes ahead of the backlog. Nothing uploaded is dropped: a file that
cannot be read still becomes a Document with a FAILED page saying why.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ingest import files
from ingest.models import Batch
from worker.queue import INTERACTIVE, submit


class UploadError(ValueError):
    """The request as a whole cannot be taken (no files, too many); nothing was stored."""


def default_batch_name(user=None) -> str:
    who = f" ({user.get_username()})" if user is not None and user.is_authenticated else ""
    return f"upload {timezone.localtime():%Y-%m-%d %H:%M}{who}"


def check_count(uploads: Sequence[UploadedFile]) -> None:
    if not uploads:
        raise UploadError("no files in the request: send one or more files in the field 'files'")
    if len(uploads) > settings.FOLIO_MAX_UPLOAD_FILES:
        raise UploadError(f"{len(uploads)} files in one request, more than the limit of "
                          f"{settings.FOLIO_MAX_UPLOAD_FILES}; send them in several batches")


def _on_disk(upload: UploadedFile, folder: Path, index: int) -> Path:
    """A path holding the upload's bytes: Django's own temporary file, or one written here."""
    if hasattr(upload, "temporary_file_path"):
        return Path(upload.temporary_file_path())
    path = folder / f"{index:05d}"
    with open(path, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return path


def submit_uploads(uploads: Sequence[UploadedFile], *, batch_name: str | None = None, user=None):
    """Store every upload as an original and queue its pages: returns (batch, [Submitted]).

    The batch records its uploader: archive staff see their own batches only (web/scope.py)."""
    check_count(uploads)
    deadline = time.monotonic() + settings.FOLIO_UPLOAD_EXAMINE_SECONDS  # the request's examination, all files
    name = (batch_name or "").strip()[:200] or default_batch_name(user)
    uploader = user if user is not None and user.is_authenticated else None
    with tempfile.TemporaryDirectory(prefix="folio-upload-") as tmp:
        paths = [_on_disk(u, Path(tmp), i) for i, u in enumerate(uploads)]
        names = [files.safe_name(u.name or f"upload-{i + 1}") for i, u in enumerate(uploads)]
        with transaction.atomic():  # the batch is never seen without its uploader
            batch = Batch.objects.create(name=name, uploaded_by=uploader)
            return submit(paths, batch_name=name, priority=INTERACTIVE, names=names, batch=batch,
                          deadline=deadline)
