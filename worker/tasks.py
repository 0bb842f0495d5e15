"""Thin tasks: an id in, the pipeline called through worker.pages, the database updated."""
from __future__ import annotations

import django

from worker.celery import app


@app.task(name="folio.process_page")
def process_page_task(page_id: int) -> str:
    django.setup()
    from worker.pages import process_page

    return process_page(page_id).state
