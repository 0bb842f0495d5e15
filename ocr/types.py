"""Typed values that leave ``ocr/``. Data only, no logic.

Coordinates are pixels on the *upright, deskewed* page image that
:func:`ocr.cleanup.cleanup` returns (the image the service stores and shows
reviewers), origin top-left, ``x1``/``y1`` exclusive.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class BBox:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class OcrText:
    """A piece of text as read, with tesseract's confidence mapped to 0..1."""

    text: str
    confidence: float
    bbox: BBox | None = None


@dataclass(frozen=True)
class Line:
    """One printed line outside the table: its words in reading order."""

    text: str
    confidence: float
    bbox: BBox
    words: tuple[OcrText, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One cell of the ruled grid; merged cells span several rows/columns."""

    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox
    text: OcrText


@dataclass(frozen=True)
class Grid:
    """The ruled table: line positions and the cells between them."""

    bbox: BBox
    row_edges: tuple[int, ...]
    col_edges: tuple[int, ...]
    cells: tuple[Cell, ...]

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1


@dataclass(frozen=True)
class CleanPage:
    """A page after cleanup: upright, deskewed, grayscale."""

    image: np.ndarray = field(repr=False)
    rotation: int  # degrees clockwise applied to the scan to make it upright
    skew: float  # degrees of skew removed


@dataclass(frozen=True)
class PageRead:
    """Everything ``ocr/`` read from one page."""

    width: int
    height: int
    rotation: int
    skew: float
    header: tuple[Line, ...]  # printed lines above the table, top to bottom
    grid: Grid | None
    signature: tuple[tuple[Line, ...], ...]  # signature block columns, left to right
    footer: tuple[Line, ...] = ()  # other lines below the table (legend, notes)
    # Added by ocr.read: the factor by which the input was resized to ~300 dpi
    # before cleanup (bboxes refer to the resized, clean image).
    scale: float = 1.0
