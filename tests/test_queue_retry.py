"""folio retry: a batch's failed and poison pages queued again; files refused at submission are not."""
import numpy as np
import pytest
from PIL import Image

from folio.cli import main
from ingest.models import Page
from ingest.service import submit_paths
from worker.queue import retry

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(tmp_path):
    good = tmp_path / "informe.png"
    Image.fromarray(np.full((50, 70), 255, np.uint8)).save(good, format="PNG")
    other = tmp_path / "otro.png"
    Image.fromarray(np.full((60, 70), 255, np.uint8)).save(other, format="PNG")
    bad = tmp_path / "notas.pdf"
    bad.write_text("not a pdf at all")
    batch, submitted = submit_paths([good, other, bad], batch_name="t")
    first, second = submitted[0].pages[0], submitted[1].pages[0]
    Page.objects.filter(pk=first.pk).update(state=Page.State.POISON, attempts=3, crashes=3, error="killed 3 times")
    Page.objects.filter(pk=second.pk).update(state=Page.State.DONE, attempts=1)
    return batch, first, second, submitted[2].pages[0]


def test_retry_queues_poison_and_failed_pages_with_fresh_counters(batch):
    b, poison, done, refused = batch
    ids, kept_out = retry(b.id)
    assert ids == [poison.pk] and kept_out == [refused.pk]
    poison.refresh_from_db()
    assert (poison.state, poison.attempts, poison.crashes, poison.error) == (Page.State.QUEUED, 0, 0, "")
    done.refresh_from_db()
    refused.refresh_from_db()
    assert done.state == Page.State.DONE
    assert refused.state == Page.State.FAILED and refused.error  # its reason stays: the bytes are bad


def test_retry_command_names_what_it_did_not_retry(batch, capsys, settings):
    settings.FOLIO_QUEUE = "celery"  # on_commit never fires inside the test's transaction: nothing is sent
    b, *_ = batch
    assert main(["retry", str(b.id)]) == 0
    out = capsys.readouterr().out
    assert "1 pages queued again" in out and "notas.pdf" in out and "not retried" in out


@pytest.mark.parametrize("factor", [0.5, 1.0, 5.0])
def test_backoff_takes_a_fractional_factor_and_stays_under_its_bound(settings, factor):
    """Celery's own jitter helper draws with randrange and raised on FOLIO_RETRY_BACKOFF=0.5."""
    from worker.pages import MAX_BACKOFF, backoff

    settings.FOLIO_RETRY_BACKOFF = factor
    for retries in range(12):
        wait = backoff(retries)
        assert 0 <= wait <= min(MAX_BACKOFF, factor * 2 ** retries)


def test_backoff_is_jittered_for_the_worker_and_the_in_process_loop_alike(settings):
    """Pages that failed together wait different times, in a Celery worker and in `folio run`
    alike: a uniform draw up to FOLIO_RETRY_BACKOFF * 2**retries, never past the cap (the
    in-process loop's minute)."""
    from worker.pages import backoff

    settings.FOLIO_RETRY_BACKOFF = 5
    waits = [backoff(2) for _ in range(200)]
    assert all(0 <= w <= 20 for w in waits) and max(waits) > 15 and min(waits) < 5
    assert len(set(waits)) > 150
    assert all(backoff(10, cap=60) <= 60 for _ in range(50))
