"""What each signed-in person may see: one rule, used by every page, the API, images and exports.

- Reviewers and administrators see every batch and record (reviewing is archive-wide work).
- Archive staff see the batches they uploaded (``Batch.uploaded_by``), and the documents, pages, records,
  images and exports of those batches only. Batches from the command line, the watch folder or backfill have no
  uploader: only reviewers and administrators see them.
- Anyone else sees nothing.

Role checks (web.roles, folio.api.permissions) still come first and answer 403 for a page the role never
opens, whatever the id. Inside a role's pages an object out of the person's scope answers 404, exactly like
an id that does not exist, so ids cannot be probed. Lists are filtered by the same querysets.
See docs/security.md.
"""
from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404

from ingest.models import Batch
from records.models import Field, Report
from web.roles import ADMIN, ARCHIVE, REVIEWER, roles_of


def sees_everything(user) -> bool:
    return bool(roles_of(user) & {REVIEWER, ADMIN})


def _scoped(user, qs: QuerySet, uploader: str) -> QuerySet:
    """The rule itself: everything, the objects whose batch ``user`` uploaded (``uploader`` is the lookup
    from the object to its batch's uploader), or nothing."""
    if sees_everything(user):
        return qs
    if ARCHIVE in roles_of(user):
        return qs.filter(**{uploader: user})
    return qs.none()


def batches(user, qs: QuerySet | None = None) -> QuerySet:
    """The batches ``user`` may see, out of ``qs`` (all batches by default)."""
    return _scoped(user, Batch.objects.all() if qs is None else qs, "uploaded_by")


def reports(user, qs: QuerySet | None = None) -> QuerySet:
    """The records ``user`` may see: every one, or those of the batches they uploaded."""
    qs = _scoped(user, Report.objects.all() if qs is None else qs, "page__document__batch__uploaded_by")
    return qs if sees_everything(user) else _hiding_foreign_rescans(qs, user)


class _ForeignRescansHidden(ModelIterable):
    """Records whose ``rescan_of`` lies in a batch the reader may not see come out unlinked (in memory only):
    the record, the API and the exports then never name the other file, page, sha256 or record id. The
    re-scan stays flagged in ``needs_review``; the batch page says "(registro de otro lote)" (redact_progress)."""

    def __iter__(self):
        for report in super().__iter__():
            if report.rescan_of_id is not None and report.folio_rescan_owner != report.folio_reader:
                report.rescan_of = None  # never saved: these objects are read, not written, by archive staff
            yield report


def _hiding_foreign_rescans(qs: QuerySet, user) -> QuerySet:
    qs = qs.annotate(folio_rescan_owner=F("rescan_of__page__document__batch__uploaded_by"),
                     folio_reader=F("page__document__batch__uploaded_by"))
    qs._iterable_class = _ForeignRescansHidden
    return qs


def fields(user, qs: QuerySet | None = None) -> QuerySet:
    """The fields of the records ``user`` may see."""
    return _scoped(user, Field.objects.all() if qs is None else qs, "report__page__document__batch__uploaded_by")


def batch_or_404(user, batch_id) -> Batch:
    """The batch, if ``user`` may see it; 404 otherwise, the same as for an id that does not exist."""
    batch = batches(user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404(f"no batch {batch_id}")
    return batch


def redact_progress(user, progress: dict) -> dict:
    """A batch's progress as ``user`` may read it: a duplicate or re-scan of a file held in a batch they may not
    see says that the bytes (or the report) are held, not which file or batch holds them."""
    if sees_everything(user):
        return progress
    visible = set(batches(user).values_list("pk", flat=True))
    for d in progress.get("duplicates", []):
        same = d.get("same_as") or {}
        if same.get("batch_id") not in visible:
            d["same_as"] = {"document_id": None, "file": "(archivo de otro lote)", "batch_id": None}
    for r in progress.get("rescans", []):
        held = r.get("rescan_of") or {}
        if held.get("batch_id") not in visible:
            r["rescan_of"] = {"report_id": None, "file": "(registro de otro lote)", "page": None, "batch_id": None}
    return progress
