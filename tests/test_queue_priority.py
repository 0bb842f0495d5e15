"""Two priorities: pages staff upload go ahead of the backlog already waiting (real Redis and worker)."""
import pytest

pytestmark = pytest.mark.slow


def test_interactive_pages_finish_before_the_waiting_backfill_pages(make_service, sample_scans):
    svc = make_service()
    # five backfill pages: some are still waiting when the uploads arrive, however slow the machine
    svc.folio("submit", sample_scans / "scan-01.pdf", sample_scans / "scan-02.tif", "--batch", "archive",
              "--priority", "backfill")
    svc.worker(concurrency=1)  # one page at a time, so the order of the queues decides everything
    svc.wait_for(lambda s: any(p["state"] == "running" for p in s["pages"]), "a backfill page running")
    svc.folio("submit", sample_scans / "scan-03.png", sample_scans / "scan-04.jpg", "--batch", "upload")
    # what the worker had taken by the time the uploads were queued (read after, not before,
    # the submit: on a loaded machine a backfill page may finish and the next start meanwhile)
    in_hand = {p["id"] for p in svc.probe()["pages"] if p["priority"] == "backfill" and p["state"] in ("running", "done")}
    state = svc.wait_settled()
    assert all(p["state"] == "done" for p in state["pages"]), state["pages"]
    order = [p for p in sorted(state["pages"], key=lambda p: p["updated_at"])]
    interactive = [i for i, p in enumerate(order) if p["priority"] == "interactive"]
    waiting_backfill = [i for i, p in enumerate(order) if p["priority"] == "backfill" and p["id"] not in in_hand]
    assert len(interactive) == 2 and waiting_backfill, [(p["file"], p["number"], p["priority"]) for p in order]
    # kombu's default round robin would take backfill, interactive, backfill, interactive
    assert max(interactive) < min(waiting_backfill), [(p["file"], p["number"], p["priority"]) for p in order]
