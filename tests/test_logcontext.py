"""Every log line written while a page runs names its batch, file and page."""
import logging

import numpy as np
import pytest
from PIL import Image

from folio.errors import RejectedInput

from folio.logcontext import ContextFilter, current, log_context
from ingest.service import submit_paths
from worker import pages


def test_context_nests_and_is_restored():
    assert current() == ""
    with log_context(batch=3, page=2):
        with log_context(task="abc"):
            assert current() == "batch=3 page=2 task=abc"
        assert current() == "batch=3 page=2"
    assert current() == ""


@pytest.mark.django_db
def test_a_failing_page_logs_its_batch_file_and_page(tmp_path, caplog, monkeypatch):
    path = tmp_path / "blanco.png"
    Image.fromarray(np.full((40, 60), 255, np.uint8)).save(path, format="PNG")

    def refuse(*args, **kwargs):  # fault injected at the pipeline: the page is refused as not a report
        raise RejectedInput("no report form found on this page", code="not_a_report")

    monkeypatch.setattr(pages, "process_image", refuse)
    batch, submitted = submit_paths([path], batch_name="t")
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.WARNING, logger="folio.pages")
    page = pages.process_page(submitted[0].pages[0].id)
    assert page.state == "failed"
    lines = [r.ctx for r in caplog.records if r.name == "folio.pages"]
    assert lines and all(f"batch={batch.id} file=blanco.png page=1" in ctx for ctx in lines), lines
