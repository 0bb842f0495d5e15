"""Number cells whose digits tesseract read as letters or marks, told by the page's own
digits: a cell that holds one digit, read as a letter or a mark ("K", "x", "»" for a
lone 8); and a number with a letter among its digits ("s2" for 52).

Tesseract reads a glyph standing alone on its line badly, and its digit re-read often
finds nothing there; the ink still shows one glyph as tall as the page's digits. It is
judged as the row numbers' look-alikes are: the page's own digit (from cells read
surely) it looks most like, by a clear lead, is taken, vouched for at :data:`LONE_CAP`
at most, so that a reviewer sees it. No tesseract call.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from ocr.codes import GLYPH_LEAD, PageDigits
from ocr.numbers import WELL_FORMED, Reading
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


# letters and marks tesseract reads a blurred or broken digit as, and the digits each may be
MARKED = {"S": "58", "s": "58", "$": "58", "B": "83", "Z": "27", "z": "27", "G": "60"}
_DIGITS_AND_MARKS = re.compile(r"[0-9" + re.escape("".join(MARKED)) + r",.]+")


def judge_marked_numbers(boxes: dict[int, BBox], texts: Sequence[OcrText], *, digits: PageDigits,
                         assessed: Callable[[int, OcrText], Reading]) -> list[OcrText]:
    """``texts`` with the cells ``boxes`` names (numbers, by their interiors) read as digits
    with letters among them that digits look like ("s2", "1$3"), and so ill formed or at
    odds with the ink's width: where the ink holds one glyph per digit and letter, each
    letter's glyph is read as the page's digit it looks most like of those the letter may
    be (:data:`MARKED`), by a clear lead; the number made so is taken where it is well
    formed and fits the ink, vouched for at :data:`LONE_CAP`. The letter alone does not
    decide: a fax's "$" is as often an 8 as a 5."""
    out = list(texts)
    for k, box in sorted(boxes.items()):
        text = texts[k].text.replace(" ", "")
        if not any(c in MARKED for c in text) or not any(c.isdigit() for c in text) \
                or not _DIGITS_AND_MARKS.fullmatch(text):
            continue
        kept = assessed(k, texts[k])
        if kept.width_ok and kept.well_formed:
            continue
        crop, glyphs = digits.glyphs(box)
        chars = [c for c in text if c not in ",."]
        if len(glyphs) != len(chars):
            continue
        told = []
        for ch, glyph in zip(chars, glyphs):
            best = (ch, 1.0) if ch.isdigit() else digits.likeliest(crop, glyph, among=MARKED[ch])
            if best is None or best[1] < GLYPH_LEAD:
                break
            told.append(best[0])
        else:
            it = iter(told)
            number = OcrText("".join(c if c in ",." else next(it) for c in text), LONE_CAP, texts[k].bbox or box)
            judged = assessed(k, number)
            if judged.width_ok and judged.well_formed:
                out[k] = number
    return out
