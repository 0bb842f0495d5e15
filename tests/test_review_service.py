"""Review service: queue order and filters, corrections with audit, reprocessing, learned aliases."""
from __future__ import annotations

import copy

import pytest
from django.contrib.auth import get_user_model

from records import review
from records.models import Correction, Field
from records.store import export_json, store_record
from reconcile.paths import get
from tests.review_data import corpus_raws, import_corpus_catalog, make_page, mixed_name, store_corpus, store_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("rev")


@pytest.fixture
def corpus():
    import_corpus_catalog()
    return corpus_raws()


def test_queue_is_riskiest_first_and_holds_only_waiting_fields(corpus):
    report = store_corpus(0, make_page())
    items = list(review.queue())
    assert items, "the corpus page has fields in review"
    assert all(f.status == Field.Status.NEEDS_REVIEW for f in items)
    assert len(items) == report.fields.filter(status="needs_review").count()
    keys = [(-f.failed_checks, f.confidence, f.id) for f in items]
    assert keys == sorted(keys)
    for f in items:
        assert f.failed_checks == sum(1 for c in f.checks if not c["ok"])


def test_next_item_walks_the_order_and_wraps(corpus):
    store_corpus(0, make_page())
    items = list(review.queue())
    assert review.next_item() == items[0]
    assert review.next_item(after=items[0]) == items[1]
    assert review.next_item(after=items[-1]) == items[0]  # skipped items come back
    assert review.position(review.QueueFilter(), items[2]) == 3


def test_filters_by_batch_ramo_unidad_and_year(corpus):
    a = store_corpus(0, make_page(name="a.pdf"))
    b = store_corpus(2, make_page(name="b.pdf"))
    assert a.unidad_code != b.unidad_code and a.ejercicio
    batch_a = a.page.document.batch_id
    both = {f.report_id for f in review.queue()}
    assert both == {a.id, b.id}
    assert {f.report_id for f in review.queue(review.QueueFilter(batch=batch_a))} == {a.id}
    assert {f.report_id for f in review.queue(review.QueueFilter(unidad=b.unidad_code))} == {b.id}
    assert {f.report_id for f in review.queue(review.QueueFilter(ramo=a.ramo_code, year=a.ejercicio))} == both
    assert not review.queue(review.QueueFilter(year=a.ejercicio + 1)).exists()
    flt = review.QueueFilter.from_query({"batch": str(batch_a), "year": "x", "ramo": " 52 "})
    assert flt == review.QueueFilter(batch=batch_a, ramo="52") and flt.as_params() == {"batch": str(batch_a), "ramo": "52"}


NUMBERS = 3  # the corpus page whose arithmetic puts numbers in review


def _number_in_review(report) -> Field:
    return next(f for f in report.fields.filter(status="needs_review").order_by("id")
                if review.value_kind(f) == review.NUMBER and f.value is not None)


def test_correction_keeps_audit_record_and_review_list_in_step(corpus, user):
    report = store_corpus(NUMBERS, make_page())
    field = _number_in_review(report)
    old = field.value
    outcome = review.apply_correction(field, user, old + 7, "escrito por el revisor")
    field.refresh_from_db()
    report.refresh_from_db()
    assert field.status == Field.Status.CORRECTED and field.value == old + 7
    audit = Correction.objects.get(field=field)
    assert (audit.user, audit.old_value, audit.new_value, audit.reason) == (user, old, old + 7, "escrito por el revisor")
    assert outcome.correction == audit and outcome.alias is None
    assert get(report.data, field.path) == old + 7
    assert field.path not in report.needs_review
    exported = export_json(report)
    assert get(exported, field.path) == old + 7 and exported["fields"][field.path]["status"] == "corrected"
    review.apply_correction(field, user, old, "otra vez")
    assert Correction.objects.filter(field=field).count() == 2  # append-only: every decision is kept


def test_reprocessing_never_overwrites_a_correction(corpus, user):
    page = make_page()
    report = store_corpus(NUMBERS, page)
    field = _number_in_review(report)
    review.apply_correction(field, user, 424242, "escrito")
    again = store_corpus(NUMBERS, page)
    kept = again.fields.get(path=field.path)
    assert kept.status == "corrected" and kept.value == 424242
    assert get(again.data, field.path) == 424242 and field.path not in again.needs_review


def test_a_flagged_parent_path_stays_while_a_leaf_under_it_waits(corpus, user):
    report = store_corpus(0, make_page())
    report.needs_review = ["rows[0]", "page_level_doubt"]
    report.save()
    leaves = list(report.fields.filter(path__startswith="rows[0].").order_by("id"))
    leaves[0].status = "needs_review"
    leaves[0].save()
    for f in leaves[1:]:
        f.status = "auto"
        f.save()
    review.apply_correction(leaves[1], user, leaves[1].value, "aceptado")
    report.refresh_from_db()
    assert report.needs_review == ["rows[0]", "page_level_doubt"]
    review.apply_correction(leaves[0], user, leaves[0].value, "aceptado")
    report.refresh_from_db()
    assert report.needs_review == ["page_level_doubt"]  # no field stands for it: it stays


