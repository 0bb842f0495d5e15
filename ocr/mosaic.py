"""Many regions, one tesseract call: pieces of the page stacked on one white canvas.

Each tesseract run pays a start-up and, in page-segmentation mode 6, reads a
block as lines of text. Stacking the pieces (header, each table column, the
signature block; or the doubtful cells) one under the other with white gaps
gives one call whose lines never mix two pieces: a number centred in its cell
is not read as part of the neighbouring cell's second line of prose, which
wrecked whole rows when the table was read as one block.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr._exec.tesseract import Word
from ocr.types import BBox, OcrText
from ocr.words import shift, stack_crops, to_text

GAP, PAD = 30, 20  # canvas pixels between pieces and at the left edge


@dataclass(frozen=True)
class Piece:
    """A region of the page to read; ``blank`` parts of it are painted white first
    (cells that another piece reads whole)."""

    box: BBox
    blank: tuple[BBox, ...] = ()


def _crop(image: np.ndarray, piece: Piece, scale: float) -> np.ndarray:
    b = piece.box
    crop = image[b.y0:b.y1, b.x0:b.x1]
    if piece.blank:
        crop = crop.copy()
        for z in piece.blank:
            crop[max(0, z.y0 - b.y0):max(0, z.y1 - b.y0), max(0, z.x0 - b.x0):max(0, z.x1 - b.x0)] = 255
    if scale != 1.0 and crop.size:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return crop


def mosaic_words(image: np.ndarray, pieces: Sequence[Piece], *, scale: float, whitelist: str | None = None,
                 psm: int = 6) -> list[list[Word]]:
    """Words of each piece (pixels of ``image``), read with one tesseract call."""
    pieces = [p for p in pieces]
    if not pieces:
        return []
    crops = [_crop(image, p, scale) for p in pieces]
    crops = [c if c.size else np.full((1, 1), 255, np.uint8) for c in crops]
    canvas, tops = stack_crops(crops, gap=GAP, pad=PAD)
    words = tesseract.image_to_data(canvas, psm=psm, whitelist=whitelist)
    out: list[list[Word]] = [[] for _ in pieces]
    bottoms = [t + c.shape[0] for t, c in zip(tops, crops)]
    for w in words:
        for i, (top, bottom) in enumerate(zip(tops, bottoms)):
            if top - GAP / 2 <= w.cy < bottom + GAP / 2:
                out[i].append(w)
                break
    return [shift(ws, p.box.x0 - PAD / scale, p.box.y0 - top / scale, scale)
            for ws, p, top in zip(out, pieces, tops)]


def mosaic_read(image: np.ndarray, boxes: Sequence[BBox], *, scale: float, whitelist: str | None,
                psm: int = 6) -> list[OcrText]:
    """Each box's text (words joined in reading order), all boxes read with one call."""
    if not boxes:
        return []
    return [to_text(ws) for ws in mosaic_words(image, [Piece(b) for b in boxes], scale=scale,
                                                 whitelist=whitelist, psm=psm)]
