"""The thin shell around the pipeline: claim a page row, run, store. Every entrance ends here.

The database is the source of truth, the queue only carries hints, and a hint
may arrive twice (at-least-once delivery, a sweeper re-sending, a duplicate).
So a page is *claimed* before it is run: one atomic UPDATE moves it from
``queued`` to ``running`` with a lease (``lease_until``), an attempt counted and
the claimant named (``claimed_by`` = host:pid:token). A delivery that cannot
claim (the page is done, failed, poison, or running under a live lease) returns
without work; that is what makes a duplicate delivery harmless. The result is
stored only while the claim is still held, and records are upserted (a
reviewer's corrections are never overwritten), so a page run twice gives one
record.

A live claim is renewed by a heartbeat thread (``Heartbeat``: every
``FOLIO_HEARTBEAT_SECONDS`` the lease is pushed ``FOLIO_LEASE_SECONDS`` ahead) for as
long as the page runs; the hard time limit kills a page that runs too long, and
its heartbeat with it. A claim whose holder vanished (its process is gone, or
its lease expired because nobody renewed it: a worker dead on another machine)
counts as a crash; the page goes back to ``queued``, and after
``FOLIO_POISON_AFTER`` crashes it is set aside as ``poison`` with the reason,
so one bad page cannot kill workers for ever.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import cv2
from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import F
from django.utils import timezone

from folio.logcontext import log_context
from folio.errors import FolioError, NotAReport, ProgramTimeout, TransientError
from ingest import files
from ingest.models import Page
from ingest.service import local_original
from ocr._exec import tesseract
from reconcile.catalog import CatalogIndex
from records.rescans import link_rescans
from records.store import store_record
from worker.catalog import load_catalog
from worker.pipeline import cpu_seconds, process_image

log = logging.getLogger("folio.pages")
HOST = socket.gethostname()


@dataclass(frozen=True)
class Claim:
    page_id: int
    token: str


def source_of(page: Page) -> dict:
    return {"file": page.document.name, "page": page.number, "sha256": page.document.sha256}


def _save_page_image(page: Page, image) -> str:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 88])
    name = f"pages/{page.document.sha256[:2]}/{page.document.sha256}-{page.number}.jpg"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buf.tobytes()))


def _pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a killed child before its parent reaps it)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_gone(page: Page, now=None) -> str:
    """Why the claim on a running page is void ('' while it holds): lease expired, or holder dead here.

    Only a process on this host can be checked directly; on another host the lease decides.
    """
    now = now or timezone.now()
    if page.lease_until is None or page.lease_until < now:
        return "its lease expired"
    host, _, rest = page.claimed_by.partition(":")
    pid = rest.partition(":")[0]
    if host == HOST and pid.isdigit() and not _pid_alive(int(pid)):
        return f"its process {pid} died"
    return ""


def reclaim(page: Page, why: str) -> str:
    """Count a vanished claim as a crash: back to queued, or poison after FOLIO_POISON_AFTER crashes.

    Compare-and-set on the claimant, so two processes noticing the same death count it once.
    Returns the page's new state ('' if someone else got there first).
    """
    crashes = page.crashes + 1
    mine = Page.objects.filter(pk=page.pk, state=Page.State.RUNNING, claimed_by=page.claimed_by)
    now = timezone.now()
    if crashes >= settings.FOLIO_POISON_AFTER:
        error = (f"{page.document.name}, page {page.number}: killed its worker {crashes} times (last: {why}, "
                 f"claimed by {page.claimed_by or 'unknown'}); set aside so the batch goes on. Check the scan; "
                 f"re-submit it (or its pages) once fixed")
        n = mine.update(state=Page.State.POISON, crashes=crashes, lease_until=None, error_code="poison",
                        error=error, updated_at=now)
        if n:
            log.error("page %s poison: %s", page.pk, error)
        return Page.State.POISON if n else ""
    n = mine.update(state=Page.State.QUEUED, crashes=crashes, lease_until=None, claimed_by="", updated_at=now)
    if n:
        log.warning("page %s (%s p.%s) back to the queue: %s", page.pk, page.document.name, page.number, why)
    return Page.State.QUEUED if n else ""


def claim(page_id: int) -> Claim | None:
    """Take the page for this process, atomically; None when there is nothing to do here."""
    token = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        now = timezone.now()
        n = Page.objects.filter(pk=page_id, state=Page.State.QUEUED).update(
            state=Page.State.RUNNING, attempts=F("attempts") + 1, claimed_by=token, updated_at=now,
            lease_until=now + timedelta(seconds=settings.FOLIO_LEASE_SECONDS),
        )
        if n:
            return Claim(page_id, token)
        page = Page.objects.select_related("document").filter(pk=page_id).first()
        if page is None or page.state != Page.State.RUNNING:
            return None  # gone, or already done / failed / poison
        why = holder_gone(page, now)
        if not why or reclaim(page, why) != Page.State.QUEUED:
            return None  # held by a live claim elsewhere (a duplicate delivery), or set aside
    return None


def _finish(c: Claim, **values) -> bool:
    values.update(lease_until=None, updated_at=timezone.now())
    return bool(Page.objects.filter(pk=c.page_id, state=Page.State.RUNNING, claimed_by=c.token).update(**values))


def fail(c: Claim, code: str, message: str) -> bool:
    """End the claimed page FAILED with a reason a person can act on."""
    return _finish(c, state=Page.State.FAILED, error_code=code, error=message)


def set_aside(c: Claim, code: str, message: str) -> bool:
    """End the claimed page SKIPPED: it was read and is not a report page (blank, a photo, a letter)."""
    return _finish(c, state=Page.State.SKIPPED, error_code=code, error=message)


def tries_allowed(exc: TransientError) -> int:
    """How many times a page is tried in all when it keeps raising ``exc`` (a program time-out: twice)."""
    return min(settings.FOLIO_RETRY_MAX + 1, exc.max_tries or settings.FOLIO_RETRY_MAX + 1)


def give_up(c: Claim, exc: TransientError, tries: int) -> bool:
    """A transient error that outlived its retries ends the page FAILED, saying so."""
    where = f"{exc.file}, page {exc.page}: " if exc.file else ""
    if isinstance(exc, ProgramTimeout):
        return fail(c, exc.code, f"{where}{exc.message} (tried {tries} times; if the machine was only "
                                 f"overloaded, retry the batch)")
    return fail(c, exc.code, f"{where}still failing after {tries} tries ({exc.message}); "
                             f"submit the file again once the cause is fixed")


def release(c: Claim, delay: float = 0.0) -> bool:
    """Give a claimed page back to the queue (a transient error); the retry is due in ``delay`` seconds."""
    return _finish(c, state=Page.State.QUEUED, claimed_by="",
                   enqueued_at=timezone.now() + timedelta(seconds=delay))


class Heartbeat:
    """Renews a running page's lease from a thread while the page runs; stops when the claim is lost.

    One UPDATE every ``interval`` seconds, on the claim (page, state running, claimant):
    if another process took the page over, nothing is renewed and the beat stops. A
    database that does not answer (SQLite busy, PostgreSQL away) misses a beat, no
    more: the lease spans several.
    """

    def __init__(self, c: Claim, *, interval: float | None = None, lease: float | None = None):
        self.claim = c
        self.interval = settings.FOLIO_HEARTBEAT_SECONDS if interval is None else interval
        self.lease = settings.FOLIO_LEASE_SECONDS if lease is None else lease
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{c.page_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """Push the lease ahead; False when the claim is no longer this process's."""
        until = timezone.now() + timedelta(seconds=self.lease)
        renewed = Page.objects.filter(pk=self.claim.page_id, state=Page.State.RUNNING,
                                      claimed_by=self.claim.token).update(lease_until=until)
        self.beats += bool(renewed)
        return bool(renewed)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not self.beat():
                        self.lost = True
                        log.warning("page %s: claim lost while running; heartbeat stopped", self.claim.page_id)
                        return
                except DatabaseError as exc:
                    log.info("page %s: heartbeat missed (%s)", self.claim.page_id, exc)
        finally:
            connections.close_all()  # this thread's own connections


