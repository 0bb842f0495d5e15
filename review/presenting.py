"""What the review templates show, prepared from the stored fields (no decisions are made here)."""
from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from ingest.models import Batch
from records import review
from records.models import Field, Report

MAX_CANDIDATES = 9  # keys 1-9
STATUS_LABELS = {"auto": "aceptado", "needs_review": "por revisar", "corrected": "corregido"}


def shown(value: Any) -> str:
    """A value as text: nothing as empty, lists and rows as JSON."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def item_context(field: Field, flt: review.QueueFilter, *, notice: str = "", error: str = "") -> dict:
    report = field.report
    page = report.page
    waiting = field.status == Field.Status.NEEDS_REVIEW
    checks = list(field.checks or ())
    return {
        "field": field, "report": report, "page": page, "document": page.document, "flt": flt,
        "status_label": STATUS_LABELS.get(field.status, field.status),
        "kind": review.value_kind(field), "current": shown(field.value),
        "candidates": [
            {"n": i + 1, "value": shown(c.get("value")), "score": c.get("score")}
            for i, c in enumerate((field.candidates or [])[:MAX_CANDIDATES])
        ],
        "failed": [c for c in checks if not c.get("ok", True)],
        "passed": [c for c in checks if c.get("ok", True)],
        "offer": review.alias_offer(field),
        "history": field.corrections.select_related("user").order_by("-at", "-id"),
        "crop": bool(field.bbox and page.image),
        "page_url": reverse("review:report", args=[report.pk]) + f"?field={field.pk}",
        "total": flt.fields().count(),
        "position": review.position(flt, field) if waiting else None,
        "notice": notice, "error": error,
    }


def page_boxes(fields: list[Field]) -> list[dict]:
    """Every field that has a box on the page, for the overlay; larger boxes first, so a row or a list
    never covers the cells inside it (what is drawn last is on top and takes the click)."""
    out = []
    for f in fields:
        if not f.bbox or len(f.bbox) != 4:
            continue
        x0, y0, x1, y1 = (int(v) for v in f.bbox)
        out.append({"field": f, "x": x0, "y": y0, "w": max(1, x1 - x0), "h": max(1, y1 - y0),
                    "label": f"{f.path}: {shown(f.value)}"[:200]})
    return sorted(out, key=lambda b: -b["w"] * b["h"])


def record_rows(fields: list[Field]) -> list[dict]:
    """The record beside the page: one line per field, in the record's order."""
    return [{"field": f, "value": shown(f.value), "label": STATUS_LABELS.get(f.status, f.status)} for f in fields]


def queue_choices() -> dict:
    """What the queue's filters can be set to: values that stored reports actually carry."""
    reports = Report.objects.all()
    return {
        "batches": Batch.objects.filter(documents__pages__report__isnull=False).distinct().order_by("-id")[:200],
        "ramos": sorted(c for c in reports.values_list("ramo_code", flat=True).distinct() if c),
        "unidades": sorted(c for c in reports.values_list("unidad_code", flat=True).distinct() if c),
        "years": sorted((y for y in reports.values_list("ejercicio", flat=True).distinct() if y), reverse=True),
    }
