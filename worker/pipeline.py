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

from folio.errors import MissingDependency, NotAReport, ProgramTimeout, RejectedInput
from ocr.errors import OcrError, OcrMissing, OcrTimeout
from ocr.read import read_page
from ocr.types import PageRead
from reconcile.catalog import CatalogIndex
from reconcile.forms import form_evidence, understand
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
    drawn: bool = False  # rendered from a PDF's own text and shapes: no scan
    clean_image: np.ndarray | None = None
    read: PageRead | None = None
    raw: RawRecord | None = None
    record: ReportRecord | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def stage_read(work: PageWork, catalog: CatalogIndex | None) -> None:
    """ocr/: cleanup (orientation, deskew, binarise), layout, cell reading."""
    clean, work.read = read_page(work.image, dpi=work.dpi, drawn=work.drawn)
    work.clean_image = clean.image


def stage_understand(work: PageWork, catalog: CatalogIndex | None) -> None:
    """reconcile/forms: which form, which column is which, by header text -> raw record."""
    work.raw = understand(work.read, page_no=work.page_no, source=work.source)


BLANK_INK = 0.001  # share of print pixels below which a page is blank paper (a page of text has 2-10 %)
PRINT_CONTRAST = 40  # a pixel this much darker than the paper is print (faint print too; not noise: 13 sigma)


def _print_share(image: np.ndarray) -> float:
    """The share of pixels clearly darker than the page's paper (its brightest common tone)."""
    sample = image[::2, ::2]
    if sample.ndim == 3:
        sample = cv2.cvtColor(np.ascontiguousarray(sample[..., :3]), cv2.COLOR_RGB2GRAY)
    tones = np.bincount(sample.astype(np.uint8, copy=False).ravel(), minlength=256)
    paper = int(np.searchsorted(np.cumsum(tones), 0.9 * sample.size))
    return float(tones[:max(0, paper - PRINT_CONTRAST)].sum() / max(1, sample.size))


def _blank() -> NotAReport:
    return NotAReport("the page is blank (no print found on it); if it is the back of a sheet scanned on both "
                      "sides, nothing is missing; otherwise scan the page again", code="blank_page")


def stage_not_blank(work: PageWork, catalog: CatalogIndex | None) -> None:
    """Blank paper ends here, before the reader (which would read its noise as text for a while)."""
    if _print_share(work.image) < BLANK_INK:
        raise _blank()


def stage_is_report(work: PageWork, catalog: CatalogIndex | None) -> None:
    """A page that shows nothing of a report form (no title with header fields, no table with the
    forms' column titles) ends here, set aside (``NotAReport``), instead of becoming an empty record: a blank page, a
    photo, a cover letter. Decided from what ``ocr`` read and ``reconcile.forms`` recognised."""
    evidence = form_evidence(work.read, work.raw)
    if evidence.is_report:
        return
    if evidence.text == 0 and work.clean_image is not None and _print_share(work.clean_image) < BLANK_INK:
        raise _blank()
    raise NotAReport(
        f"the page is not a report: Folio found {evidence.found()} on it (a photo, a letter, another "
        "document?); if it is a report page, scan it again straight and whole, at 300 dpi; otherwise leave it out",
        code="not_a_report")


def stage_reconcile(work: PageWork, catalog: CatalogIndex | None) -> None:
    """reconcile/: catalog matches, the form's arithmetic checks, per-field status."""
    assert catalog is not None
    work.record = reconcile_record(work.raw, catalog)


Stage = Callable[[PageWork, "CatalogIndex | None"], None]
READ_STAGES: tuple[Stage, ...] = (stage_not_blank, stage_read, stage_understand, stage_is_report)
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
        try:
            stage(work, catalog)
        except OcrError as exc:
            raise folio_error(exc) from exc
        work.seconds[stage.__name__.removeprefix("stage_")] = cpu_seconds() - started
    return work


def folio_error(exc: OcrError):
    """The reading core's errors as Folio's: a tesseract time-out is a program time-out (tried once
    more, then the page FAILED with it), missing tesseract data a missing dependency, the rest rejected."""
    if isinstance(exc, OcrTimeout):
        return ProgramTimeout("tesseract", exc.seconds)
    if isinstance(exc, OcrMissing):
        return MissingDependency(f"{exc.message}; `folio doctor` checks it")
    return RejectedInput(f"the page could not be read ({exc.message}); scan it again", code=exc.code)


def process_image(
    image: np.ndarray, catalog: CatalogIndex, *, source: dict[str, Any], dpi: int | None = None,
    drawn: bool = False,
) -> PageWork:
    """The whole pipeline on one page image: scan in, checked record out (``drawn``: the
    image was rendered from a PDF's own text and shapes, :func:`ingest.files.drawn_page`)."""
    work = PageWork(image=image, dpi=dpi, source=source, page_no=int(source.get("page") or 1), drawn=drawn)
    return run_stages(work, PIPELINE, catalog)


def read_image(image: np.ndarray, *, source: dict[str, Any], dpi: int | None = None,
               drawn: bool = False) -> PageWork:
    """OCR alone (``folio read``): scan in, raw record out."""
    work = PageWork(image=image, dpi=dpi, source=source, page_no=int(source.get("page") or 1), drawn=drawn)
    return run_stages(work, READ_STAGES, None)
