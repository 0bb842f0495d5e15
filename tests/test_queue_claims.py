"""Claims and leases (worker/pages.py), the sweeper's reclaiming, batch progress: the database side alone."""
import subprocess
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from ingest.models import Page
from ingest.progress import batch_progress
from ingest.service import submit_paths
from worker import pages
from worker.sweeper import reclaim_expired

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "informe.png"
    Image.fromarray(np.full((50, 70), 255, np.uint8)).save(path, format="PNG")
    _, submitted = submit_paths([path], batch_name="t")
    return submitted[0].pages[0]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_page_is_claimed_once_and_a_second_delivery_does_nothing(page):
    first = pages.claim(page.id)
    assert first is not None
    assert pages.claim(page.id) is None  # a live claim of a live process: the duplicate returns
    page.refresh_from_db()
    assert page.state == Page.State.RUNNING and page.attempts == 1 and page.lease_until > timezone.now()
    assert pages.fail(first, "rejected", "informe.png, page 1: not a report")
    assert pages.claim(page.id) is None  # finished pages are never run again by a stray message
    page.refresh_from_db()
    assert page.state == Page.State.FAILED and page.lease_until is None


def test_a_claim_whose_process_died_is_a_crash_and_the_page_is_taken_again(page):
    Page.objects.filter(pk=page.id).update(state=Page.State.RUNNING, claimed_by=f"{pages.HOST}:{_dead_pid()}:x",
                                           lease_until=timezone.now() + timedelta(hours=1), attempts=1)
    again = pages.claim(page.id)
    assert again is not None
    page.refresh_from_db()
    assert page.crashes == 1 and page.attempts == 2 and page.claimed_by == again.token


def test_an_expired_lease_on_another_host_is_reclaimed_by_the_sweeper(page):
    Page.objects.filter(pk=page.id).update(state=Page.State.RUNNING, claimed_by="elsewhere:123:x",
                                           lease_until=timezone.now() - timedelta(seconds=1), attempts=1)
    assert reclaim_expired() == {"requeued": 1, "poison": 0}
    page.refresh_from_db()
    assert page.state == Page.State.QUEUED and page.crashes == 1 and page.enqueued_at is None


def test_a_live_lease_on_another_host_is_left_alone(page):
    Page.objects.filter(pk=page.id).update(state=Page.State.RUNNING, claimed_by="elsewhere:123:x",
                                           lease_until=timezone.now() + timedelta(minutes=5))
    assert pages.claim(page.id) is None
    assert reclaim_expired() == {"requeued": 0, "poison": 0}


def test_the_third_crash_makes_the_page_poison_with_its_reason(page):
    Page.objects.filter(pk=page.id).update(state=Page.State.RUNNING, claimed_by=f"{pages.HOST}:{_dead_pid()}:x",
                                           lease_until=timezone.now() + timedelta(hours=1), attempts=3, crashes=2)
    assert pages.claim(page.id) is None
    page.refresh_from_db()
    assert page.state == Page.State.POISON and page.crashes == 3
    assert page.error.startswith("informe.png, page 1: killed its worker 3 times") and "died" in page.error
    progress = batch_progress(page.document.batch_id)
    assert progress["poison"] == 1 and progress["finished"]
    assert progress["failures"] == [{"file": "informe.png", "page": 1, "state": "poison", "code": "poison",
                                     "error": page.error, "document_id": page.document_id, "page_id": page.id}]


def test_a_released_page_is_queued_again_with_its_retry_time(page):
    c = pages.claim(page.id)
    assert pages.release(c, delay=30)
    page.refresh_from_db()
    assert page.state == Page.State.QUEUED and page.claimed_by == "" and page.enqueued_at > timezone.now()
    assert not pages.fail(c, "x", "a released claim can no longer end the page")


def test_batch_progress_counts_every_state(page, tmp_path):
    bad = tmp_path / "roto.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    batch, _ = submit_paths([bad], batch_name="mixed")
    p = batch_progress(batch.id)
    assert (p["total"], p["failed"], p["queued"], p["finished"]) == (1, 1, 0, True)
    assert p["failures"][0]["file"] == "roto.pdf" and "roto.pdf" in p["failures"][0]["error"]
    q = batch_progress(page.document.batch_id)
    assert (q["queued"], q["finished"], q["name"]) == (1, False, "t")


