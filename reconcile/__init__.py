"""Folio's understanding core: form recognition, catalog matching, checks.

Pure: no Django, no Celery, no database, and nothing from ``ocr``. The
Django model of the catalog and its CSV import live beside the pure modules
(``reconcile.models``, ``reconcile.admin``) and are the only ones that import
Django.

Public entry points (pure):

* ``reconcile.record.reconcile_record(raw, catalog) -> ReportRecord`` and
  ``reconcile_json(obj, catalog) -> dict`` (raw record -> report record);
* ``reconcile.catalog``: ``CatalogEntry``, ``load_csv``, ``write_csv``, ``CatalogIndex``;
* ``reconcile.match.match(text, choices, *, scorer, limit) -> Match`` with the
  scorers ``text_score``, ``code_score`` (OCR look-alikes), ``name_score``;
* ``reconcile.parse``: raw text -> typed values; ``reconcile.checks``: the
  form's arithmetic and single-reading repairs; ``reconcile.evidence``: the
  confidence/status rule.
"""
