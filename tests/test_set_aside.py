"""A page that is read and is not a report (blank paper here) is set aside, not failed: listed with its
reason by every view of the batch, not retried, and no reason for `folio status` to report a failure."""
import numpy as np
import pytest
from django.test import Client
from PIL import Image

from folio.cli import main
from ingest.models import Page
from ingest.progress import batch_progress
from ingest.service import submit_paths
from worker.pages import process_page
from worker.queue import retry
from webdata import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def blank_batch(tmp_path):
    blank = tmp_path / "reverso.png"
    Image.fromarray(np.full((1100, 1400), 250, np.uint8)).save(blank, format="PNG", dpi=(100, 100))
    broken = tmp_path / "roto.pdf"
    broken.write_bytes(b"%PDF-1.4\n")  # refused at submission: a real failure beside it
    batch, submitted = submit_paths([blank, broken], batch_name="t")
    process_page(submitted[0].pages[0].id)
    return batch


def test_blank_page_is_set_aside_with_its_reason_not_failed(blank_batch):
    [page] = Page.objects.filter(document__batch=blank_batch, document__name="reverso.png")
    assert (page.state, page.error_code) == (Page.State.SKIPPED, "blank_page")
    assert page.error.startswith("reverso.png, page 1: the page is blank")
    p = batch_progress(blank_batch.id)
    assert (p["skipped"], p["failed"], p["finished"]) == (1, 1, True)
    assert [(s["file"], s["page"], s["code"]) for s in p["set_aside"]] == [("reverso.png", 1, "blank_page")]
    assert [f["file"] for f in p["failures"]] == ["roto.pdf"]  # the set-aside page is not among the failures


def test_set_aside_pages_are_not_retried(blank_batch):
    ids, refused = retry(blank_batch.id)
    assert ids == [] and len(refused) == 1  # the refused PDF is named; the blank page is not queued again
    assert Page.objects.get(document__name="reverso.png").state == Page.State.SKIPPED


def test_status_and_batch_page_list_the_page_set_aside(blank_batch, capsys):
    assert main(["status", str(blank_batch.id)]) == 0
    out = capsys.readouterr().out
    assert "set aside 1" in out and "SET ASIDE reverso.png page 1 [blank_page]" in out
    client = Client()
    client.force_login(make_user("rita", "admin"))
    body = client.get(f"/batches/{blank_batch.id}/").content.decode()
    assert "Páginas apartadas" in body and "the page is blank" in body
    assert client.get(f"/api/batches/{blank_batch.id}").json()["set_aside"][0]["code"] == "blank_page"


@pytest.mark.parametrize("colour", [False, True])
def test_print_share_counts_print_against_the_papers_own_tone(colour):
    """Blank is judged against the page's paper, not white: grey recycled paper with noise is
    blank, a few faint lines on it are not; a colour scan is measured like its grey page."""
    from worker.pipeline import BLANK_INK, _print_share

    rng = np.random.default_rng(0)
    paper = np.clip(rng.normal(205, 3, (800, 600)), 0, 255).astype(np.uint8)  # tinted paper, noise
    printed = paper.copy()
    for y in range(100, 700, 40):
        printed[y:y + 2, 50:550] = 150  # 15 faint lines, 2 px each: 3.1 % of the page
    if colour:
        paper, printed = (np.dstack([im, im, (im * 0.9).astype(np.uint8)]) for im in (paper, printed))
    assert _print_share(paper) < BLANK_INK
    assert _print_share(printed) == pytest.approx(15 * 2 * 500 / (800 * 600), rel=0.1)
