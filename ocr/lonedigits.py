"""A number cell that holds one digit, read as a letter or a mark ("K", "x", "»" for a
lone 8). Tesseract reads a glyph standing alone on its line badly, and its digit
re-read often finds nothing there; the ink still shows one glyph as tall as the page's
digits. It is judged as the row numbers' look-alikes are: the page's own digit (from
cells read surely) it looks most like, by a clear lead, is taken, vouched for at
:data:`LONE_CAP` at most, so that a reviewer sees it. No tesseract call.
"""
from __future__ import annotations

from typing import Sequence

from ocr.codes import GLYPH_LEAD, PageDigits
from ocr.numbers import WELL_FORMED
from ocr.types import BBox, OcrText

LONE_CAP = 0.6  # the most a digit told by its ink alone is vouched for
TALL = 0.75  # a glyph this share of the page's digit height at least is a digit, not a speck


def judge_lone_digits(boxes: dict[int, BBox], texts: Sequence[OcrText], *, digits: PageDigits,
                      height: float | None) -> list[OcrText]:
    """``texts`` with the cells ``boxes`` names (numbers, by their interiors) read as something
    other than a number, whose ink is one glyph about as tall as the page's digits
    (``height``, pixels), read as the page's digit (``digits``) that glyph looks most like."""
    out = list(texts)
    todo = [k for k in sorted(boxes)
            if texts[k].text.strip() and not WELL_FORMED.match(texts[k].text.replace(" ", ""))]
    if not todo or not height:
        return out
    for k in todo:
        crop, glyphs = digits.glyphs(boxes[k])
        if len(glyphs) != 1 or glyphs[0][3] - glyphs[0][1] < TALL * height * digits.scale:
            continue
        best = digits.likeliest(crop, glyphs[0])
        if best is not None and best[1] >= GLYPH_LEAD:
            out[k] = OcrText(best[0], LONE_CAP, texts[k].bbox or boxes[k])
    return out
