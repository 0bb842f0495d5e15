"""Putting pages on the queue: the one place entrances (CLI, API, upload page, watch folder) call.

Two priorities: ``interactive`` (what staff upload) goes strictly ahead of
``backfill`` (the archive's past years): they are two Redis queues, and the
workers poll them in that order (``queue_order_strategy=priority``, see
worker/celery.py), so an afternoon's upload never waits behind ten years of
archive; at most the pages already in a worker's hands finish first.

``FOLIO_QUEUE`` decides who runs the pages:
- ``celery``: messages (page ids, JSON) to Redis for ``folio worker`` processes;
- ``inline`` (the embedded default): one background thread in this process
  (worker/inline.py), so a web upload returns at once; ``folio submit`` waits
  for it to drain;
- ``sync``: in the caller, when the transaction commits (scripts, tests).
The page rows are committed first in every mode: a message is only a hint,
and a page whose message is lost is re-sent by the sweeper (worker/sweeper.py).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone

INTERACTIVE, BACKFILL = "interactive", "backfill"
PRIORITIES = (INTERACTIVE, BACKFILL)
SWEEP_QUEUE = "sweep"
EPOCH_KEY = "folio:broker-epoch"  # present while the broker keeps what it was sent (see worker/sweeper.py)

log = logging.getLogger("folio.queue")


def enqueue(page_ids: Iterable[int], *, priority: str = INTERACTIVE) -> int:
    """Hand queued pages to the workers once the rows that name them are committed."""
    from ingest.models import Page

    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}")
    ids = list(page_ids)
    if not ids:
        return 0
    Page.objects.filter(pk__in=ids).update(priority=priority, enqueued_at=timezone.now())
    mode = settings.FOLIO_QUEUE
    if mode == "celery":
        transaction.on_commit(lambda: send({priority: ids}))
    elif mode == "inline":
        from worker import inline

        transaction.on_commit(lambda: inline.runner().put(ids))
    elif mode == "sync":
        from worker.pages import process_page

        transaction.on_commit(lambda: [process_page(i) for i in ids])
    else:
        raise ValueError(f"FOLIO_QUEUE must be celery, inline or sync, not {mode!r}")
    return len(ids)


def send(ids_by_priority: Mapping[str, list[int]]) -> int:
    """Publish one message per page id to its priority's queue; returns how many were sent.

    A broker that cannot be reached does not lose anything: the pages are
    committed as queued and the sweeper sends them when the broker is back.
    """
    from worker.tasks import process_page_task

    sent = 0
    try:
        with process_page_task.app.producer_or_acquire() as producer:
            producer.channel.client.setnx(EPOCH_KEY, timezone.now().isoformat())
            for priority, ids in ids_by_priority.items():
                for page_id in ids:
                    process_page_task.apply_async((page_id,), queue=priority, producer=producer)
                    sent += 1
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many kinds; the database keeps the pages
        log.warning("could not reach the broker (%s); %d page(s) stay queued for the sweeper",
                    exc, sum(len(v) for v in ids_by_priority.values()) - sent)
    return sent


def submit(paths: Iterable[Path], *, batch_name: str, priority: str = INTERACTIVE, names: list[str] | None = None,
           read_again: bool = False, batch=None, deadline: float | None = None):
    """Store the originals, create page rows and enqueue them: (batch, [Submitted]).

    A file the archive already holds (same sha256) is recognised and not read
    again unless ``read_again``; its Submitted has no pages (see ingest/service.py).
    ``batch`` adds to an existing batch (backfill resumes its folder's batch). ``deadline``
    (``time.monotonic()``) bounds the examination of all the files (web and API uploads).
    """
    from ingest.models import Batch, Page
    from ingest.service import submit_file

    paths = list(paths)
    with transaction.atomic():
        batch = batch or Batch.objects.create(name=batch_name)
        submitted = [submit_file(batch, p, name=(names[i] if names else None), read_again=read_again,
                                 deadline=deadline)
                     for i, p in enumerate(paths)]
        enqueue([pg.id for s in submitted for pg in s.pages if pg.state == Page.State.QUEUED], priority=priority)
    return batch, submitted


def group_by_priority(pages) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for page_id, priority in pages:
        out[priority if priority in PRIORITIES else INTERACTIVE].append(page_id)
    return dict(out)


def retry(batch_id: int, *, priority: str = INTERACTIVE) -> tuple[list[int], list[int]]:
    """Queue a batch's failed and poison pages again: (ids queued, ids refused at submission).

    Attempts and crashes start from zero, so a page fixed by a new reader or catalog gets three fresh
    tries; corrected fields stay as reviewers left them (records.store keeps them).
    """
    from ingest.models import Page

    with transaction.atomic():
        stuck = Page.objects.select_for_update().filter(
            document__batch_id=batch_id, state__in=(Page.State.FAILED, Page.State.POISON))
        refused = list(stuck.exclude(document__error="").values_list("pk", flat=True))
        ids = list(stuck.filter(document__error="").values_list("pk", flat=True))
        Page.objects.filter(pk__in=ids).update(state=Page.State.QUEUED, attempts=0, crashes=0, claimed_by="",
                                               lease_until=None, error_code="", error="")
        enqueue(ids, priority=priority)
    return ids, refused