def run_claimed(c: Claim, catalog: CatalogIndex | None = None) -> Page:
    """Run the pipeline on a claimed page and store its record while the claim holds.

    A permanent error (FolioError) ends the page FAILED with its message; an
    unexpected exception too, with its type (one bad page must not stop a batch).
    A TransientError, or a database that is unreachable, propagates as
    TransientError for the caller to retry (the claim is still held: release it).
    """
    page = Page.objects.select_related("document").get(pk=c.page_id)
    with log_context(batch=page.document.batch_id, file=page.document.name, page=page.number, page_id=page.pk):
        with Heartbeat(c):
            return _run(c, page, catalog)


def _run(c: Claim, page: Page, catalog: CatalogIndex | None) -> Page:
    started = cpu_seconds()
    try:
        if page.document.error:
            raise FolioError(page.document.error, code="rejected")
        catalog = catalog or load_catalog()
        tesseract.set_timeout(settings.FOLIO_TESSERACT_TIMEOUT)
        with local_original(page.document) as path:
            limits = files.Limits.from_settings()
            image, dpi = files.load_page(path, page.document.kind, page.number, limits)
            drawn = files.drawn_page(path, page.document.kind, page.number, limits)
        work = process_image(image, catalog, source=source_of(page), dpi=dpi, drawn=drawn)
        _store(c, page, work, cpu_seconds() - started)
    except (TransientError, OperationalError, InterfaceError) as exc:
        if not isinstance(exc, TransientError):
            exc = TransientError(f"the database did not answer ({exc})", code="database")
        exc.file, exc.page = page.document.name, page.number
        raise exc
    except NotAReport as exc:
        exc.file, exc.page = page.document.name, page.number
        log.info("page set aside: %s", exc)
        set_aside(c, exc.code, str(exc))
    except FolioError as exc:
        exc.file, exc.page = page.document.name, page.number
        log.warning("page failed: %s", exc)
        fail(c, exc.code, str(exc))
    except SoftTimeLimitExceeded:
        fail(c, "too_slow", f"{page.document.name}, page {page.number}: reading it took longer than "
                            f"{settings.FOLIO_TASK_TIME_LIMIT} s; check the scan (size, resolution) and re-submit it")
    except Exception as exc:  # noqa: BLE001 - a bug on one page ends that page, not the batch
        log.exception("page %s (%s p.%s) failed unexpectedly", page.pk, page.document.name, page.number)
        fail(c, "internal_error", f"{page.document.name}, page {page.number}: Folio failed on this page "
                                  f"({type(exc).__name__}: {files.without_paths(exc)}); report it with the file to the "
                                  f"maintainers")
    page.refresh_from_db()
    return page


