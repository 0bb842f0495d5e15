"""The pipeline: one visible list of typed stages, callable without Celery.

``folio run`` (in-process), the Celery worker, the web upload and the API all
end in :func:`process_image`; :mod:`worker.pages` is the thin shell around it
that loads a page row and stores the result.
"""
from __future__ import annotations

import resource
from dataclasses import dataclass, field
from typing import Any, Callable

import cv2
import numpy as np

from ocr.read import read_page
from ocr.types import PageRead
from reconcile.catalog import CatalogIndex
from reconcile.forms import understand
from reconcile.record import reconcile_record
from reconcile.types import RawRecord, ReportRecord


# Parallelism comes from pages (worker processes), not threads: one OpenCV thread per process.
cv2.setNumThreads(1)


@dataclass
class PageWork:
    """What flows through the stages; each stage fills its part."""

    image: np.ndarray
    dpi: int | None
    source: dict[str, Any]
    page_no: int
    clean_image: np.ndarray | None = None
    read: PageRead | None = None
    raw: RawRecord | None = None
    record: ReportRecord | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def stage_read(work: PageWork, catalog: CatalogIndex | None) -> None:
    """ocr/: cleanup (orientation, deskew, binarise), layout, cell reading."""
    clean, work.read = read_page(work.image, dpi=work.dpi)
    work.clean_image = clean.image


def stage_understand(work: PageWork, catalog: CatalogIndex | None) -> None:
    """reconcile/forms: which form, which column is which, by header text -> raw record."""
    work.raw = understand(work.read, page_no=work.page_no, source=work.source)


def stage_reconcile(work: PageWork, catalog: CatalogIndex | None) -> None:
    """reconcile/: catalog matches, the form's arithmetic checks, per-field status."""
    assert catalog is not None
    work.record = reconcile_record(work.raw, catalog)


Stage = Callable[[PageWork, "CatalogIndex | None"], None]
READ_STAGES: tuple[Stage, ...] = (stage_read, stage_understand)
PIPELINE: tuple[Stage, ...] = READ_STAGES + (stage_reconcile,)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (tesseract runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_stages(work: PageWork, stages: tuple[Stage, ...], catalog: CatalogIndex | None) -> PageWork:
    """Run the stages in order, recording each one's CPU seconds in ``work.seconds``."""
    for stage in stages:
        started = cpu_seconds()
        stage(work, catalog)
        work.seconds[stage.__name__.removeprefix("stage_")] = cpu_seconds() - started
    return work


def process_image(
    image: np.ndarray, catalog: CatalogIndex, *, source: dict[str, Any], dpi: int | None = None
) -> PageWork:
    """The whole pipeline on one page image: scan in, checked record out."""
    work = PageWork(image=image, dpi=dpi, source=source, page_no=int(source.get("page") or 1))
    return run_stages(work, PIPELINE, catalog)


def read_image(image: np.ndarray, *, source: dict[str, Any], dpi: int | None = None) -> PageWork:
    """OCR alone (``folio read``): scan in, raw record out."""
    work = PageWork(image=image, dpi=dpi, source=source, page_no=int(source.get("page") or 1))
    return run_stages(work, READ_STAGES, None)
