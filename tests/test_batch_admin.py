"""An administrator gives a command-line batch to archive staff, who then see it; nobody deletes a batch."""
import pytest
from django.test import Client

from ingest.models import Batch
from webdata import make_report, make_user

pytestmark = pytest.mark.django_db


def test_admin_assigns_a_command_line_batch_to_archive_staff():
    report = make_report()  # a batch with no uploader, as `folio run` or a backfill makes
    batch = report.page.document.batch
    staff = make_user("ana", "archive")
    root = make_user("root", "admin")
    ana, admin = Client(), Client()
    ana.force_login(staff)
    admin.force_login(root)
    assert ana.get(f"/batches/{batch.id}/").status_code == 404

    response = admin.post(f"/admin/ingest/batch/{batch.id}/change/", {"name": batch.name, "uploaded_by": staff.id})
    assert response.status_code == 302, response.content[:500]
    assert Batch.objects.get(pk=batch.id).uploaded_by == staff
    assert ana.get(f"/batches/{batch.id}/").status_code == 200
    assert ana.get("/admin/ingest/batch/").status_code in (302, 403)  # staff never reach the admin


def test_batches_cannot_be_deleted_or_made_empty_in_the_admin():
    batch = make_report().page.document.batch
    admin = Client()
    admin.force_login(make_user("root", "admin"))
    assert admin.get(f"/admin/ingest/batch/{batch.id}/delete/").status_code == 403
    assert admin.get("/admin/ingest/batch/add/").status_code == 403
    admin.post(f"/admin/ingest/batch/{batch.id}/delete/", {"post": "yes"})
    assert Batch.objects.filter(pk=batch.id).exists()
