"""Helpers for the tests of the web entrances (API, pages, watch folder, completeness).

Users with a role, and stored reports made directly as rows (no OCR), so only
the tests that must read a real page pay for one.
"""
from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model

from ingest.models import Batch, Document, Page
from records.models import Field, Report
from web.roles import assign

def make_user(name: str, role: str | None = None):
    """A user with no password (tests sign in with force_login: hashing a password costs half a second)."""
    user = get_user_model().objects.create_user(name)
    if role:
        assign(user, role)
    return user


def make_report(*, batch: Batch | None = None, year: int = 2031, quarter: int | None = 1, ramo: str = "71",
                unidad: str = "71102", file: str = "scan.pdf", page: int = 1, content: bytes | None = None,
                report_type: str = "avance_programatico", uploaded_by=None) -> Report:
    """A stored record as the pipeline would leave it, with one field, for a made-up unidad.

    ``uploaded_by``: the new batch's uploader (archive staff see only their own batches)."""
    batch = batch or Batch.objects.create(name="made", uploaded_by=uploaded_by)
    content = content if content is not None else f"{file}:{page}:{year}:{quarter}:{unidad}:{batch.id}".encode()
    sha = hashlib.sha256(content).hexdigest()
    doc = Document.objects.filter(batch=batch, sha256=sha).first() or Document.objects.create(
        batch=batch, name=file, sha256=sha, original=f"originals/{sha[:2]}/{sha}", size=len(content), kind="pdf",
        page_count=page)
    pg = Page.objects.create(document=doc, number=page, state=Page.State.DONE)
    data = {"report_type": report_type, "formato": None, "ayuntamiento": "XL", "ejercicio": year,
            "trimestre": quarter, "ramo": {"code": ramo, "name": "RAMO DE PRUEBA"},
            "unidad_ejecutora": {"code": unidad, "name": "UNIDAD DE PRUEBA"}, "rows": [], "signatarios": []}
    report = Report.objects.create(page=pg, report_type=report_type, ejercicio=year, trimestre=quarter,
                                   ramo_code=ramo, unidad_code=unidad, data=data,
                                   source={"file": file, "page": page, "sha256": sha}, needs_review=["ramo"])
    Field.objects.create(report=report, path="ramo", value=data["ramo"], raw=ramo, confidence=0.5,
                         status=Field.Status.NEEDS_REVIEW, page_number=page)
    return report
