"""The embedded queue (``FOLIO_QUEUE=inline``): one background thread in this process runs the pages.

Without Redis and workers, a web upload must still return at once, so the
pages go to a single thread of the serving process (one page at a time: the
pipeline is CPU-bound and the machine is shared with the web server). The
database stays the source of truth: ``resume()`` (called when ``folio serve``
starts) puts back every page left queued, or running under a claim whose
process died, by an earlier run. ``folio submit`` in this mode waits for the
thread to drain before it exits. Several machines or a backlog of years call
for ``FOLIO_QUEUE=celery`` (docs/operations.md).
"""
from __future__ import annotations

import logging
import queue
import threading

log = logging.getLogger("folio.inline")
_lock = threading.Lock()
_runner: "InlineRunner | None" = None


class InlineRunner:
    def __init__(self) -> None:
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="folio-inline-pages", daemon=True)
        self._thread.start()

    def put(self, page_ids) -> None:
        for page_id in page_ids:
            self._queue.put(page_id)

    def join(self) -> None:
        """Block until every page handed over so far has been run."""
        self._queue.join()

    def _loop(self) -> None:
        from django.db import connections

        from worker.pages import process_page

        while True:
            page_id = self._queue.get()
            try:
                process_page(page_id)
            except Exception:  # noqa: BLE001 - the thread must outlive any one page
                log.exception("inline: page %s could not be run; it stays in the database for the next run", page_id)
            finally:
                connections.close_all()
                self._queue.task_done()


def runner() -> InlineRunner:
    global _runner
    with _lock:
        if _runner is None:
            _runner = InlineRunner()
        return _runner


def resume() -> int:
    """Hand the thread every page an earlier process left unfinished (queued, or claimed by the dead)."""
    from ingest.models import Page
    from worker.pages import holder_gone, reclaim
    from worker.queue import INTERACTIVE

    for page in Page.objects.filter(state=Page.State.RUNNING).select_related("document"):
        why = holder_gone(page)
        if why:
            reclaim(page, why)
    rows = Page.objects.filter(state=Page.State.QUEUED).values_list("id", "priority")
    ids = [pid for pid, prio in sorted(rows, key=lambda r: (r[1] != INTERACTIVE, r[0]))]
    if ids:
        runner().put(ids)
    return len(ids)
