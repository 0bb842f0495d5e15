"""The sweeper: pages the broker forgot are found in the database and sent again.

Celery beat runs it every ``FOLIO_SWEEP_SECONDS`` on a worker (queue ``sweep``,
polled first); ``folio sweep`` runs it once (cron, tests). It never runs a
page, it only sends hints, and a page's claim (worker/pages.py) makes an extra
message harmless. Three cases:

1. A running page whose claim is void (lease expired, or its process on this
   host died) counts a crash: back to queued and sent again, or poison after
   ``FOLIO_POISON_AFTER`` crashes.
2. The broker lost what it held (FLUSHALL, a restart without its AOF): every
   sender sets ``folio:broker-epoch`` in Redis beside the messages; when it is
   missing, everything queued in the database is sent again.
3. A queued page last sent more than ``FOLIO_SWEEP_GRACE_SECONDS`` ago while
   its priority's queue in Redis is empty (a message lost on its own, e.g. the
   last second before a crash under ``appendfsync everysec``). An empty queue
   means no message can still be waiting for it, so re-sending is safe; a
   backlog that is still draining is left alone rather than doubled.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from folio.errors import TransientError
from ingest.models import Page
from worker.pages import holder_gone, reclaim
from worker.queue import EPOCH_KEY, PRIORITIES, group_by_priority, send

log = logging.getLogger("folio.sweeper")


def broker_view() -> tuple[bool, dict[str, int]]:
    """(does the broker still hold what it was sent, messages waiting per priority queue)."""
    from worker.celery import app

    try:
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            kept = bool(channel.client.exists(EPOCH_KEY))
            return kept, {q: channel._size(q) for q in PRIORITIES}
    except Exception as exc:  # noqa: BLE001 - kombu and redis-py raise many kinds
        raise TransientError(f"the broker did not answer ({exc}); nothing was sent, the next sweep tries again",
                             code="broker") from exc


def reclaim_expired(now=None) -> dict[str, int]:
    """Case 1: void claims on running pages become crashes (queued again, or poison)."""
    now = now or timezone.now()
    out = {"requeued": 0, "poison": 0}
    for page in Page.objects.filter(state=Page.State.RUNNING).select_related("document"):
        why = holder_gone(page, now)
        if not why:
            continue
        state = reclaim(page, why)
        if state == Page.State.QUEUED:
            out["requeued"] += 1
            Page.objects.filter(pk=page.pk).update(enqueued_at=None)  # due at once (case 3 below)
        elif state == Page.State.POISON:
            out["poison"] += 1
    return out


def sweep(now=None) -> dict:
    """One pass; returns what it did (logged, and shown by ``folio sweep``)."""
    now = now or timezone.now()
    report = reclaim_expired(now)
    kept, waiting = broker_view()
    queued = Page.objects.filter(state=Page.State.QUEUED)
    if kept:
        stale = now - timedelta(seconds=settings.FOLIO_SWEEP_GRACE_SECONDS)
        empty = [q for q in PRIORITIES if waiting.get(q, 0) == 0]
        due = queued.filter(priority__in=empty).exclude(enqueued_at__gt=stale)
        due = due | queued.filter(enqueued_at__isnull=True)
    else:
        due = queued
    pages = list(due.order_by("id").values_list("id", "priority"))
    if pages:
        Page.objects.filter(pk__in=[p for p, _ in pages]).update(enqueued_at=now)
        send(group_by_priority(pages))
    report.update(broker_lost=not kept, resent=len(pages), waiting=waiting)
    if pages or report["requeued"] or report["poison"]:
        log.warning("sweep: %s", report)
    return report
