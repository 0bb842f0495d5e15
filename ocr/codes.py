"""Code cells ("4.6.1, 4.6.2"): digits from tesseract, separators from geometry.

Tesseract often drops or swaps the tiny dots and commas of dotted codes
("2.11", "211,215"). Here the digits come from tesseract's character boxes
and each separator is decided by the ink itself: a small blob on the
baseline is a dot, one reaching below it is a comma; a wide gap is a space.
All code cells of a page are read with one call (stacked in a mosaic).
"""
from __future__ import annotations

import re
from typing import Sequence

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr._exec.tesseract import Glyph
from ocr.types import BBox, OcrText

CODE = re.compile(r"\d\s?[.,]\s?\d\s?[.,]\s?\d")
_PAD, _GAP = 20, 30


def _blobs(crop: np.ndarray) -> np.ndarray:
    """Connected components of ink: rows of (x0, y0, x1, y1)."""
    _, mask = cv2.threshold(crop, 190, 255, cv2.THRESH_BINARY_INV)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    s = stats[1:]
    keep = s[:, cv2.CC_STAT_AREA] >= 3
    s = s[keep]
    return np.stack([s[:, 0], s[:, 1], s[:, 0] + s[:, 2], s[:, 1] + s[:, 3]], axis=1) if len(s) else np.zeros((0, 4), int)


def _line_of(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    lines: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: (g.y0 + g.y1) / 2):
        cy = (g.y0 + g.y1) / 2
        for line in lines:
            ly0 = min(x.y0 for x in line)
            ly1 = max(x.y1 for x in line)
            if ly0 <= cy <= ly1:
                line.append(g)
                break
        else:
            lines.append([g])
    return [sorted(ln, key=lambda g: g.x0) for ln in sorted(lines, key=lambda ln: ln[0].y0)]


def _mark(blobs: np.ndarray, x0: float, x1: float, base: float, height: float) -> str:
    """'.' or ',' when a small blob sits between x0 and x1 near the baseline, else ''."""
    small = [b for b in blobs if b[0] >= x0 - 2 and b[2] <= x1 + 2
             and (b[3] - b[1]) < 0.5 * height and base - 0.5 * height < b[1] < base + 0.2 * height]
    if not small:
        return ""
    b = max(small, key=lambda b: b[3])
    ratio = (b[3] - b[1]) / max(1, b[2] - b[0])
    descent = (b[3] - base) / max(1.0, height / 20)  # in pixels of a 20 px digit
    comma = descent >= 2 or (descent >= 1 and ratio >= 1.6) or ratio >= 2.2
    return "," if comma else "."


def _baseline(blobs: np.ndarray, line: Sequence[Glyph], height: float) -> float:
    """The line's baseline: the lower of tesseract's and the digit blobs' median bottom."""
    y0, y1 = min(g.y0 for g in line), max(g.y1 for g in line)
    big = [b[3] for b in blobs if (b[3] - b[1]) > 0.6 * height and y0 - 3 <= (b[1] + b[3]) / 2 <= y1 + 3]
    glyph = float(np.median([g.y1 for g in line]))
    return max(glyph, float(np.median(big))) if big else glyph


_AS_DIGIT = {"l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "O": "0", "o": "0"}


def _compose(crop: np.ndarray, glyphs: Sequence[Glyph]) -> str:
    glyphs = [g if g.char.isdigit() else Glyph(_AS_DIGIT.get(g.char, g.char), g.x0, g.y0, g.x1, g.y1)
              for g in glyphs]
    digits = [g for g in glyphs if g.char.isdigit()]
    if not digits:
        return ""
    blobs = _blobs(crop)
    out = []
    for line in _line_of(digits):
        height = float(np.median([g.y1 - g.y0 for g in line]))
        base = _baseline(blobs, line, height)
        text = line[0].char
        for a, b in zip(line, line[1:]):
            mark = _mark(blobs, a.x1 - 1, b.x0 + 1, base, height)
            gap = b.x0 - a.x1
            space = mark == "," or gap > (1.3 if mark else 0.8) * height
            text += mark + (" " if space else "") + b.char
        text += _mark(blobs, line[-1].x1 - 1, line[-1].x1 + 0.5 * height, base, height)
        out.append(text)
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def read_codes(clean: np.ndarray, boxes: Sequence[BBox]) -> list[OcrText]:
    """Dotted-code cells read with one tesseract call; confidence reflects the geometry fit."""
    if not boxes:
        return []
    crops = [clean[b.y0:b.y1, b.x0:b.x1] for b in boxes]
    width = max(c.shape[1] for c in crops) + 2 * _PAD
    height = sum(c.shape[0] for c in crops) + _GAP * (len(crops) + 1)
    canvas = np.full((height, width), 255, np.uint8)
    slots, y = [], _GAP
    for c in crops:
        canvas[y:y + c.shape[0], _PAD:_PAD + c.shape[1]] = c
        slots.append(y)
        y += c.shape[0] + _GAP
    glyphs = tesseract.image_to_boxes(canvas, psm=6)
    out = []
    for crop, y0, box in zip(crops, slots, boxes):
        mine = [Glyph(g.char, g.x0 - _PAD, g.y0 - y0, g.x1 - _PAD, g.y1 - y0) for g in glyphs
                if y0 <= (g.y0 + g.y1) / 2 < y0 + crop.shape[0]]
        text = _compose(crop, mine)
        ok = all(re.fullmatch(r"\d+(\.\d+)+", t) for t in text.replace(",", " ").split())
        out.append(OcrText(text, 0.9 if text and ok else 0.4, box if text else None))
    return out
