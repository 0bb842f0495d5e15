"""End to end in a real headless Chromium: a reviewer works the queue by keyboard on a real scanned page.

The page is a sample report rendered as an office scan and read by the real
pipeline (tests/review_data.py). The run writes its screenshots to bench/out/screenshots/
(untracked), or where ``FOLIO_SCREENSHOTS`` says (``FOLIO_SCREENSHOTS=docs/screenshots``
refreshes the ones docs/review.md shows), and the seconds-per-item figure to
bench/out/review-seconds.json.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import pytest

from records import review
from records.models import Correction, Field
from reconcile.paths import get
from web.roles import ADMIN, REVIEWER

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / os.environ.get("FOLIO_SCREENSHOTS", "bench/out/screenshots")  # never the tracked docs unless asked
SECONDS_OUT = ROOT / "bench" / "out" / "review-seconds.json"
SWAPPED = "id => { const r = document.querySelector('#review'); return r && r.dataset.field !== String(id); }"
CROP_READY = "() => { const i = document.querySelector('#crop'); return !i || (i.complete && i.naturalWidth > 0); }"


def _number_item(report) -> Field:
    items = [f for f in review.queue() if review.value_kind(f) == review.NUMBER and f.value is not None]
    assert items, "the rendered page has numbers in review (one row's target was made not to add up)"
    return items[0]


def _name_item(report) -> Field:
    field = report.fields.get(path="signatarios[0].nombre")
    assert field.status == "needs_review" and len(field.candidates) >= 2, (field.value, field.raw, field.candidates)
    return field


def _decide(page, field_id: int, *keys: str) -> None:
    """Press keys on the item showing ``field_id`` and wait for the next one to be in place."""
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_function(SWAPPED, arg=field_id)
    page.wait_for_function(CROP_READY)


def test_reviewer_corrects_by_keyboard_and_sees_record_and_audit(site, web_page, make_user, review_page):
    page, report = web_page, review_page
    make_user("rosa", REVIEWER)
    number, name = _number_item(report), _name_item(report)
    site.login(page, "rosa")
    assert page.url.endswith("/review/"), "a reviewer lands on the review queue"
    total = int(page.inner_text("#queue-total"))
    assert total == review.queue().count() > 2

    page.click(f"a[href^='/review/field/{number.pk}/']")
    page.wait_for_function(CROP_READY)
    assert page.inner_text("#review .path") == number.path
    typed = number.value + 10
    page.keyboard.type(str(typed))  # typing sets a value; Enter saves it
    _decide(page, number.pk, "Enter")
    assert "guardado" in page.inner_text("#review .notice")

    page.goto(site.url(f"/review/field/{name.pk}/"))
    page.wait_for_function(CROP_READY)
    assert page.locator("#review .candidates li").count() >= 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-item.png"), full_page=True)
    chosen = name.candidates[1]["value"]
    _decide(page, name.pk, "k", "2")  # K keeps the printed spelling as an alias, 2 picks the second candidate
    assert "variante" in page.inner_text("#review .notice")

    page.goto(site.url(f"/review/report/{report.pk}/?field={name.pk}"))
    page.wait_for_function("() => { const i = document.querySelector('svg image'); return !!i; }")
    row = page.locator(f"tr[data-path='{number.path}']")
    assert row.locator("td.value").inner_text() == str(typed) and "corregido" in row.inner_text()
    assert page.locator(f"tr[data-path='{name.path}'] td.value").inner_text() == chosen
    audit = page.locator("#audit tr")
    assert audit.count() == 3  # header + two decisions
    assert "rosa" in audit.nth(1).inner_text() and chosen in audit.nth(1).inner_text()
    assert str(number.value) in audit.nth(2).inner_text() and str(typed) in audit.nth(2).inner_text()
    page.wait_for_timeout(300)  # let the page image paint before the picture is taken
    page.screenshot(path=str(SHOTS / "review-page.png"))

    boxed = [f for f in review.queue() if f.bbox and f.report_id == report.pk]
    target = min(boxed, key=lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1])).pk
    page.click(f"svg a.box[data-field='{target}']")  # a click on a box opens its review
    page.wait_for_url(f"**/review/field/{target}/")

    report.refresh_from_db()
    assert get(report.data, number.path) == typed and get(report.data, name.path) == chosen
    assert number.path not in report.needs_review and name.path not in report.needs_review
    assert Correction.objects.filter(user__username="rosa").count() == 2
    from reconcile.models import CatalogEntry

    taught = CatalogEntry.objects.get(kind="persona", name=chosen, parent__in=[report.ramo_code, report.unidad_code])
    assert taught.aliases, "the printed spelling was kept as an alias of the chosen person"


def test_skip_escape_and_a_bad_number_change_nothing(site, web_page, make_user, review_page):
    page = web_page
    make_user("rosa", REVIEWER)
    number = _number_item(review_page)
    site.login(page, "rosa", next_path=f"/review/field/{number.pk}/")
    page.wait_for_function(CROP_READY)
    page.keyboard.type("12x")
    page.keyboard.press("Enter")
    page.wait_for_selector("#review .error")  # the same item comes back, with the reason
    assert page.locator("#review").get_attribute("data-field") == str(number.pk)
    assert "no es un número" in page.inner_text("#review .error")
    page.keyboard.type("99")
    page.keyboard.press("Escape")
    assert page.input_value("#value") == str(number.value)
    _decide(page, number.pk, "s")
    assert page.locator("#review").get_attribute("data-field") != str(number.pk)
    page.go_back()
    page.wait_for_function(f"() => document.querySelector('#review').dataset.field === '{number.pk}'")
    assert not Correction.objects.exists()


def test_a_reviewer_cannot_reach_the_admin_and_anonymous_goes_to_login(site, web_page, make_user, review_page):
    page = web_page
    page.goto(site.url(f"/review/report/{review_page.pk}/"))
    assert "/accounts/login/" in page.url and "next=" in page.url
    make_user("rosa", REVIEWER)
    site.login(page, "rosa")
    assert page.locator("header.top nav a", has_text="Administración").count() == 0
    page.goto(site.url("/admin/reconcile/catalogentry/"))
    assert "/admin/login/" in page.url
    assert page.locator("#result_list").count() == 0
    make_user("alba", ADMIN)
    page.context.clear_cookies()
    site.login(page, "alba", next_path="/admin/reconcile/catalogentry/")
    assert page.locator("#result_list").count() == 1 and page.locator("text=Import CSV").count() == 1


def test_seconds_per_item_for_a_keyboard_only_reviewer(site, web_page, make_user, review_page):
    """Enter to accept, or 1 to take the first candidate, item after item; the figure is written, not judged."""
    page = web_page
    make_user("rosa", REVIEWER)
    first = review.next_item()
    n = min(12, review.queue().count())
    site.login(page, "rosa", next_path=f"/review/field/{first.pk}/")
    page.wait_for_function(CROP_READY)
    seconds = []
    for _ in range(n):
        shown = int(page.locator("#review").get_attribute("data-field"))
        key = "1" if page.locator("#review .candidates li").count() else "Enter"
        started = time.perf_counter()
        _decide(page, shown, key)
        seconds.append(time.perf_counter() - started)
    assert Correction.objects.filter(user__username="rosa").count() == n
    assert review_page.fields.filter(status="corrected").count() == n
    figure = {
        "items": n, "seconds_total": round(sum(seconds), 3),
        "seconds_per_item_mean": round(sum(seconds) / n, 3), "seconds_per_item_median": round(statistics.median(seconds), 3),
        "what": "keyboard-only reviewer in headless Chromium: key press -> decision stored -> next item and its "
                "crop shown (no human think time); live server on this machine",
    }
    SECONDS_OUT.parent.mkdir(parents=True, exist_ok=True)
    SECONDS_OUT.write_text(json.dumps(figure, indent=2) + "\n")
    print(f"\nreview: {figure['seconds_per_item_mean']} s per item (median {figure['seconds_per_item_median']}) "
          f"over {n} items -> {SECONDS_OUT}")
