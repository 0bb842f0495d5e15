"""Review pages over HTTP: roles, CSRF, one round trip per item, crops, export, the catalog admin."""
from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image, ImageDraw

from ingest.models import Batch
from records import review
from records.models import Correction, Field
from tests.review_data import import_corpus_catalog, make_page, store_corpus
from web.roles import ADMIN, ARCHIVE, REVIEWER, assign

pytestmark = pytest.mark.django_db
NUMBERS = 3  # the corpus page whose arithmetic puts numbers in review


def client_for(role: str | None, *, csrf: bool = False) -> Client:
    user = get_user_model().objects.create_user(f"user-{role}")  # no password: force_login, no hashing cost
    if role:
        assign(user, role)
    client = Client(enforce_csrf_checks=csrf)
    client.user = user
    client.force_login(user)
    return client


@pytest.fixture
def report():
    import_corpus_catalog()
    return store_corpus(NUMBERS, make_page())


def _waiting(report) -> list[Field]:
    return list(review.queue())


def test_every_review_page_needs_login(client, report):
    field = _waiting(report)[0]
    for url in ("/review/", f"/review/field/{field.pk}/", f"/review/field/{field.pk}/crop.jpg",
                f"/review/report/{report.pk}/", "/review/export/?format=csv", "/review/next/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.post(f"/review/field/{field.pk}/", {"action": "accept"}).status_code == 302
    assert not Correction.objects.exists()


def test_roles_decide_who_reviews(report):
    field = _waiting(report)[0]
    archive, nobody = client_for(ARCHIVE), client_for(None)
    Batch.objects.filter(pk=report.page.document.batch_id).update(uploaded_by=archive.user)  # their own batch
    for c in (archive, nobody):
        assert c.get("/review/").status_code == 403
        assert c.get(f"/review/field/{field.pk}/").status_code == 403
        assert c.post(f"/review/field/{field.pk}/", {"action": "accept"}).status_code == 403
    assert archive.get(f"/review/report/{report.pk}/").status_code == 200  # read-only, from the batch pages
    assert archive.get("/review/export/?format=jsonl").status_code == 200
    assert nobody.get("/review/export/?format=jsonl").status_code == 403
    assert client_for(ADMIN).get("/review/").status_code == 200
    assert not Correction.objects.exists()


def test_queue_lists_riskiest_first_and_get_changes_nothing(report):
    c = client_for(REVIEWER)
    items = _waiting(report)
    html = c.get("/review/").content.decode()
    assert html.index(f"/review/field/{items[0].pk}/") < html.index(f"/review/field/{items[-1].pk}/")
    page = c.get(f"/review/field/{items[0].pk}/").content.decode()
    assert items[0].path in page and 'name="csrfmiddlewaretoken"' in page
    assert c.get(f"/review/next/?after={items[0].pk}").status_code == 302
    assert not Correction.objects.exists() and len(_waiting(report)) == len(items)


def test_a_post_without_csrf_token_is_refused(report):
    field = _waiting(report)[0]
    response = client_for(REVIEWER, csrf=True).post(f"/review/field/{field.pk}/", {"action": "accept"})
    assert response.status_code == 403 and not Correction.objects.exists()


def test_one_round_trip_answers_with_the_next_item(report):
    c = client_for(REVIEWER)
    first, second = _waiting(report)[:2]
    response = c.post(f"/review/field/{first.pk}/?year={report.ejercicio}", {"action": "set", "value": "1,234"},
                      HTTP_X_FOLIO_FRAGMENT="1")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section") and f'data-field="{second.pk}"' in body
    assert response["X-Folio-Url"] == f"/review/field/{second.pk}/?year={report.ejercicio}"
    first.refresh_from_db()
    assert first.status == "corrected" and first.value == (1234 if review.value_kind(first) == "number" else "1,234")
    # without the page's script: the same decision redirects to the next item
    response = c.post(f"/review/field/{second.pk}/", {"action": "accept"})
    assert response.status_code == 302 and "/review/field/" in response["Location"]
    assert Correction.objects.count() == 2


def test_a_bad_number_is_refused_with_a_reason(report):
    c = client_for(REVIEWER)
    field = next(f for f in _waiting(report) if review.value_kind(f) == review.NUMBER)
    response = c.post(f"/review/field/{field.pk}/", {"action": "set", "value": "12x"}, HTTP_X_FOLIO_FRAGMENT="1")
    assert response.status_code == 400 and "no es un número" in response.content.decode()
    response = c.post(f"/review/field/{field.pk}/", {"pick": "9"})
    assert response.status_code == 400
    assert not Correction.objects.exists()


def test_the_crop_is_the_box_on_the_stored_page_with_context(report, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page_image = Image.new("RGB", (2000, 1000), "white")
    ImageDraw.Draw(page_image).rectangle((1000, 500, 1039, 529), fill="black")
    buf = io.BytesIO()
    page_image.save(buf, "JPEG")
    report.page.image = default_storage.save("pages/test.jpg", ContentFile(buf.getvalue()))
    report.page.save()
    field = _waiting(report)[0]
    field.bbox = [1000, 500, 1040, 530]
    field.save()
    response = client_for(REVIEWER).get(f"/review/field/{field.pk}/crop.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    crop = Image.open(io.BytesIO(response.content)).convert("L")
    left, top, right, bottom = (1000 - 90, 500 - 36, 1040 + 90, 530 + 36)
    assert crop.size == (right - left, bottom - top)
    inside = crop.getpixel((1020 - left, 515 - top))
    outside = crop.getpixel((5, 5))
    assert inside < 60 and outside > 200  # the printed mark sits in the middle, page around it


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export_of_a_filter(report, fmt):
    from openpyxl import load_workbook

    other = store_corpus(0, make_page(name="otro.pdf"))
    c = client_for(REVIEWER)
    response = c.get(f"/review/export/?format={fmt}&unidad={report.unidad_code}")
    assert response.status_code == 200 and f"unidad{report.unidad_code}" in response["Content-Disposition"]
    n_rows = len(report.data["rows"])
    body = response.getvalue()  # streamed (web/exports.py)
    if fmt == "jsonl":
        lines = [json.loads(x) for x in body.decode().splitlines()]
        assert [x["source"]["file"] for x in lines] == [report.source["file"]] and "fields" in lines[0]
    elif fmt == "csv":
        assert len(body.decode().strip().splitlines()) == 1 + n_rows
    else:
        book = load_workbook(io.BytesIO(body), read_only=True)
        assert book.sheetnames == ["rows", "fields"]
        assert sum(1 for _ in book["rows"].iter_rows()) == 1 + n_rows
        assert sum(1 for _ in book["fields"].iter_rows()) == 1 + report.fields.count()
    everything = c.get(f"/review/export/?format={fmt}")
    assert len(everything.getvalue()) > len(body) and other.unidad_code != report.unidad_code
    assert c.get("/review/export/?format=pdf").status_code == 400


def test_catalog_admin_exports_and_merges_csv_keeping_learned_aliases(report):
    from reconcile.models import CatalogEntry

    entry = CatalogEntry.objects.filter(kind="persona").first()
    entry.aliases = ["UNA GRAFIA APRENDIDA"]
    entry.save()
    admin = client_for(ADMIN)
    exported = admin.get("/admin/reconcile/catalogentry/export-csv/")
    assert exported.status_code == 200 and "UNA GRAFIA APRENDIDA" in exported.content.decode()
    header = exported.content.decode().splitlines()[0]
    csv_text = f"{header}\nunidad_medida,,CAJAS NUEVAS,,,,,\n"
    upload = ContentFile(csv_text.encode(), name="more.csv")
    response = admin.post("/admin/reconcile/catalogentry/import-csv/", {"file": upload, "mode": "merge"})
    assert response.status_code == 302
    assert CatalogEntry.objects.filter(name="CAJAS NUEVAS").exists()
    entry.refresh_from_db()
    assert entry.aliases == ["UNA GRAFIA APRENDIDA"]  # merging never drops what reviewers taught
    bad = ContentFile(b"kind,name\nramo,X\n", name="bad.csv")
    response = admin.post("/admin/reconcile/catalogentry/import-csv/", {"file": bad, "mode": "replace"})
    assert response.status_code == 200 and "missing column" in response.content.decode()
    reviewer = client_for(REVIEWER)
    for url in ("/admin/reconcile/catalogentry/export-csv/", "/admin/reconcile/catalogentry/import-csv/"):
        response = reviewer.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