def _store(c: Claim, page: Page, work, cpu: float) -> None:
    with transaction.atomic():
        held = Page.objects.select_for_update().filter(
            pk=c.page_id, state=Page.State.RUNNING, claimed_by=c.token).exists()
        if not held:
            log.warning("page %s: claim lost before storing (another process holds it); result dropped", c.page_id)
            return
        report = store_record(page, work.record)
        link_rescans(report)
        image = _save_page_image(page, work.clean_image)
        _finish(c, state=Page.State.DONE, image=image, rotation=work.read.rotation, skew=work.read.skew,
                cpu_seconds=cpu, error_code="", error="")


MAX_BACKOFF = 600  # seconds: the longest a page waits before it is tried again


def backoff(retries: int, cap: float = MAX_BACKOFF) -> float:
    """Seconds to wait before try ``retries + 1``: full jitter, a uniform draw up to
    FOLIO_RETRY_BACKOFF * 2**retries (at most ``cap``), so pages that failed together do
    not come back together. (Celery's own helper draws with ``randrange`` and fails on a
    fractional factor, 0.5 s.)"""
    return random.uniform(0, min(cap, settings.FOLIO_RETRY_BACKOFF * 2 ** retries))


def process_page(page_id: int, catalog: CatalogIndex | None = None) -> Page:
    """Claim and run one page in this process (``folio run``, the inline queue); idempotent.

    Transient errors are retried here with a doubling, jittered back-off (:func:`backoff`,
    at most a minute), FOLIO_RETRY_MAX
    times (a program's time-out once: ``tries_allowed``), then the page ends FAILED saying so. The Celery task does the same
    through Celery's retries so a worker never sleeps on a page.
    """
    for attempt in range(settings.FOLIO_RETRY_MAX + 1):
        c = claim(page_id)
        if c is None:
            break
        try:
            return run_claimed(c, catalog)
        except TransientError as exc:
            if attempt + 1 >= tries_allowed(exc):
                give_up(c, exc, attempt + 1)
                break
            release(c)
            time.sleep(backoff(attempt, cap=60))
    return Page.objects.get(pk=page_id)
