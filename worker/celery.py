"""The Celery app: Redis broker, JSON on the wire, page ids only, at-least-once delivery.

The queue carries hints; the database is the source of truth (page states,
claims and leases in worker/pages.py). The settings below follow from that:

- ``acks_late`` + ``reject_on_worker_lost``: a message is acknowledged after
  its page ran, and a child killed mid-page puts it back, so a crash loses
  nothing (the claim makes the redelivery harmless).
- ``prefetch 1``: a worker holds no more pages than it runs, so an interactive
  upload is not stuck behind backfill pages another worker reserved.
- Time limits (``FOLIO_TASK_TIME_LIMIT``) well inside the lease, and the lease
  well inside Redis' ``visibility_timeout``: a live page never outlives its
  claim, and Redis never hands a running page to a second worker.
- ``queue_order_strategy=priority``: the worker polls its queues in the order
  given (sweep, interactive, backfill) instead of kombu's default round robin,
  so staff uploads go strictly first.
- max tasks and memory per child: OpenCV and tesseract leave memory behind;
  a child is replaced between pages, never during one.
- Transient errors are retried with exponential back-off and full jitter
  (worker/tasks.py); permanent ones end the page FAILED at once.
"""
from __future__ import annotations

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folio.settings")

import django  # noqa: E402
from celery import Celery  # noqa: E402
from celery.signals import after_setup_logger, after_setup_task_logger  # noqa: E402
from django.conf import settings  # noqa: E402
from kombu import Queue  # noqa: E402

django.setup()

from worker.queue import BACKFILL, INTERACTIVE, SWEEP_QUEUE  # noqa: E402

QUEUES = (SWEEP_QUEUE, INTERACTIVE, BACKFILL)  # polling order: first non-empty wins

if settings.FOLIO_VISIBILITY_TIMEOUT <= settings.FOLIO_LEASE_SECONDS + 600:
    raise ValueError("FOLIO_VISIBILITY_TIMEOUT must exceed FOLIO_LEASE_SECONDS by 10 minutes or more")

app = Celery("folio")
app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # a restarted Redis is waited for, not given up on
    broker_transport_options={
        "visibility_timeout": settings.FOLIO_VISIBILITY_TIMEOUT,
        "queue_order_strategy": "priority",
    },
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=settings.FOLIO_TASK_TIME_LIMIT,
    task_soft_time_limit=max(1, settings.FOLIO_TASK_TIME_LIMIT - max(5, settings.FOLIO_TASK_TIME_LIMIT // 20)),
    task_queues=[Queue(name, routing_key=name) for name in QUEUES],
    task_default_queue=INTERACTIVE,
    task_routes={"folio.sweep": {"queue": SWEEP_QUEUE}},
    worker_max_tasks_per_child=settings.FOLIO_WORKER_MAX_TASKS,
    worker_max_memory_per_child=settings.FOLIO_WORKER_MAX_MEMORY_MB * 1024,  # KiB
    worker_cancel_long_running_tasks_on_connection_loss=False,  # the page finishes; its claim decides
    beat_schedule={
        "sweep": {
            "task": "folio.sweep",
            "schedule": settings.FOLIO_SWEEP_SECONDS,
            "options": {"expires": settings.FOLIO_SWEEP_SECONDS},  # stale sweeps are dropped, not stacked
        },
    },
    beat_schedule_filename=str(settings.FOLIO_HOME / "celerybeat-schedule"),
)
app.autodiscover_tasks(["worker"], related_name="tasks")


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_context(logger, format, **kwargs):  # noqa: A002 - Celery's signal argument name
    """Celery sets up the worker's logging itself: put the page context (folio.logcontext) on its lines too."""
    from folio.logcontext import ContextFilter

    for handler in logger.handlers:
        handler.addFilter(ContextFilter())
        handler.setFormatter(logging.Formatter(format.replace("%(message)s", "%(ctx)s%(message)s")))
