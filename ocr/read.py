"""Read one page: cleanup -> layout -> cells, header and signature lines.

``read_page(image, dpi=None) -> (CleanPage, PageRead)``: ``CleanPage.image``
is the clean (upright, deskewed, grayscale, ~300 dpi) image that every bbox
refers to; ``PageRead.scale`` is the factor the input was resized by first.
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr.cells import ReadSettings, erase_rulings, read_cells
from ocr.cleanup import cleanup, despeckle
from ocr.layout import Layout, find_layout
from ocr.types import BBox, CleanPage, Line, PageRead
from ocr.words import group_lines, shift, split_gaps, to_line, to_lines

NOMINAL_DPI = 300
LINE_GAP = 90  # pixels at 300 dpi: words further apart are separate lines
TEXT_SCALE = 0.75  # header and signature are read from a reduced copy (faster, as good)


def _region_words(gray: np.ndarray, box: BBox, psm: int = 6, scale: float = TEXT_SCALE):
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    if crop.size == 0 or int((crop < 128).sum()) < 30:
        return []
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return shift(tesseract.image_to_data(crop, psm=psm), box.x0, box.y0, scale)


def read_header(gray: np.ndarray, box: BBox) -> tuple[Line, ...]:
    return to_lines(_region_words(gray, box), max_gap=LINE_GAP)


def read_signature(gray: np.ndarray, layout: Layout) -> tuple[tuple[tuple[Line, ...], ...], tuple[Line, ...]]:
    """One tesseract call over the region below the table: its lines split into the
    signature columns; lines running across a column boundary (legends) are the footer."""
    words = _region_words(gray, layout.signature)
    columns = layout.signature_columns or (layout.signature,)
    cuts = [c.x0 for c in columns[1:]]
    footer, kept = [], []
    for line in group_lines(words):
        for part in split_gaps(line, LINE_GAP):
            x0, x1 = part[0].x0, part[-1].x1
            crosses = any(x0 < c - 10 and x1 > c + 10 for c in cuts)
            (footer if crosses else kept).append(part)
    out = []
    for col in columns:
        mine = [w for part in kept for w in part if col.x0 <= w.cx < col.x1]
        out.append(to_lines(mine, max_gap=LINE_GAP))
    return tuple(out), tuple(to_line(part) for part in footer)


def _to_nominal(image: np.ndarray, dpi: int | None) -> tuple[np.ndarray, float]:
    if not dpi or dpi >= NOMINAL_DPI * 0.9:
        return image, 1.0
    scale = NOMINAL_DPI / dpi
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), scale


def read_page(image: np.ndarray, *, dpi: int | None = None, rotation: int | None = None,
              settings: ReadSettings = ReadSettings(),
              numeric_cols: set[int] | None = None) -> tuple[CleanPage, PageRead]:
    """Everything ``ocr/`` reads from one page image (gray, RGB or RGBA uint8).

    ``dpi`` below ~270 makes the page be upscaled to 300 dpi first; ``rotation``
    forces the clockwise right-angle turn instead of detecting it.
    """
    image, scale = _to_nominal(image, dpi)
    page = cleanup(image, rotation=rotation)
    layout = find_layout(page.image)  # before despeckling: the dots of a faxed ruling are line
    gray = despeckle(page.image)
    page = replace(page, image=gray)
    grid = None
    if layout.grid is not None:
        grid = read_cells(gray, layout.grid, layout.rulings, settings=settings, numeric_cols=numeric_cols)
    text_gray = erase_rulings(gray, layout.rulings)
    header = read_header(text_gray, layout.header)
    signature, footer = read_signature(text_gray, layout) if layout.grid is not None else ((), ())
    h, w = gray.shape
    read = PageRead(width=w, height=h, rotation=page.rotation, skew=page.skew, header=header,
                    grid=grid, signature=signature, footer=footer, scale=scale)
    return page, read
