"""The upload page in a real Chromium: drop one file, choose another, watch the bar, land on the batch page."""
from __future__ import annotations

import re

import pytest

from ingest.models import Batch
from web.roles import ARCHIVE

pytestmark = pytest.mark.django_db(transaction=True)

# Records the highest value the progress bar shows; sessionStorage survives the move to the batch page.
WATCH_BAR = """() => {
  const bar = document.getElementById('progress');
  sessionStorage.setItem('bar', '0');
  new MutationObserver(() => {
    sessionStorage.setItem('bar', String(Math.max(Number(sessionStorage.getItem('bar')), bar.value)));
  }).observe(bar, {attributes: true});
}"""
DROPPED = """() => {
  const dt = new DataTransfer();
  dt.items.add(new File(['<html>a letter, not a scan</html>'], 'carta.pdf', {type: 'application/pdf'}));
  return dt;
}"""


def test_upload_page_sends_two_files_with_progress_and_opens_the_batch(site, web_page, make_user, tmp_path):
    make_user("clara", ARCHIVE)
    site.login(web_page, "clara", next_path="/upload/")
    assert web_page.url.endswith("/upload/")
    web_page.evaluate(WATCH_BAR)

    web_page.dispatch_event("#drop", "drop", {"dataTransfer": web_page.evaluate_handle(DROPPED)})
    empty = tmp_path / "vacío.png"
    empty.write_bytes(b"")
    web_page.set_input_files("#files", str(empty))
    assert web_page.locator("#chosen li").count() == 2
    assert "2 archivo(s)" in web_page.inner_text("#summary")

    web_page.fill("input[name=name]", "desde el navegador")
    with web_page.expect_navigation(url=re.compile(r"/batches/\d+/$")):
        web_page.click("#send")
    batch = Batch.objects.get()
    assert batch.name == "desde el navegador"
    assert web_page.url.endswith(f"/batches/{batch.id}/")
    assert web_page.evaluate("Number(sessionStorage.getItem('bar'))") == 100
    assert web_page.inner_text('[data-count="failed"]') == "2"
    failures = web_page.inner_text("#failures")
    assert "carta.pdf" in failures and "vacío.png" in failures and "empty" in failures
    assert web_page.inner_text("#status") == "terminado"


def test_batch_page_follows_the_pages_live(site, web_page, make_user):
    from ingest.models import Document, Page

    clara = make_user("clara", ARCHIVE)
    batch = Batch.objects.create(name="en marcha", uploaded_by=clara)  # archive staff see their own batches
    doc = Document.objects.create(batch=batch, name="informe.pdf", sha256="0" * 64, original="x", size=1, kind="pdf",
                                  page_count=2)
    first, second = (Page.objects.create(document=doc, number=n) for n in (1, 2))
    site.login(web_page, "clara", next_path=f"/batches/{batch.id}/")
    assert web_page.inner_text("#status") == "en proceso"
    assert web_page.inner_text('[data-count="queued"]') == "2"

    Page.objects.filter(pk=first.pk).update(state=Page.State.DONE)
    # A function, not an expression: Playwright evals an expression inside the page, which the CSP forbids.
    web_page.wait_for_function("() => document.querySelector('[data-count=\"done\"]').textContent === '1'")
    assert web_page.inner_text("#percent") == "50"
    with web_page.expect_navigation():  # the last page ends: the page reloads once to show every record
        Page.objects.filter(pk=second.pk).update(state=Page.State.FAILED,
                                                 error="informe.pdf page 2: torn; scan it again")
    assert web_page.inner_text("#status") == "terminado"
    assert "torn; scan it again" in web_page.inner_text("#failures")
