"""Store a pipeline result as a Report with its Fields; never overwrite a correction."""
from __future__ import annotations

from django.db import transaction

from ingest.models import Page
from reconcile.paths import split
from reconcile.types import ReportRecord
from records.models import Field, Report


def set_path(data: dict, path: str, value) -> None:
    """Put ``value`` at ``path`` in a record's data; KeyError/IndexError/TypeError where it has no such place."""
    parts = split(path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def report_columns(data: dict) -> dict:
    """The Report columns copied out of its data, for filtering (kept in step by every writer)."""
    return dict(
        report_type=data.get("report_type") or "",
        ejercicio=data.get("ejercicio") if isinstance(data.get("ejercicio"), int) else None,
        trimestre=data.get("trimestre") if isinstance(data.get("trimestre"), int) else None,
        ramo_code=(data.get("ramo") or {}).get("code") or "",
        unidad_code=(data.get("unidad_ejecutora") or {}).get("code") or "",
    )


@transaction.atomic
def store_record(page: Page, record: ReportRecord) -> Report:
    """Upsert the page's report. Re-running a page gives the same record and keeps
    every field a reviewer corrected (value and status)."""
    data = record.data
    corrected = {}
    report = Report.objects.filter(page=page).first()
    if report is not None:
        corrected = {f.path: f for f in report.fields.filter(status=Field.Status.CORRECTED)}
    for path, f in corrected.items():
        try:
            set_path(data, path, f.value)
        except (KeyError, IndexError, TypeError):
            pass  # the re-read record no longer has that path; the correction stays in the audit
    needs_review = [p for p in record.needs_review if p not in corrected]
    values = dict(report_columns(data), data=data, source=record.source, needs_review=needs_review)
    report, _ = Report.objects.update_or_create(page=page, defaults=values)
    keep = set()
    for path, fr in record.fields.items():
        keep.add(path)
        if path in corrected:
            continue
        evidence = fr.to_json()
        Field.objects.update_or_create(
            report=report,
            path=path,
            defaults=dict(
                value=fr.value,
                raw=fr.raw,
                confidence=float(fr.confidence),
                status=fr.status,
                candidates=evidence["candidates"],
                checks=evidence["checks"],
                page_number=fr.page,
                bbox=list(fr.bbox) if fr.bbox else None,
                failed_checks=sum(1 for c in fr.checks if not c.ok),
            ),
        )
    report.fields.exclude(path__in=keep).exclude(status=Field.Status.CORRECTED).delete()
    return report


def export_json(report: Report) -> dict:
    """The record in the contract's export shape."""
    out = {"source": report.source}
    out.update(report.data)
    out["review"] = {"needs_review": list(report.needs_review)}
    if report.rescan_of_id:  # a second scan of a report already held (records/rescans.py)
        out["review"]["rescan_of"] = report.rescan_of.source
    out["fields"] = {
        f.path: {
            "raw": f.raw,
            "value": f.value,
            "confidence": f.confidence,
            "status": f.status,
            "candidates": f.candidates,
            "checks": f.checks,
            "page": f.page_number,
            "bbox": f.bbox,
        }
        for f in report.fields.order_by("id")
    }
    return out

