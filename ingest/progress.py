"""Where a batch stands: counts per page state, failures with their reasons, duplicates, re-scans.

One function read by every view of a batch (``folio status``, the batch page,
the JSON API), so they never disagree. It reads the database only: the
database is the source of truth, the broker carries hints.
"""
from __future__ import annotations

from collections import Counter

from ingest.models import Batch, Document, Page

STATES = tuple(s.value for s in Page.State)
UNFINISHED = (Page.State.QUEUED.value, Page.State.RUNNING.value)


def batch_progress(batch_id: int) -> dict:
    """The batch's progress as plain JSON-ready data.

    Keys: ``batch_id``, ``name``, ``created_at`` (ISO), ``documents``, ``total`` (pages),
    one count per state (``queued``, ``running``, ``done``, ``failed``, ``poison``, ``skipped``),
    ``finished`` (no page queued or running), ``failures`` (failed and poison pages:
    ``{file, page, state, code, error, document_id, page_id}``), ``set_aside`` (skipped pages,
    read and not a report: blank, a photo, a letter: ``{file, page, code, reason, document_id,
    page_id}``), ``duplicates``
    (files already held: ``{file, document_id, same_as: {document_id, file, batch_id}}``;
    their pages are not read again) and ``rescans`` (records of a report already held:
    ``{file, page, report_id, rescan_of: {report_id, file, page, batch_id}}``).
    Raises ``Batch.DoesNotExist`` for an unknown id.
    """
    batch = Batch.objects.get(pk=batch_id)
    pages = Page.objects.filter(document__batch_id=batch_id)
    counts = Counter(pages.values_list("state", flat=True))
    out: dict = {
        "batch_id": batch.id,
        "name": batch.name,
        "created_at": batch.created_at.isoformat(),
        "documents": Document.objects.filter(batch_id=batch_id).count(),
        "total": sum(counts.values()),
    }
    out.update({state: counts.get(state, 0) for state in STATES})
    out["finished"] = not any(out[s] for s in UNFINISHED)
    out["failures"] = _failures(pages)
    out["set_aside"] = _set_aside(pages)
    out["duplicates"] = _duplicates(batch_id)
    out["rescans"] = _rescans(batch_id)
    return out


def _failures(pages) -> list[dict]:
    bad = pages.filter(state__in=(Page.State.FAILED, Page.State.POISON)).select_related("document")
    return [
        {"file": p.document.name, "page": p.number, "state": p.state, "code": p.error_code, "error": p.error,
         "document_id": p.document_id, "page_id": p.id}
        for p in bad.order_by("document_id", "number")
    ]


def _set_aside(pages) -> list[dict]:
    aside = pages.filter(state=Page.State.SKIPPED).select_related("document")
    return [
        {"file": p.document.name, "page": p.number, "code": p.error_code, "reason": p.error,
         "document_id": p.document_id, "page_id": p.id}
        for p in aside.order_by("document_id", "number")
    ]


def _duplicates(batch_id: int) -> list[dict]:
    docs = Document.objects.filter(batch_id=batch_id, duplicate_of__isnull=False).select_related("duplicate_of")
    return [
        {"file": d.name, "document_id": d.id,
         "same_as": {"document_id": d.duplicate_of_id, "file": d.duplicate_of.name,
                     "batch_id": d.duplicate_of.batch_id}}
        for d in docs.order_by("id")
    ]


def _rescans(batch_id: int) -> list[dict]:
    from records.models import Report  # records sits beside ingest on the data floor and imports it

    reports = (Report.objects.filter(page__document__batch_id=batch_id, rescan_of__isnull=False)
               .select_related("page__document", "rescan_of__page__document").order_by("page_id"))
    return [
        {"file": r.page.document.name, "page": r.page.number, "report_id": r.id,
         "rescan_of": {"report_id": r.rescan_of_id, "file": r.rescan_of.page.document.name,
                       "page": r.rescan_of.page.number, "batch_id": r.rescan_of.page.document.batch_id}}
        for r in reports
    ]
