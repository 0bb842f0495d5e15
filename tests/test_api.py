"""The JSON API: who may call what, uploads that lose nothing, records and exports, the OpenAPI copy."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from folio import web_commands
from ingest.models import Batch, Document, Page
from records.store import export_json
from webdata import make_report, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def bad_files():
    """Files that only exercise the submission path: each must end as a FAILED page with its reason."""
    return [SimpleUploadedFile("vacío.png", b""), SimpleUploadedFile("carta.pdf", b"<html>not a pdf</html>")]


def signed_in(role: str | None, name: str | None = None) -> Client:
    client = Client()
    client.user = make_user(name or f"u-{role}", role)
    client.force_login(client.user)
    return client


ENDPOINTS = ["/api/batches", "/api/batches/1", "/api/batches/1/export?format=csv", "/api/records",
             "/api/records/1", "/api/completeness?year=2031", "/api/schema/"]


def test_anonymous_gets_json_401_never_a_login_redirect(client):
    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Token"), url
    response = client.post("/api/batches", {"files": bad_files()})
    assert response.status_code == 401 and "detail" in response.json()
    assert Document.objects.count() == 0


def test_roles_open_their_part_of_the_api():
    archive, reviewer, nobody = signed_in("archive"), signed_in("reviewer"), signed_in(None, "nobody")
    report = make_report(uploaded_by=archive.user)  # archive staff see the batches they uploaded
    batch_id = report.page.document.batch_id
    batch_urls = ["/api/batches", f"/api/batches/{batch_id}"]
    record_urls = ["/api/records", f"/api/records/{report.id}", f"/api/batches/{batch_id}/export?format=jsonl",
                   "/api/completeness?year=2031"]
    for url in batch_urls + record_urls:
        assert archive.get(url).status_code == 200, url
        assert nobody.get(url).status_code == 403, url
    for url in record_urls:
        assert reviewer.get(url).status_code == 200, url
    for url in batch_urls:
        assert reviewer.get(url).status_code == 403, url
    assert reviewer.post("/api/batches", {"files": bad_files()}).status_code == 403
    assert Document.objects.count() == 1  # the made report's only


def test_token_for_scripts_and_rotation(capsys):
    make_user("script", "archive")

    class Args:
        username, rotate = "script", False

    assert web_commands.cmd_token(Args) == 0
    key = capsys.readouterr().out.strip()
    client = Client()
    assert client.get("/api/batches", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/batches", HTTP_AUTHORIZATION="Token not-a-key").status_code == 401
    Args.rotate = True
    assert web_commands.cmd_token(Args) == 0
    new = capsys.readouterr().out.strip()
    assert new != key
    assert client.get("/api/batches", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    Args.username = "nobody-here"
    assert web_commands.cmd_token(Args) == 2


def test_session_upload_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("clerk", "archive"))
    assert client.post("/api/batches", {"files": bad_files()}).status_code == 403
    assert Document.objects.count() == 0
    client.get("/upload/")  # the page sets the CSRF cookie its script sends back
    token = client.cookies["csrftoken"].value
    response = client.post("/api/batches", {"files": bad_files()}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_bad_files_are_kept_and_fail_with_their_reason():
    client = signed_in("archive")
    response = client.post("/api/batches", {"files": bad_files(), "name": "lunes"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "lunes" and body["rejected"] == 2 and body["queued"] == 0
    assert [d["file"] for d in body["documents"]] == ["vacío.png", "carta.pdf"]
    for doc in body["documents"]:
        assert doc["error"].startswith(doc["file"])  # the reason names the file
        assert default_storage.exists(Document.objects.get(pk=doc["id"]).original)  # the original is kept
    progress = client.get(body["progress"]).json()
    assert progress["failed"] == 2 and progress["finished"]
    assert {(f["file"], f["page"]) for f in progress["failures"]} == {("vacío.png", 1), ("carta.pdf", 1)}
    assert all(f["error"] for f in progress["failures"])


def test_upload_without_files_or_with_too_many_is_refused_in_json(settings):
    client = signed_in("archive")
    response = client.post("/api/batches", {"name": "nada"})
    assert response.status_code == 400 and "files" in response.json()
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = settings.FOLIO_MAX_UPLOAD_FILES = 2
    files = [SimpleUploadedFile(f"f{i}.png", b"x") for i in range(3)]
    response = client.post("/api/batches", {"files": files})
    assert response.status_code == 400 and "more than 2 files" in response.json()["detail"]
    session = Client(enforce_csrf_checks=True)  # the page's script: the CSRF check reads the body first
    session.force_login(make_user("clerk", "archive"))
    session.get("/upload/")
    files = [SimpleUploadedFile(f"f{i}.png", b"x") for i in range(3)]
    response = session.post("/api/batches", {"files": files}, HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value)
    assert response.status_code == 400 and "more than 2 files" in response.json()["detail"]
    assert Batch.objects.count() == 0


def test_batches_list_counts_pages_per_state():
    client = signed_in("archive")
    old = client.post("/api/batches", {"files": bad_files()}).json()["batch_id"]
    made = make_report(uploaded_by=client.user).page.document.batch_id
    rows = client.get("/api/batches").json()["results"]
    assert [r["batch_id"] for r in rows] == [made, old]  # newest first
    assert (rows[0]["done"], rows[0]["total"], rows[0]["finished"]) == (1, 1, True)
    assert (rows[1]["failed"], rows[1]["queued"]) == (2, 0)
    assert client.get("/api/batches/999999").status_code == 404


def test_records_filter_and_detail_give_the_contract_record():
    a = make_report(year=2031, quarter=1, ramo="71", unidad="71102")
    b = make_report(year=2031, quarter=2, ramo="71", unidad="71103")
    c = make_report(year=2032, quarter=1, ramo="72", unidad="72101")
    client = signed_in("reviewer")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/records{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids("") == [a.id, b.id, c.id]
    assert ids("?year=2031") == [a.id, b.id]
    assert ids("?year=2031&quarter=2") == [b.id]
    assert ids("?ramo=72") == [c.id]
    assert ids("?unidad=71102") == [a.id]
    assert ids(f"?batch={c.page.document.batch_id}") == [c.id]
    assert client.get("/api/records?year=dos-mil").status_code == 400
    assert client.get("/api/records?quarter=5").status_code == 400
    one = client.get(f"/api/records/{a.id}").json()
    assert one["record"] == export_json(a)
    assert one["record"]["review"]["needs_review"] == ["ramo"] and "ramo" in one["record"]["fields"]
    assert client.get("/api/records/999999").status_code == 404


def test_batch_export_jsonl_and_csv():
    report = make_report()
    batch_id = report.page.document.batch_id
    client = signed_in("reviewer")
    response = client.get(f"/api/batches/{batch_id}/export?format=jsonl")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    assert response.streaming  # a record at a time as the database is read, never the archive in memory
    lines = response.getvalue().decode().splitlines()  # streamed (web/exports.py)
    assert [json.loads(line) for line in lines] == [export_json(report)]
    response = client.get(f"/api/batches/{batch_id}/export?format=csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.getvalue().decode())))
    assert header[:3] == ["file", "page", "report_type"]
    response = client.get(f"/api/batches/{batch_id}/export?format=xlsx")
    assert response.status_code == 200 and response.getvalue()[:2] == b"PK"  # a zip: the workbook
    assert client.get(f"/api/batches/{batch_id}/export?format=doc").status_code == 400
    assert client.get("/api/batches/999999/export?format=csv").status_code == 404


def test_completeness_endpoint_checks_the_year():
    client = signed_in("archive")
    assert client.get("/api/completeness").status_code == 400
    assert client.get("/api/completeness?year=veinte").status_code == 400
    body = client.get("/api/completeness?year=2031").json()
    assert body["year"] == 2031 and body["units"] == []


def test_committed_openapi_equals_the_generated_one(tmp_path):
    """docs/openapi.yaml is what the code describes (regenerate it as the message says; docs/api.md)."""
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    committed = (ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == out.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is stale: regenerate it with "
        "`.venv/bin/python manage.py spectacular --file docs/openapi.yaml`")
    paths = set(yaml.safe_load(committed)["paths"])
    assert {"/api/batches", "/api/batches/{batch_id}", "/api/batches/{batch_id}/export", "/api/records",
            "/api/records/{record_id}", "/api/completeness"} <= paths


@pytest.fixture(scope="session")
def one_scan(tmp_path_factory) -> Path:
    """One rendered progress-report page (clean300): the only real page these tests read."""
    from samples.generate import bundled_records, render_batch

    out = tmp_path_factory.mktemp("one-scan")
    render_batch(out, "clean300", 7, records=bundled_records()[:1])
    return next(p for p in sorted(out.iterdir()) if p.name != "truth.jsonl")


@pytest.mark.slow
def test_a_page_uploaded_through_the_api_gives_the_record_folio_run_gives(one_scan, tmp_path, settings,
                                                                          django_capture_on_commit_callbacks):
    """The API is one more entrance to the same pipeline: same page in, same record out as `folio run`."""
    from reconcile.catalog_db import import_csv

    catalog = ROOT / "samples" / "data" / "catalog.csv"
    import_csv(catalog)
    settings.FOLIO_QUEUE = "sync"  # pages run in this process when the upload commits
    client = signed_in("archive")
    with django_capture_on_commit_callbacks(execute=True):
        with open(one_scan, "rb") as fh:
            response = client.post("/api/batches", {"files": [SimpleUploadedFile(one_scan.name, fh.read())]})
    assert response.status_code == 201, response.content
    progress = client.get(response.json()["progress"]).json()
    assert (progress["done"], progress["total"], progress["finished"]) == (1, 1, True), progress
    records = client.get(progress["records"]).json()["results"]
    assert len(records) == 1

    export = tmp_path / "run.jsonl"
    env = {**os.environ, "FOLIO_HOME": str(tmp_path / "home"), "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run([sys.executable, "-m", "folio.cli", "run", str(one_scan), "--catalog", str(catalog),
                           "--export", str(export)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [r["record"] for r in records] == expected
    jsonl = client.get(f"/api/batches/{progress['batch_id']}/export?format=jsonl").getvalue().decode()
    assert [json.loads(line) for line in jsonl.splitlines()] == expected
