"""Fault runs on the real service: every submitted page ends done, failed with a reason, or poison.

Each run ends with a ledger (tests/services.ledger): lost 0, duplicate records 0.
Faults are real: worker children SIGKILLed from outside, redis-server
restarted or FLUSHALLed, a page's message published twice, and a page that
SIGKILLs the process running it (tests/faults/sitecustomize.py, put on that
worker's PYTHONPATH only).
"""
import os
import signal
import subprocess
import sys

import pytest

from services import ROOT, ledger

pytestmark = pytest.mark.slow


def _running(state, exclude=()):
    return [p for p in state["pages"] if p["state"] == "running" and p["id"] not in exclude]


def _pid(page) -> int:
    return int(page["claimed_by"].split(":")[1])


def _sha(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_worker_children_sigkilled_mid_batch(make_service, sample_scans):
    svc = make_service()
    worker = svc.worker(concurrency=2)
    svc.folio("submit", sample_scans / "scan-01.pdf", "--batch", "kills")  # three pages
    killed = []
    while len(killed) < 3:
        state = svc.wait_for(lambda s: _running(s, killed) or all(p["state"] == "done" for p in s["pages"]),
                             "a page running")
        victims = [p for p in _running(state, killed) if _pid(p) in worker.children()]
        if not victims:
            assert not _running(state, killed), "a running page's claim names no child of the worker"
            break
        os.kill(_pid(victims[0]), signal.SIGKILL)  # mid-page: the page's claim is held by this child
        killed.append(victims[0]["id"])
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, children SIGKILLed:", result, "kills", len(killed))
    assert len(killed) == 3, "the batch ended before three pages could be killed mid-run"
    assert result["submitted"] == 3 and result["done"] == 3, result
    assert result["lost"] == 0 and result["duplicate_records"] == 0, result
    assert result["crashes"] >= 1, "a killed claim is counted as a crash"
    assert worker.alive(), "the worker replaces its killed children and goes on"


def test_redis_restarted_mid_batch(make_service, sample_scans):
    svc = make_service()
    svc.worker(concurrency=2)
    svc.beat()
    svc.folio("submit", sample_scans / "scan-01.pdf", "--batch", "restart")
    svc.wait_for(lambda s: _running(s), "a page running")
    svc.redis.restart()  # SIGTERM (AOF flushed) and a new redis-server on the same port and folder
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, Redis restarted:", result)
    assert result["submitted"] == 3 and result["done"] == 3, result
    assert result["lost"] == 0 and result["duplicate_records"] == 0, result


def test_redis_flushall_mid_batch_is_recovered_by_the_sweeper(make_service, sample_scans):
    svc = make_service()
    svc.worker(concurrency=1)
    beat = svc.beat()
    svc.folio("submit", sample_scans / "scan-01.pdf", "--batch", "flush")
    svc.wait_for(lambda s: _running(s), "a page running")
    client = svc.redis.client()
    assert client.llen("interactive") >= 1, "pages were waiting in Redis"
    client.flushall()  # every waiting message and the broker's bookkeeping gone
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, Redis FLUSHALLed:", result)
    assert result["submitted"] == 3 and result["done"] == 3, result
    assert result["lost"] == 0 and result["duplicate_records"] == 0, result
    logs = "".join(p.log.read_text(errors="replace") for p in svc.procs)
    assert "'broker_lost': True" in logs, "the sweeper saw the broker's loss and sent the pages again"
    assert beat.alive()


def test_same_page_task_delivered_twice_at_once(make_service, sample_scans):
    svc = make_service()
    out = svc.folio("submit", sample_scans / "scan-03.png", "--batch", "twice")  # no worker yet: it waits
    page_id = svc.probe()["pages"][0]["id"]
    subprocess.run([sys.executable, "-c", "import worker.celery; from worker.queue import send; "
                    f"send({{'interactive': [{page_id}]}})"], cwd=ROOT, env=svc.env, check=True, timeout=120)
    assert svc.redis.client().llen("interactive") == 2, out.stdout
    worker = svc.worker(concurrency=2)  # both messages are handed to two children at once
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, page delivered twice:", result)
    assert result == {"submitted": 1, "done": 1, "failed": 0, "poison": 0, "lost": 0, "duplicate_records": 0,
                      "attempts": 1, "crashes": 0}, result  # one claim won, the other delivery did nothing
    svc.wait_for(lambda s: "'skipped'" in worker.log.read_text(errors="replace"), "the second delivery to end",
                 timeout=120)


def test_page_that_crashes_its_worker_every_time_becomes_poison(make_service, sample_scans):
    svc = make_service()
    bad = sample_scans / "scan-04.jpg"
    worker = svc.worker(concurrency=1, faults={"FOLIO_FAULT_KILL_SHA256": _sha(bad)})
    svc.folio("submit", bad, sample_scans / "scan-03.png", "--batch", "poison")
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, page killing its worker:", result)
    poison = next(p for p in state["pages"] if p["file"] == "scan-04.jpg")
    good = next(p for p in state["pages"] if p["file"] == "scan-03.png")
    assert poison["state"] == "poison" and poison["crashes"] == 3, poison
    assert "scan-04.jpg, page 1: killed its worker 3 times" in poison["error"], poison["error"]
    assert good["state"] == "done" and good["crashes"] == 0
    assert result["lost"] == 0 and result["duplicate_records"] == 0 and result["poison"] == 1, result
    assert worker.alive()
    status = svc.folio("status", poison["batch"]).stdout
    assert "POISON scan-04.jpg page 1 [poison]: scan-04.jpg, page 1: killed its worker 3 times" in status, status


def test_transient_errors_are_retried_and_persistent_ones_end_failed(make_service, sample_scans, tmp_path):
    svc = make_service(FOLIO_RETRY_MAX="2", FOLIO_RETRY_BACKOFF="1")
    flaky, broken = sample_scans / "scan-03.png", sample_scans / "scan-04.jpg"
    svc.worker(concurrency=2, faults={"FOLIO_FAULT_TRANSIENT": f"{_sha(flaky)}:2,{_sha(broken)}:-1",
                                      "FOLIO_FAULT_STATE_DIR": str(tmp_path)})
    svc.folio("submit", flaky, broken, "--batch", "transient")
    state = svc.wait_settled()
    result = ledger(state)
    print("ledger, transient errors:", result)
    ok = next(p for p in state["pages"] if p["file"] == "scan-03.png")
    bad = next(p for p in state["pages"] if p["file"] == "scan-04.jpg")
    assert ok["state"] == "done" and ok["attempts"] == 3 and ok["crashes"] == 0, ok  # two retries, then read
    assert bad["state"] == "failed" and bad["error_code"] == "injected_transient", bad
    assert bad["attempts"] == 3, bad  # FOLIO_RETRY_MAX=2: the first try and two retries
    assert bad["error"].startswith("scan-04.jpg, page 1: still failing after 3 tries"), bad
    assert result["lost"] == 0 and result["duplicate_records"] == 0