def test_a_possibly_missing_row_is_accepted_as_absent_or_typed_in(user):
    from reconcile.types import CheckResult, FieldResult, ReportRecord

    data = {"report_type": "avance_programatico", "ejercicio": 2023, "rows": [{"number": "201"}]}
    missing = FieldResult(value=None, raw=None, confidence=0.0, status="needs_review",
                          checks=(CheckResult("rows_end_in_catalog", False, "a row may be missing"),))
    record = ReportRecord(data=data, fields={"rows[1]": missing}, needs_review=["rows[1]"])
    report = store_record(make_page(), record)
    field = report.fields.get(path="rows[1]")
    assert review.value_kind(field) == review.STRUCTURE
    review.apply_correction(field, user, None, "nada falta")
    report.refresh_from_db()
    assert len(report.data["rows"]) == 1 and report.needs_review == []
    review.apply_correction(field, user, review.parse_value(field, '{"number": "202"}'), "fila escrita")
    report.refresh_from_db()
    assert report.data["rows"][1] == {"number": "202"}


def test_typed_values_are_read_as_the_field_needs(corpus):
    report = store_corpus(NUMBERS, make_page())
    number = _number_in_review(report)
    assert review.parse_value(number, " 1,105 ") == 1105 and review.parse_value(number, "") is None
    with pytest.raises(review.CorrectionError):
        review.parse_value(number, "12a")
    text = report.fields.get(path="signatarios[0].nombre")
    assert review.parse_value(text, "  ANA   MARIA ") == "ANA MARIA"
    with pytest.raises(review.CorrectionError):
        review.candidate_value(text, len(text.candidates) + 1)


def _name_in_doubt(corpus):
    """The corpus page with its first signatory printed as a mix of two catalog people."""
    raw = copy.deepcopy(corpus[0])
    first = store_corpus(0, make_page(name="probe.pdf"))
    names = [get(first.data, f"signatarios[{i}].nombre") for i in range(len(first.data["signatarios"]))]
    other = next(n for n in names[1:] if n and n != names[0])
    raw.data["signatarios"][0]["nombre"] = "LIC. " + mixed_name(names[0], other)
    return raw


def test_a_kept_alias_is_catalog_data_and_the_matcher_uses_it(corpus, user):
    from reconcile.catalog_db import export_text
    from reconcile.models import CatalogEntry
    from reconcile.record import reconcile_record
    from worker.catalog import load_catalog

    raw = _name_in_doubt(corpus)
    report = store_raw(raw, make_page())
    field = report.fields.get(path="signatarios[0].nombre")
    assert field.status == "needs_review" and len(field.candidates) >= 2, field.candidates
    before = reconcile_record(copy.deepcopy(raw), load_catalog()).fields[field.path].value
    chosen = review.candidate_value(field, 2)
    assert chosen != before, "the test needs a choice the matcher would not make alone"
    assert review.alias_offer(field) == raw.data["signatarios"][0]["nombre"]

    outcome = review.apply_correction(field, user, chosen, "candidato 2", keep_alias=True)
    spelling = raw.data["signatarios"][0]["nombre"].removeprefix("LIC. ")
    assert outcome.alias == spelling and outcome.entry.name == chosen
    assert spelling in CatalogEntry.objects.get(pk=outcome.entry.pk).aliases
    assert spelling in Correction.objects.get(field=field).reason
    assert spelling in export_text()  # learned aliases travel with the catalog
    after = reconcile_record(copy.deepcopy(raw), load_catalog()).fields[field.path]
    assert after.value == chosen  # the next reading of that spelling names the entry taught

    again = review.apply_correction(field, user, chosen, "candidato 2", keep_alias=True)
    assert again.alias is None  # already known: nothing new to learn
    typed = review.apply_correction(field, user, "NADIE DEL CATALOGO", "escrito", keep_alias=True)
    assert typed.alias is None


def test_correcting_a_code_offers_the_printed_name_of_its_pair(corpus):
    report = store_corpus(0, make_page())
    code = report.fields.get(path="unidad_ejecutora.code")
    name = report.fields.get(path="unidad_ejecutora.name")
    assert review.alias_offer(code) == name.raw.strip()
    assert review.catalog_slot("rows[2].trimestres[0].alcanzado") is None
    assert review.catalog_slot("rows[2].number") == ("accion", "code", "rows[2].descripcion")
