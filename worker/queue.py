"""Putting pages on the queue: the one place entrances (CLI, API, upload page, watch folder) call.

Two priorities: ``interactive`` (what staff upload) goes ahead of ``backfill``
(the archive's past years). ``FOLIO_QUEUE=inline`` (the embedded default)
runs pages in-process instead of through Celery.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from django.conf import settings
from django.db import transaction

INTERACTIVE, BACKFILL = "interactive", "backfill"
PRIORITIES = (INTERACTIVE, BACKFILL)


def enqueue(page_ids: Iterable[int], *, priority: str = INTERACTIVE) -> int:
    """Hand queued pages to the workers once the rows that name them are committed."""
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}")
    ids = list(page_ids)
    if settings.FOLIO_QUEUE == "inline":
        from worker.pages import process_page

        transaction.on_commit(lambda: [process_page(i) for i in ids])
        return len(ids)
    from worker.tasks import process_page_task

    transaction.on_commit(lambda: [process_page_task.apply_async((i,), queue=priority) for i in ids])
    return len(ids)


def submit(paths: Iterable[Path], *, batch_name: str, priority: str = INTERACTIVE, names: list[str] | None = None):
    """Store the originals, create page rows and enqueue them: (batch, [Submitted])."""
    from ingest.models import Batch, Page
    from ingest.service import submit_file

    paths = list(paths)
    with transaction.atomic():
        batch = Batch.objects.create(name=batch_name)
        submitted = [submit_file(batch, p, name=(names[i] if names else None)) for i, p in enumerate(paths)]
        enqueue([pg.id for s in submitted for pg in s.pages if pg.state == Page.State.QUEUED], priority=priority)
    return batch, submitted
