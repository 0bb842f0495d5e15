"""Staff pages: upload (with and without script), batches, a batch's progress, archive completeness."""
from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ingest.models import Batch, Document
from reconcile.models import CatalogEntry
from webdata import make_report, make_user

pytestmark = pytest.mark.django_db
PAGES = ["/upload/", "/batches/", "/batches/1/", "/completeness/"]


def signed_in(role: str | None, **kwargs) -> Client:
    client = Client(**kwargs)
    client.user = make_user(f"u-{role}", role)
    client.force_login(client.user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_anonymous_people_are_sent_to_login(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_reviewers_see_completeness_but_not_uploads():
    Batch.objects.create(name="b")
    reviewer = signed_in("reviewer")
    for url in PAGES[:3]:
        assert reviewer.get(url).status_code == 403, url
    assert reviewer.post("/upload/", {"files": [SimpleUploadedFile("a.pdf", b"")]}).status_code == 403
    assert Document.objects.count() == 0
    assert reviewer.get("/completeness/").status_code == 200
    assert signed_in(None).get("/completeness/").status_code == 403


def test_archive_staff_land_on_batches_and_see_their_links():
    client = signed_in("archive")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/batches/"
    page = text(client.get("/batches/"))
    for href in ('href="/upload/"', 'href="/batches/"', 'href="/completeness/"'):
        assert href in page


def test_upload_page_has_drop_zone_many_files_progress_and_csrf():
    page = text(signed_in("archive").get("/upload/"))
    assert 'id="drop"' in page and 'type="file" name="files" multiple' in page
    assert 'id="progress"' in page and 'data-api="/api/batches"' in page
    assert 'name="csrfmiddlewaretoken"' in page and 'enctype="multipart/form-data"' in page
    assert "web/upload.js" in page
    script = open(finders.find("web/upload.js"), encoding="utf-8").read()
    assert "upload.addEventListener(\"progress\"" in script and "X-CSRFToken" in script
    assert finders.find("web/batch.js")


def test_upload_without_script_posts_here_and_lands_on_the_batch():
    client = signed_in("archive", enforce_csrf_checks=True)
    files = [SimpleUploadedFile("vacío.pdf", b""), SimpleUploadedFile("carta.jpg", b"<html></html>")]
    assert client.post("/upload/", {"files": files}).status_code == 403  # no CSRF token, no batch
    assert Batch.objects.count() == 0
    client.get("/upload/")
    token = client.cookies["csrftoken"].value
    files = [SimpleUploadedFile("vacío.pdf", b""), SimpleUploadedFile("carta.jpg", b"<html></html>")]
    response = client.post("/upload/", {"files": files, "name": "martes", "csrfmiddlewaretoken": token},
                           follow=True)
    batch = Batch.objects.get()
    assert response.redirect_chain[-1][0] == f"/batches/{batch.id}/" and batch.name == "martes"
    page = text(response)
    assert "2 rechazado(s)" in page
    assert "vacío.pdf" in page and "empty" in page and "carta.jpg" in page  # failures with their reasons
    assert 'data-api="/api/batches/%d"' % batch.id in page and "web/batch.js" in page


def test_upload_with_no_file_or_too_many_says_so(settings):
    client = signed_in("archive")
    response = client.post("/upload/", {"name": "vacío"}, follow=True)
    assert "Elige uno o más archivos" in text(response) and Batch.objects.count() == 0
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = settings.FOLIO_MAX_UPLOAD_FILES = 2
    response = client.post("/upload/", {"files": [SimpleUploadedFile(f"f{i}.png", b"x") for i in range(3)]})
    assert response.status_code == 400 and "Más de 2 archivos en un envío" in text(response)
    assert Batch.objects.count() == 0


def test_batches_list_and_batch_page_show_counts_and_records():
    client = signed_in("archive")
    report = make_report(file="informe.pdf", uploaded_by=client.user)  # archive staff see their own batches
    batch = report.page.document.batch
    page = text(client.get("/batches/"))
    assert f'href="/batches/{batch.id}/"' in page and "made" in page and 'value="100"' in page
    page = text(client.get(f"/batches/{batch.id}/"))
    assert '<td data-count="done" class="state-done">1</td>' in page
    assert "Ninguna página ha fallado" in page and "informe.pdf" in page
    assert f'href="/review/report/{report.id}/"' in page  # the record over its page image
    assert f"/api/batches/{batch.id}/export?format=csv" in page
    assert client.get("/batches/999999/").status_code == 404
    assert client.post(f"/batches/{batch.id}/").status_code == 405  # pages change nothing


def test_completeness_page_marks_held_rescanned_and_missing():
    CatalogEntry.objects.create(kind="unidad_ejecutora", code="71101", name="UNIDAD UNO", parent="71")
    make_report(year=2031, quarter=1, unidad="71101", file="a.pdf")
    make_report(year=2031, quarter=2, unidad="71101", file="b.pdf")
    make_report(year=2031, quarter=2, unidad="71101", file="c.pdf")
    client = signed_in("archive")
    page = text(client.get("/completeness/"))  # the newest year is shown without asking
    assert 'value="2031"' in page and "UNIDAD UNO" in page
    states = re.findall(r'data-state="(\w+)"', page)
    assert states == ["held", "rescanned", "missing", "missing"]
    assert "1 recibidos" in page and "1 reescaneados" in page and "2 faltan" in page
    bad = text(client.get("/completeness/?year=dosmil"))
    assert "no es un año" in bad
