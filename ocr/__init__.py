"""Folio's reading core: page images in, typed text blocks and a cell grid out.

Pure: no Django, no Celery, no database, and nothing from ``reconcile``.
"""
