"""Numbers in cells: does the ink hold as many digits as the reading, which reading to keep,
how sure to be.

Tesseract's commonest slip on a number is a dropped or doubled digit ("117"
read "17", "33" read "3", "1,125" read "1,1125"), often with a high confidence.
The ink disagrees: printed digits have one advance width (tabular figures), so
the width of a cell's print says how many characters it holds. The advance is
measured on the page itself (the median over its numeric cells), so any font
and any scan resolution serve. A reading whose width matches the ink, that is
well formed ("121,568", "25%") and that a second, differently configured read
agrees with is very likely right; each missing piece of evidence lowers the
confidence (see :func:`judge`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from ocr.types import OcrText

WELL_FORMED = re.compile(r"^-?\d{1,3}(,\d{3})*%?$|^-?\d+%?$")
_COMMA, _PERCENT, _BEARING, _ONE = 0.5, 1.6, 0.15, 0.3  # widths in digit advances


# marks tesseract reads a printed 1 or 0 as, in any cell of digits; each reader adds the
# look-alikes of its own print (a fax's "]" for a 1 in a number, a serif "$" for a 5 in a code)
LOOKALIKES = {"l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "O": "0", "o": "0"}


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def units(text: str) -> float:
    """Width of a printed number in digit advances, from its first to its last ink
    (commas are narrow, "%" wide, a "1" at either end leaves white in its box)."""
    t = text.replace(" ", "")
    digits = digits_of(t)
    if not digits:
        return 0.0
    width = len(digits) + _COMMA * (t.count(",") + t.count(".")) + _PERCENT * t.count("%") - _BEARING
    width -= _ONE * (t[0] == "1") + _ONE * (t.rstrip("%")[-1:] == "1" and len(digits) > 1)
    return max(width, 0.3)


STACK_OVERLAP, STACK_HEIGHT, STACK_PIECE, STACK_COVER = 0.5, (0.8, 1.15), 0.15, 0.5


def stacked(boxes: np.ndarray) -> np.ndarray:
    """Marks (``x, y, w, h`` rows) one above the other joined in twos: a stroke a fax or a
    photocopy broke (a 1's stem and its foot) is as tall as the glyph it belongs to. Two
    marks join where their columns overlap by half the narrower's width and together they
    stand about as tall as the tallest mark (:data:`STACK_HEIGHT`: a glyph made whole),
    inked over half that height at least (:data:`STACK_COVER`), so the dots of a ruling
    left down a cell's edge stay apart; specks (under :data:`STACK_PIECE` of the tallest)
    join nothing."""
    hs = boxes[:, 3]
    if len(boxes) < 2:
        return boxes
    low, cap = (share * float(hs.max()) for share in STACK_HEIGHT)
    pieces = np.flatnonzero(hs >= max(2.0, STACK_PIECE * float(hs.max())))
    ext = {int(i): [int(boxes[i, 0]), int(boxes[i, 1]), int(boxes[i, 0] + boxes[i, 2]), int(boxes[i, 1] + boxes[i, 3])]
           for i in pieces}
    x0, y0 = boxes[pieces, 0], boxes[pieces, 1]
    x1, y1 = x0 + boxes[pieces, 2], y0 + boxes[pieces, 3]
    overlap = np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)
    narrow = np.minimum.outer(x1 - x0, x1 - x0)
    tall = np.maximum.outer(y1, y1) - np.minimum.outer(y0, y0)
    cover = np.add.outer(y1 - y0, y1 - y0)
    near = (overlap >= STACK_OVERLAP * narrow) & (tall >= low) & (tall <= cap) & (cover >= STACK_COVER * tall)
    done: set[int] = set()
    for a, b in zip(*np.nonzero(np.triu(near, 1))):
        a, b = int(pieces[a]), int(pieces[b])
        if a not in done and b not in done:  # in twos: a chain of dots never grows into a glyph
            ea, eb = ext.pop(a), ext.pop(b)
            ext[a] = [min(ea[0], eb[0]), min(ea[1], eb[1]), max(ea[2], eb[2]), max(ea[3], eb[3])]
            done |= {a, b}
    rest = np.delete(np.arange(len(boxes)), pieces)
    joined = np.array([[e[0], e[1], e[2] - e[0], e[3] - e[1]] for e in ext.values()], dtype=boxes.dtype).reshape(-1, 4)
    return np.concatenate([joined, boxes[rest]])


def ink_width(crop: np.ndarray) -> tuple[float, float] | None:
    """Width and height of the print in a cell's interior: from the first to the last
    digit-high mark (specks and stray rulings' ends left out). None when the cell holds
    no clear print."""
    if crop.size == 0 or int(crop.min()) > 150:
        return None
    _, mask = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    s = stacked(stats[1:, :4])
    hs = s[:, cv2.CC_STAT_HEIGHT]
    if hs.max() < 8:
        return None
    tall = s[(hs >= 0.6 * hs.max()) & (s[:, cv2.CC_STAT_WIDTH] < 0.9 * crop.shape[1])]
    if not len(tall):
        return None
    width = float((tall[:, 0] + tall[:, 2]).max() - tall[:, 0].min())
    return width, float(np.median(tall[:, cv2.CC_STAT_HEIGHT]))


def advance(samples: Sequence[tuple[str, float | None]]) -> float | None:
    """The page's digit advance in pixels: the median width per unit over cells whose
    reading is well formed (most of them are right, so the median is)."""
    ratios = [w / units(t) for t, w in samples
              if w is not None and WELL_FORMED.match(t.replace(" ", "")) and units(t) >= 1.5]
    return float(np.median(ratios)) if len(ratios) >= 3 else None


@dataclass(frozen=True)
class Reading:
    """One reading of a numeric cell and what the ink says of it."""

    text: OcrText
    width_ok: bool
    well_formed: bool


def assess(text: OcrText, width: float | None, adv: float | None, percent: bool | None = None) -> Reading:
    """What the ink says of a reading: does it fit the print's width, and is it well formed
    (with a "%" exactly where its column prints them, when the column is clear about it)."""
    t = text.text.replace(" ", "")
    fits = width is not None and adv is not None and bool(t) and abs(width / adv - units(t)) < 0.5
    formed = bool(WELL_FORMED.match(t)) and (percent is None or ("%" in t) == percent)
    return Reading(text, fits, formed)


def percent_columns(texts: dict[int, list[str]]) -> dict[int, bool]:
    """Columns that print "%" in (nearly) every number (True) or in none (False)."""
    out = {}
    for col, values in texts.items():
        values = [v for v in values if v]
        if len(values) >= 3:
            share = sum("%" in v for v in values) / len(values)
            if share >= 0.6 or share <= 0.1:
                out[col] = share >= 0.6
    return out


def doubtful(reading: Reading, limit: float) -> bool:
    """Worth a second read: ill formed, at odds with the ink, or weakly read."""
    return not (reading.width_ok and reading.well_formed) or reading.text.confidence < limit


def _rank(r: Reading) -> tuple:
    return (r.width_ok and r.well_formed, r.width_ok, r.well_formed, r.text.confidence)


def judge(first: Reading, second: Reading | None) -> OcrText:
    """The reading to keep and a confidence that says how often such a cell is right.

    Two readings that agree digit for digit, fit the ink's width and are well formed:
    0.99. One reading that fits and is well formed: tesseract's confidence, capped at
    0.97. A reading the ink contradicts, or that is ill formed: at most 0.75 when both
    readings agree, else 0.5."""
    candidates = [first] + ([second] if second is not None and second.text.text else [])
    best = max(candidates, key=_rank)
    agree = len(candidates) == 2 and digits_of(first.text.text) == digits_of(second.text.text)
    base = best.text.confidence
    if best.width_ok and best.well_formed:
        conf = 0.99 if agree else min(0.97, base)
    else:
        conf = min(0.75 if agree else 0.5, base)
    return OcrText(best.text.text, round(conf, 4), best.text.bbox)


OUTVOTED_FIT, OUTVOTED = 0.85, 0.6  # the most a reading that outvoted the kept one is vouched for


def outvote(kept: Reading, readings: Sequence[Reading]) -> OcrText:
    """The kept reading of a number, or the digits more of the cell's readings agree on.

    Tesseract's slip on a blurred digit at one scale ("3504" for 3,594) is seldom
    repeated at two others, so digits that two readings agree on beat a kept
    reading no other shares, even one that fits the ink. Only well-formed readings
    vote; the majority must outnumber every other group, and fit the ink unless the
    kept reading does not either. A reading kept so is vouched for at
    :data:`OUTVOTED_FIT` (it fits the ink) or :data:`OUTVOTED` at most: two readings
    against one are evidence, not proof."""
    groups: dict[str, list[Reading]] = {}
    for r in readings:
        if r.well_formed and digits_of(r.text.text):
            groups.setdefault(digits_of(r.text.text), []).append(r)
    ranked = sorted(groups.items(), key=lambda kv: len(kv[1]), reverse=True)
    if not ranked:
        return kept.text
    digits, group = ranked[0]
    fits = any(r.width_ok for r in group)
    clear = len(group) >= 2 and (len(ranked) == 1 or len(ranked[1][1]) < len(group))
    if digits == digits_of(kept.text.text) or not clear or (not fits and kept.width_ok and kept.well_formed):
        return kept.text
    pick = max(group, key=lambda r: (r.width_ok, r.text.confidence)).text
    return OcrText(pick.text, min(pick.confidence, OUTVOTED_FIT) if fits else OUTVOTED, pick.bbox)
