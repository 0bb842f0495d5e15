"""Read the queue's ledger from a Folio database (run by tests/services.py in a child process).

``python tests/queue_probe.py`` with the service's environment prints JSON:
every page (batch, file, number, sha256, state, attempts, crashes, error,
claimed_by, finished order) and the records per (sha256, page number). The
test process keeps its own pytest-django database, so it reads the service's
database through this small separate process.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folio.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402

from ingest.models import Document, Page  # noqa: E402
from records.models import Report  # noqa: E402


def main() -> None:
    pages = Page.objects.select_related("document").order_by("id")
    records = (Report.objects.values("page__document__sha256", "page__number")
               .annotate(n=Count("id")).order_by())
    out = {
        "pages": [
            {"id": p.id, "batch": p.document.batch_id, "file": p.document.name, "number": p.number,
             "sha256": p.document.sha256, "state": p.state, "priority": p.priority, "attempts": p.attempts,
             "crashes": p.crashes, "error_code": p.error_code, "error": p.error, "claimed_by": p.claimed_by,
             "updated_at": p.updated_at.isoformat(), "cpu_seconds": p.cpu_seconds,
             "enqueued_at": p.enqueued_at.isoformat() if p.enqueued_at else None, "has_record": hasattr(p, "report"),
             "report": p.report.id if hasattr(p, "report") else None}
            for p in pages
        ],
        "records": [{"sha256": r["page__document__sha256"], "page": r["page__number"], "n": r["n"]}
                    for r in records],
        "documents": [{"id": d.id, "batch": d.batch_id, "file": d.name, "sha256": d.sha256,
                       "duplicate_of": d.duplicate_of_id, "pages": d.pages.count()}
                      for d in Document.objects.order_by("id")],
        "rescans": [{"report": r.id, "page": r.page_id, "rescan_of": r.rescan_of_id}
                    for r in Report.objects.filter(rescan_of__isnull=False)],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
