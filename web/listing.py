"""Batches newest first with their page counts per state, in one query (the list page and the API).

``ingest.progress.batch_progress`` gives the whole story of one batch; a list
of many batches needs only the counts, so they are counted here by the
database instead of calling it once per batch.
"""
from __future__ import annotations

from django.db.models import Count, Q

from ingest.models import Batch, Page

STATES = tuple(s.value for s in Page.State)
UNFINISHED = (Page.State.QUEUED.value, Page.State.RUNNING.value)


def batches_with_counts():
    """A queryset of Batch, newest first, each annotated with ``total`` and one count per state."""
    counts = {state: Count("documents__pages", filter=Q(documents__pages__state=state)) for state in STATES}
    return Batch.objects.annotate(total=Count("documents__pages"), **counts).order_by("-created_at", "-id")


def as_row(batch) -> dict:
    """One annotated batch as the JSON the list shows (same keys as batch_progress's counts)."""
    row = {"batch_id": batch.id, "name": batch.name, "created_at": batch.created_at.isoformat(),
           "total": batch.total}
    row.update({state: getattr(batch, state) for state in STATES})
    row["finished"] = not any(row[s] for s in UNFINISHED)
    return row


def percent_done(row: dict) -> int:
    """Share of pages that reached an end (done, failed, poison or set aside), for progress bars."""
    total = row.get("total") or 0
    if not total:
        return 100
    ended = total - sum(row.get(s, 0) for s in UNFINISHED)
    return round(100 * ended / total)
