"""Folio's reading core: page images in, typed text blocks and a cell grid out.

Pure: no Django, no Celery, no database, and nothing from ``reconcile``.

Public API::

    from ocr.read import read_page            # (image, *, dpi=None, rotation=None, settings, numeric_cols)
    clean, page = read_page(image, dpi=200)   # -> (CleanPage, PageRead)

    ocr.cleanup.cleanup(image, *, rotation=None) -> CleanPage     # upright, deskewed, flattened gray
    ocr.layout.find_layout(gray) -> Layout                         # grid, rulings, header/signature boxes
    ocr.cells.read_cells(gray, grid, rulings, *, settings, numeric_cols) -> Grid   # texts filled in
    ocr._exec.tesseract.probe() -> Probe                           # version, languages, engine; OcrMissing if no 'spa'

All bboxes are pixels of ``CleanPage.image`` (upright, deskewed, ~300 dpi:
inputs under ~270 dpi are upscaled first, ``PageRead.scale`` says by how much).
Cell confidence is calibrated: on the bench, cells read with confidence >= 0.95 are
right at least 99 % of the time (numbers: two agreeing reads that fit the ink -> 0.99).
Errors: :mod:`ocr.errors` (``OcrError(code, message)``, ``OcrTimeout``, ``OcrMissing``).
"""
