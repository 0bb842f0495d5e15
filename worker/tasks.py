"""Thin tasks: a page id in, the page claimed and run through worker.pages, the database updated.

Retry policy lives here, on the task: a TransientError (database or broker
away, a busy machine) gives the page back and retries it later with
exponential back-off and full jitter (worker.pages.backoff, which the in-process
loop uses too: a hundred pages that failed together
do not come back together), ``FOLIO_RETRY_MAX`` times (a program that timed out,
once: worker.pages.tries_allowed), then the page ends
FAILED saying so. Permanent errors end the page FAILED inside worker.pages.
"""
from __future__ import annotations

from django.conf import settings
from django.db import InterfaceError, OperationalError

from folio.errors import TransientError
from worker.celery import app


@app.task(name="folio.process_page", bind=True, max_retries=settings.FOLIO_RETRY_MAX,
          acks_late=True, reject_on_worker_lost=True)
def process_page_task(self, page_id: int) -> str:
    from folio.logcontext import log_context

    with log_context(task=self.request.id):
        return _process(self, page_id)


def _process(self, page_id: int) -> str:
    from worker import pages

    try:
        claim = pages.claim(page_id)
    except (OperationalError, InterfaceError) as exc:  # nothing claimed: the message simply comes back later
        raise self.retry(exc=exc, countdown=pages.backoff(self.request.retries))
    if claim is None:
        return "skipped"  # done, failed, poison, or held by a live claim: a duplicate delivery
    try:
        return pages.run_claimed(claim).state
    except TransientError as exc:
        if self.request.retries + 1 >= pages.tries_allowed(exc):
            pages.give_up(claim, exc, self.request.retries + 1)
            return "failed"
        countdown = pages.backoff(self.request.retries)
        pages.release(claim, delay=countdown)
        raise self.retry(exc=exc, countdown=countdown)


@app.task(name="folio.sweep", ignore_result=True)
def sweep_task() -> dict:
    from worker.sweeper import sweep

    return sweep()
