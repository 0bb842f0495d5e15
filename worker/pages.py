"""The thin shell around the pipeline: load a page row, run, store. Every entrance ends here."""
from __future__ import annotations

import logging
from pathlib import Path

import cv2
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from folio.errors import FolioError
from ingest import files
from ingest.models import Page
from ingest.service import limits, original_path
from reconcile.catalog import CatalogIndex
from records.store import store_record
from worker.catalog import load_catalog
from worker.pipeline import cpu_seconds, process_image

log = logging.getLogger("folio.pages")


def source_of(page: Page) -> dict:
    return {"file": page.document.name, "page": page.number, "sha256": page.document.sha256}


def _save_page_image(page: Page, image) -> str:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 88])
    name = f"pages/{page.document.sha256[:2]}/{page.document.sha256}-{page.number}.jpg"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buf.tobytes()))


def process_page(page_id: int, catalog: CatalogIndex | None = None) -> Page:
    """Run one page through the pipeline and store its record; errors end the page FAILED.

    Idempotent: re-running a page upserts the same record and keeps corrections.
    """
    page = Page.objects.select_related("document").get(pk=page_id)
    if page.document.error:
        return page  # rejected at submission; its FAILED state already says why
    catalog = catalog or load_catalog()
    Page.objects.filter(pk=page.pk).update(state=Page.State.RUNNING, attempts=page.attempts + 1)
    started = cpu_seconds()
    try:
        path: Path = original_path(page.document)
        image, dpi = files.load_page(path, page.document.kind, page.number, limits())
        work = process_image(image, catalog, source=source_of(page), dpi=dpi)
    except FolioError as exc:
        exc.file, exc.page = page.document.name, page.number
        log.warning("page failed: %s", exc)
        Page.objects.filter(pk=page.pk).update(state=Page.State.FAILED, error_code=exc.code, error=str(exc))
        page.refresh_from_db()
        return page
    with transaction.atomic():
        store_record(page, work.record)
        page.image = _save_page_image(page, work.clean_image)
        page.rotation = work.read.rotation
        page.skew = work.read.skew
        page.cpu_seconds = cpu_seconds() - started
        page.state = Page.State.DONE
        page.error_code = page.error = ""
        page.save()
    return page
