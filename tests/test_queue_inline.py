"""Without Redis nothing is lost: a submission while the broker is down stays queued in the database,
and the embedded mode (FOLIO_QUEUE=inline) runs it: `folio serve` picks up what was left, `folio submit`
waits for its own pages."""
import pytest

from services import ledger

pytestmark = pytest.mark.slow


def test_pages_submitted_while_redis_is_down_are_kept_and_run_inline(make_service, sample_scans):
    svc = make_service()
    svc.redis.stop()
    out = svc.folio("submit", sample_scans / "scan-03.png", "--batch", "broker down")
    assert "could not reach the broker" in out.stderr and "stay queued" in out.stderr, out.stderr
    assert [p["state"] for p in svc.probe()["pages"]] == ["queued"]

    svc.env["FOLIO_QUEUE"] = "inline"
    svc.serve()  # resumes the queued page in its background thread
    state = svc.wait_settled()
    assert ledger(state) == {"submitted": 1, "done": 1, "failed": 0, "poison": 0, "lost": 0,
                             "duplicate_records": 0, "attempts": 1, "crashes": 0}

    out = svc.folio("submit", sample_scans / "scan-04.jpg", "--batch", "inline")
    state = svc.probe()  # no waiting here: the command returned once its thread had run the page
    page = next(p for p in state["pages"] if p["file"] == "scan-04.jpg")
    assert page["state"] == "done" and page["has_record"], page
