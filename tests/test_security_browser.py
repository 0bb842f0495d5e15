"""Row 21 of docs/security.md: under the Content-Security-Policy every page still works in a real Chromium,
Swagger UI (served from the sidecar's static files) included, with not one violation reported."""
from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from web.roles import ADMIN
from webdata import make_report

pytestmark = pytest.mark.django_db(transaction=True)

# Every violation the page reports, kept where the test can read it.
LISTEN = """document.addEventListener('securitypolicyviolation', e => {
  const seen = JSON.parse(sessionStorage.getItem('csp') || '[]');
  seen.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + location.pathname);
  sessionStorage.setItem('csp', JSON.stringify(seen));
});"""


def test_row21_pages_admin_and_swagger_run_under_the_policy_with_no_violation(site, web_page, make_user):
    make_user("root", ADMIN)
    report = make_report(file="informe.pdf")
    out = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(out, "JPEG")
    report.page.image = default_storage.save("pages/p.jpg", ContentFile(out.getvalue()))
    report.page.save(update_fields=["image"])
    field = report.fields.first()
    field.bbox = [10, 10, 200, 60]
    field.save(update_fields=["bbox"])
    batch = report.page.document.batch_id

    refused = []
    web_page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    web_page.context.add_init_script(LISTEN)
    site.login(web_page, "root")
    for path in ("/upload/", "/batches/", f"/batches/{batch}/", "/completeness/", "/review/",
                 f"/review/field/{field.pk}/", f"/review/report/{report.pk}/", "/admin/", "/admin/auth/user/",
                 "/accounts/password/"):
        response = web_page.goto(site.url(path))
        assert response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'"), path
    # The review item's script ran (it swaps items in): its form is wired, the keyboard hint shown.
    web_page.goto(site.url(f"/review/field/{field.pk}/"))
    assert web_page.locator("#review-form").count() == 1
    # Swagger UI: its bundle and start-up script are static/same-origin files; it draws the operations.
    web_page.goto(site.url("/api/docs/"))
    web_page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    assert web_page.locator(".opblock").count() >= 6
    seen = web_page.evaluate("sessionStorage.getItem('csp')")
    assert not refused and seen in (None, "[]"), (refused, seen)
