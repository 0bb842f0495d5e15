"""Storing a record: upsert, corrections survive re-processing, export in the contract shape."""
import copy

import pytest

from ingest.models import Batch, Document, Page
from reconcile.types import CheckResult, FieldResult, ReportRecord
from records.models import Correction, Field
from records.store import export_json, store_record


def _record(alcanzado=13, needs=("rows[0].trimestres[0].alcanzado",)):
    data = {
        "report_type": "avance_programatico", "ejercicio": 2023, "trimestre": 1,
        "ramo": {"code": "7", "name": "RAMO"}, "unidad_ejecutora": {"code": "701", "name": "U"},
        "rows": [{"meta_anual": 52, "trimestres": [{"programado": 13, "alcanzado": alcanzado}]}],
    }
    fields = {
        "ramo.code": FieldResult(value="7", raw="7", confidence=0.99, status="auto"),
        "rows[0].trimestres[0].alcanzado": FieldResult(
            value=alcanzado, raw=str(alcanzado), confidence=0.5, status="needs_review",
            checks=(CheckResult("absoluto_equals_sum", False),), page=1, bbox=(1, 2, 3, 4)),
    }
    return ReportRecord(data=data, fields=fields, needs_review=list(needs),
                        source={"file": "f.pdf", "page": 1, "sha256": "ab"})


@pytest.fixture
def page(db):
    batch = Batch.objects.create(name="b")
    doc = Document.objects.create(batch=batch, name="f.pdf", sha256="ab", original="x", size=1, kind="pdf",
                                  page_count=1)
    return Page.objects.create(document=doc, number=1)


def test_export_has_the_contract_keys(page):
    report = store_record(page, _record())
    out = export_json(report)
    assert out["source"] == {"file": "f.pdf", "page": 1, "sha256": "ab"}
    assert out["review"]["needs_review"] == ["rows[0].trimestres[0].alcanzado"]
    f = out["fields"]["rows[0].trimestres[0].alcanzado"]
    assert f["status"] == "needs_review" and f["bbox"] == [1, 2, 3, 4] and f["checks"][0]["ok"] is False
    assert out["rows"][0]["trimestres"][0]["alcanzado"] == 13


def test_rerun_upserts_and_never_overwrites_a_correction(page):
    report = store_record(page, _record())
    field = report.fields.get(path="rows[0].trimestres[0].alcanzado")
    Correction.objects.create(field=field, old_value=13, new_value=14, reason="scan says 14")
    field.value, field.status = 14, Field.Status.CORRECTED
    field.save()
    report.data["rows"][0]["trimestres"][0]["alcanzado"] = 14
    report.needs_review = []
    report.save()

    again = store_record(page, _record(alcanzado=13))
    assert again.pk == report.pk
    assert again.fields.count() == 2
    kept = again.fields.get(path="rows[0].trimestres[0].alcanzado")
    assert kept.status == Field.Status.CORRECTED and kept.value == 14
    assert again.data["rows"][0]["trimestres"][0]["alcanzado"] == 14
    assert "rows[0].trimestres[0].alcanzado" not in again.needs_review
    assert Correction.objects.count() == 1


def test_csv_marks_only_the_rows_under_review(page):
    import csv
    import io

    from records.export import write_export

    rec = _record(needs=("rows[12].meta_anual",))
    rec.data["rows"] = [dict(rec.data["rows"][0]) for _ in range(13)]
    report = store_record(page, rec)
    buf = io.StringIO()
    write_export([report], "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [r["row"] for r in rows if r["needs_review"]] == ["12"]