def _report(page_obj, **key):
    from records.models import Report

    values = dict(report_type="avance_programatico", ejercicio=2023, trimestre=1, ramo_code="52",
                  unidad_code="52102", data={}, source={"file": page_obj.document.name, "page": page_obj.number})
    values.update(key)
    return Report.objects.create(page=page_obj, **values)


def _pages(tmp_path, n):
    paths = []
    for i in range(n):
        path = tmp_path / f"scan-{i}.png"
        Image.fromarray(np.full((40 + i, 60), 250 - i, np.uint8)).save(path, format="PNG")
        paths.append(path)
    _, submitted = submit_paths(paths, batch_name="rescans")
    return [s.pages[0] for s in submitted]


def test_a_rescan_links_to_the_first_record_whichever_is_stored_first(tmp_path):
    from records.rescans import link_rescans

    first, second, other = _pages(tmp_path, 3)
    later = link_rescans(_report(second))  # the second scan happens to finish first
    assert later.rescan_of_id is None
    earlier = link_rescans(_report(first))
    later.refresh_from_db()
    assert earlier.rescan_of_id is None and later.rescan_of_id == earlier.id
    unrelated = link_rescans(_report(other, unidad_code="52201"))
    assert unrelated.rescan_of_id is None
    progress = batch_progress(first.document.batch_id)
    assert [(r["file"], r["rescan_of"]["file"]) for r in progress["rescans"]] == [("scan-1.png", "scan-0.png")]


def test_no_link_without_a_full_key_and_a_new_reading_undoes_a_link(tmp_path):
    from records.rescans import link_rescans

    a, b, c = _pages(tmp_path, 3)
    first = link_rescans(_report(a))
    second = link_rescans(_report(b))
    assert second.rescan_of_id == first.id
    modification = link_rescans(_report(c, report_type="modificacion_programatica", trimestre=None))
    assert modification.rescan_of_id is None  # no quarter: never linked
    second.unidad_code = "52201"  # re-read (or corrected): another unidad, no longer a re-scan
    second.save()
    assert link_rescans(second).rescan_of_id is None


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread and connection
def test_heartbeat_keeps_a_running_page_s_claim_alive_and_stops_when_the_claim_is_lost(page):
    import time

    c = pages.claim(page.id)
    Page.objects.filter(pk=page.id).update(lease_until=timezone.now() - timedelta(seconds=1))  # about to be void
    with pages.Heartbeat(c, interval=0.05, lease=60) as beat:
        deadline = time.monotonic() + 10
        while beat.beats < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        page.refresh_from_db()
        assert beat.beats >= 2 and page.lease_until > timezone.now() + timedelta(seconds=50)
        assert pages.holder_gone(page) == ""  # the sweeper leaves a beating page alone
        Page.objects.filter(pk=page.id).update(claimed_by="elsewhere:1:cafe")  # another process took it over
        while not beat.lost and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.lost
    beats = beat.beats
    time.sleep(0.2)
    assert beat.beats == beats and not beat._thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_heartbeat_stopped_is_reclaimed_once_its_lease_runs_out(page):
    """A worker dead on another machine cannot be checked by pid: its page comes back when nobody renews it."""
    import time

    c = pages.claim(page.id)
    with pages.Heartbeat(c, interval=0.05, lease=0.5) as beat:  # the worker ran a moment, beating...
        deadline = time.monotonic() + 10
        while beat.beats < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    # ...then vanished without finishing: nobody renews the lease any more
    Page.objects.filter(pk=page.id).update(claimed_by="otherhost:4242:dead")
    page.refresh_from_db()
    assert pages.holder_gone(page) == ""  # its last lease still holds
    assert reclaim_expired(now=timezone.now() + timedelta(seconds=1))["requeued"] == 1
    page.refresh_from_db()
    assert page.state == Page.State.QUEUED and page.crashes == 1


def test_an_unexpected_error_fails_the_page_without_showing_this_machine_s_paths(page, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("cannot open '/srv/folio/media/originals/ab/abcdef' for reading")

    monkeypatch.setattr(pages, "process_image", broken)
    done = pages.process_page(page.id)
    assert (done.state, done.error_code) == (Page.State.FAILED, "internal_error")
    assert "RuntimeError: cannot open for reading" in done.error and "/srv" not in done.error
    assert "report it with the file to the maintainers" in done.error
