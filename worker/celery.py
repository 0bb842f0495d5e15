"""The Celery app: Redis broker, JSON on the wire, ids only, at-least-once delivery.

The queue carries hints; the database is the source of truth (page states).
The full service (priorities, sweeper, poison pages) grows here.
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folio.settings")

app = Celery("folio")
app.conf.update(
    broker_url=os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=15 * 60,
    task_soft_time_limit=14 * 60,
    broker_transport_options={"visibility_timeout": 60 * 60},
    worker_max_tasks_per_child=200,
    worker_max_memory_per_child=1_500_000,  # KiB
)
app.autodiscover_tasks(["worker"])
