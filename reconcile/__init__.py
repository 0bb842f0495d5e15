"""Folio's understanding core: form recognition, catalog matching, checks.

Pure: no Django, no Celery, no database, and nothing from ``ocr``. The
Django model of the catalog and its CSV import live beside the pure modules
(``reconcile.models``, ``reconcile.admin``) and are the only ones that import
Django.
"""
