"""Data for the review tests: real records with fields in review, on real page images.

- ``corpus_*`` helpers reconcile the real OCR output of tests/data/dif-2023
  against its catalog and store it (no images, fast).
- ``rendered_page`` (session): one sample page rendered as an office scan and
  read by the real pipeline once per test session (the slow part, ~10 s).
- ``review_page`` (per test, transactional so a live server sees it): the
  sample catalog imported, the scan submitted, and the page run through the
  real worker shell (``worker.pages.process_page``: claim, store, page image);
  only ``process_image`` answers from the session's reading of the same scan.

The sample record is changed in two generic ways before rendering, so the
page surely has what a reviewer works on whatever the reader's accuracy:
one row's annual target no longer adds up (numbers in review), and the first
signatory's name mixes two people of the catalog (a name in review, with
candidates).
"""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "dif-2023"
SAMPLE_CATALOG = ROOT / "samples" / "data" / "catalog.csv"
SCAN_PROFILE, SCAN_SEED = "office200", 5


# ---------------------------------------------------------------- corpus records (no images)
def corpus_raws() -> list:
    from reconcile.types import RawRecord

    lines = (CORPUS / "raw.jsonl").read_text(encoding="utf-8").splitlines()
    return [RawRecord.from_json(json.loads(line)) for line in lines if line.strip()]


def import_corpus_catalog() -> None:
    from reconcile.catalog_db import import_csv

    import_csv(CORPUS / "catalog.csv")


def make_page(batch=None, *, name: str = "scan.pdf", number: int = 1):
    from ingest.models import Batch, Document, Page

    batch = batch or Batch.objects.create(name="lote de prueba")
    doc = Document.objects.create(batch=batch, name=name, sha256=f"{name}-{number}".ljust(64, "0")[:64],
                                  original="x", size=1, kind="pdf", page_count=number)
    return Page.objects.create(document=doc, number=number, state=Page.State.DONE)


def store_raw(raw, page):
    """Reconcile a raw record with the catalog in the database and store it, as the worker does."""
    from reconcile.record import reconcile_record
    from records.store import store_record
    from worker.catalog import load_catalog

    record = reconcile_record(copy.deepcopy(raw), load_catalog())
    record.source = {"file": page.document.name, "page": page.number, "sha256": page.document.sha256}
    return store_record(page, record)


@functools.lru_cache(maxsize=None)
def _corpus_record(index: int):
    from reconcile.catalog import CatalogIndex, load_csv
    from reconcile.record import reconcile_record

    return reconcile_record(corpus_raws()[index], CatalogIndex(load_csv(CORPUS / "catalog.csv")))


def store_corpus(index: int, page):
    """Corpus page ``index`` reconciled with the corpus catalog (once per session) and stored."""
    from records.store import store_record

    record = copy.deepcopy(_corpus_record(index))
    record.source = {"file": page.document.name, "page": page.number, "sha256": page.document.sha256}
    return store_record(page, record)


def mixed_name(first: str, second: str) -> str:
    """A name no catalog person has: the first word of one person and a surname of another."""
    return f"{first.split()[0]} {second.split()[-2]}"


# ---------------------------------------------------------------- a rendered page
def sample_record() -> dict:
    from samples.generate import bundled_records

    record = copy.deepcopy(bundled_records()[0])
    signers = record["signatarios"]
    signers[0]["nombre"] = mixed_name(signers[0]["nombre"], signers[-1]["nombre"])
    row = next(r for r in record["rows"][1:] if isinstance(r.get("meta_anual"), int))
    row["meta_anual"] += 1
    return record


@dataclass
class Rendered:
    scan: Path
    work: object  # worker.pipeline.PageWork of the scan, read once


@pytest.fixture(scope="session")
def rendered_page(tmp_path_factory) -> Rendered:
    from ingest import files
    from reconcile.catalog import CatalogIndex, load_csv
    from samples.generate import render_batch
    from worker.pipeline import process_image

    out = tmp_path_factory.mktemp("review-scan")
    render_batch(out, SCAN_PROFILE, SCAN_SEED, records=[sample_record()])
    scan = next(p for p in sorted(out.iterdir()) if p.name != "truth.jsonl")
    image, dpi = files.load_page(scan, files.sniff(scan), 1, files.Limits())
    work = process_image(image, CatalogIndex(load_csv(SAMPLE_CATALOG)), source={"file": scan.name, "page": 1}, dpi=dpi)
    return Rendered(scan, work)


@pytest.fixture
def review_page(rendered_page, transactional_db, monkeypatch, settings, tmp_path):
    """The rendered page stored as the worker stores it; returns its Report."""
    from ingest.service import submit_paths
    from reconcile.catalog_db import import_csv
    from records.models import Report
    from worker import pages

    settings.MEDIA_ROOT = str(tmp_path / "media")

    def read_once(image, catalog, *, source, dpi=None, drawn=False):
        work = copy.deepcopy(rendered_page.work)
        work.record.source = source
        return work

    import_csv(SAMPLE_CATALOG)
    batch, submitted = submit_paths([rendered_page.scan], batch_name="muestra de revisión")
    page = submitted[0].pages[0]
    monkeypatch.setattr(pages, "process_image", read_once)
    done = pages.process_page(page.id)
    assert done.state == "done", done.error
    return Report.objects.select_related("page__document").get(page=page)
