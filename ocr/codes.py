"""Code cells ("4.6.1, 4.6.2"): digits from tesseract, separators from geometry.

Tesseract often drops or swaps the tiny dots and commas of dotted codes
("2.11", "211,215"). Here the digits come from tesseract's character boxes
and each separator is decided by the code grammar (:mod:`ocr.codegrammar`)
from the gaps between digits and the marks in the ink: a small blob on the
baseline is a dot, one reaching below it is a comma. All code cells of a page
are read on one mosaic, freely; the cells the vote is unsure of once more (digits
and separators only); the readings and the first pass's text vote, and the
confidence says how they agreed.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr._exec.tesseract import Glyph
from ocr.codegrammar import Gap, parse
from ocr.types import BBox, OcrText
from ocr.words import stack_crops

_PAD, _GAP = 20, 30
CODE_SCALE = 0.75  # code crops are resized by this before reading unless told (small print: larger)
_CODE_CHARS = "0123456789.,"


def _boxes(mask: np.ndarray) -> np.ndarray:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    s = stats[1:]
    s = s[s[:, cv2.CC_STAT_AREA] >= 3]
    return np.stack([s[:, 0], s[:, 1], s[:, 0] + s[:, 2], s[:, 1] + s[:, 3]], axis=1) if len(s) else np.zeros((0, 4), int)


def _levels(crop: np.ndarray) -> tuple[float, float]:
    """Gray of the ink's core (darkest after a 3x3 median, so lone specks don't count) and
    of the paper."""
    return float(cv2.medianBlur(crop, 3).min()), float(np.median(crop))


def _blobs(crop: np.ndarray, level: float = 0.55) -> np.ndarray:
    """Connected components of ink darker than ``level`` of the way from paper to ink."""
    ink, paper = _levels(crop)
    _, mask = cv2.threshold(crop, float(ink + level * (paper - ink)), 255, cv2.THRESH_BINARY_INV)
    return _boxes(mask)


def _marks(crop: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Faint small ink (dots, commas) at a light cut, with the digits' own ink taken out:
    a blurred comma touching its digit comes apart, a pale dot is still seen."""
    ink, paper = _levels(crop)
    _, light = cv2.threshold(crop, float(ink + 0.8 * (paper - ink)), 255, cv2.THRESH_BINARY_INV)
    taken = np.zeros_like(light)
    for x0, y0, x1, y1 in digits:
        taken[y0:y1, x0:x1] = 255
    return _boxes(cv2.subtract(light, cv2.dilate(taken, np.ones((3, 3), np.uint8))))


def _line_of(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs in lines, top to bottom; each line in tesseract's reading order (its boxes
    may be wrong where its text is right: a box that swallowed a lost dot starts left of
    the digit before it)."""
    order = {id(g): i for i, g in enumerate(glyphs)}
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
    return [sorted(ln, key=lambda g: order[id(g)]) for ln in sorted(lines, key=lambda ln: ln[0].y0)]


def _snap(line: Sequence[Glyph], tall: np.ndarray, width: float) -> list[Glyph]:
    """Digit boxes tesseract got wrong (wider than 1.4 digits, or starting left of the
    digit before: a box that swallowed a lost dot) made their ink's: the leftmost
    digit-high blob right of the previous digit whose centre lies inside the box."""
    out: list[Glyph] = []
    for g in line:
        right = out[-1].x1 if out else -1e9
        if g.x1 - g.x0 > 1.4 * width or g.x0 < right:
            cands = [b for b in tall if b[0] >= right - 2 and g.x0 - 3 <= (b[0] + b[2]) / 2 <= g.x1 + 3
                     and g.y0 - 3 <= (b[1] + b[3]) / 2 <= g.y1 + 3]
            if cands:
                b = min(cands, key=lambda b: b[0])
                g = replace(g, x0=int(b[0]), x1=int(b[2]))
        out.append(g)
    return out


def _mark(blobs: np.ndarray, x0: float, x1: float, base: float, height: float,
          dot: tuple[float, float] | None = None) -> str:
    """'.' or ',' when a small blob sits between x0 and x1 near the baseline, else ''.

    ``dot`` is the (bottom, height) of a typical dot on this line, when known: a comma
    reaches lower and is taller than the dots beside it."""
    small = [b for b in blobs if b[0] >= x0 - 2 and b[2] <= x1 + 2
             and (b[3] - b[1]) < 0.5 * height and base - 0.5 * height < b[1] < base + 0.2 * height]
    if not small:
        return ""
    b = max(small, key=lambda b: b[3])
    unit = max(1.0, height / 20)  # pixels of a 20 px digit
    if dot is not None:
        lower = (b[3] - dot[0]) / unit
        comma = lower >= 1.5 or (b[3] - b[1]) >= 1.5 * dot[1]
    else:
        ratio = (b[3] - b[1]) / max(1, b[2] - b[0])
        descent = (b[3] - base) / unit
        comma = descent >= 2 or (descent >= 1 and ratio >= 1.6) or ratio >= 2.2
    return "," if comma else "."


def _baseline(blobs: np.ndarray, line: Sequence[Glyph], height: float) -> float:
    """The line's baseline: the lower of tesseract's and the digit blobs' median bottom."""
    y0, y1 = min(g.y0 for g in line), max(g.y1 for g in line)
    big = [b[3] for b in blobs if (b[3] - b[1]) > 0.6 * height and y0 - 3 <= (b[1] + b[3]) / 2 <= y1 + 3]
    glyph = float(np.median([g.y1 for g in line]))
    return max(glyph, float(np.median(big))) if big else glyph


_AS_DIGIT = {"l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "O": "0", "o": "0"}


def _compose_grammar(crop: np.ndarray, glyphs: Sequence[Glyph], levels: int) -> tuple[str, float] | None:
    """Tesseract's digits, separators decided by the code grammar (``levels`` per code) from
    the gaps between digits and the marks in the ink; the reading and its cost."""
    digits = [g for g in glyphs if g.char.isdigit()]
    if not digits:
        return None
    height = float(np.median([g.y1 - g.y0 for g in digits]))
    digits = [g for g in digits if g.y1 - g.y0 >= 0.6 * height]  # a dot read as "1" is short
    blobs = _blobs(crop)
    hs = blobs[:, 3] - blobs[:, 1] if len(blobs) else np.zeros(0)
    small = _marks(crop, blobs[hs >= 0.6 * height]) if len(blobs) else blobs
    tall = blobs[hs >= 0.6 * height] if len(blobs) else blobs
    width = float(np.median([g.x1 - g.x0 for g in digits]))
    chars, gaps = [], []
    for n, line in enumerate(_line_of(digits)):
        line = _snap(line, tall, width)
        if n:
            gaps.append(Gap(0.0, wrap=True))
        base = _baseline(blobs, line, height) if len(blobs) else float(np.median([g.y1 for g in line]))
        chars.append(line[0].char)
        for a, b in zip(line, line[1:]):
            mark = _mark(small, a.x1 - 1, b.x0 + 1, base, height) if len(small) else ""
            gaps.append(Gap((b.x0 - a.x1) / height, mark))
            chars.append(b.char)
    return parse(chars, gaps, levels=levels)


def well_formed(text: str, pattern: str) -> bool:
    """Every code in the cell ("4.6.1, 4.6.2") matches the code pattern."""
    tokens = text.replace(",", " ").split()
    return bool(tokens) and all(re.fullmatch(pattern, t) for t in tokens)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", text)).strip(" ,")


def _vote(readings: Sequence[tuple[str, float]], first: str, pattern: str) -> tuple[str, float]:
    """One cell's text from its readings ``(text, grammar cost)`` and the first pass's text.

    A reading whose every gap agreed with the grammar (cost < 1) and whose digits are the
    first pass's (an independent read, at another scale): 0.97. Two texts alike: 0.9.
    A reading whose gaps agreed: 0.8. One that needed a level of two digits or a gap
    against its grade: 0.6 (a reviewer looks). Nothing well formed: the first pass's
    text at 0.3."""
    digits = re.sub(r"\D", "", first)
    ranked = sorted(readings, key=lambda r: r[1])
    for t, cost in ranked:
        if cost < 1.0 and well_formed(t, pattern) and re.sub(r"\D", "", t) == digits:
            return _norm(t), 0.97
    texts = [_norm(t) for t, _ in readings] + ([_norm(first)] if first else [])
    for t in texts:
        if t and texts.count(t) >= 2 and well_formed(t, pattern):
            return t, 0.9
    for t, cost in ranked:
        if cost < 1.0 and well_formed(t, pattern):
            return _norm(t), 0.8
    for t, _ in ranked:
        if well_formed(t, pattern):
            return _norm(t), 0.6
    return (_norm(first), 0.3) if first else ("", 0.0)


PAPER_MARGIN = 20  # gray levels: marks this close to the paper's are texture, not print


def _paper_white(crop: np.ndarray) -> np.ndarray:
    """Near-white made white: a faint texture on the paper (show-through, a tinted cell)
    is taken by tesseract's recognizer, which reads the gray image, for strokes
    ("2.1.1, 2.1.5" read "Did LS"); dots and commas are far darker."""
    if crop.size == 0:
        return crop
    out = crop.copy()
    out[out >= float(np.median(crop)) - PAPER_MARGIN] = 255
    return out


def _grammar_readings(glyphs: Sequence[Glyph], crops: Sequence[np.ndarray], slots: Sequence[int],
                      levels: int) -> list[tuple[str, float] | None]:
    """Each crop's reading from one tesseract read of the mosaic: its glyphs (back in the
    crop's pixels) composed by the code grammar."""
    out = []
    for crop, y0 in zip(crops, slots):
        mine = [Glyph(_AS_DIGIT.get(g.char, g.char), g.x0 - _PAD, g.y0 - y0, g.x1 - _PAD, g.y1 - y0)
                for g in glyphs if y0 <= (g.y0 + g.y1) / 2 < y0 + crop.shape[0]]
        out.append(_compose_grammar(crop, mine, levels))
    return out


def read_codes(clean: np.ndarray, boxes: Sequence[BBox], *, first: Sequence[OcrText] | None = None,
               pattern: str = r"\d+(\.\d+)+", levels: int = 3, scale: float = CODE_SCALE,
               blur: float = 0.0) -> list[OcrText]:
    """Dotted-code cells, read on one mosaic, freely; in each, tesseract's digits with
    separators decided by the code grammar; then the reading and the first pass's text
    vote (:func:`_vote`). Cells the vote is not sure of (< 0.97) are read once more, on a
    mosaic of their own with only digits and separators allowed, and vote again with
    both readings (a second call only where it can change something). ``blur``: the
    sigma of a blur each crop is read through (a black-and-white scan's jagged, broken
    strokes, "2.4.4, 2.4.5" read "24.24.5", read better with grey edges)."""
    if not boxes:
        return []
    crops = [_paper_white(clean[b.y0:b.y1, b.x0:b.x1]) for b in boxes]
    if blur > 0:
        crops = [cv2.GaussianBlur(c, (0, 0), blur) if c.size else c for c in crops]
    if scale != 1.0:
        crops = [cv2.resize(c, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
                 for c in crops]
    firsts = [first[i].text if first is not None else "" for i in range(len(boxes))]
    canvas, slots = stack_crops(crops, gap=_GAP, pad=_PAD)
    readings = [[r] if r is not None else [] for r in
                _grammar_readings(tesseract.image_to_boxes(canvas, psm=6), crops, slots, levels)]
    votes = [_vote(rs, f, pattern) for rs, f in zip(readings, firsts)]
    again = [i for i, (_, conf) in enumerate(votes) if conf < 0.97]
    if again:
        sub = [crops[i] for i in again]
        canvas, slots = stack_crops(sub, gap=_GAP, pad=_PAD)
        seconds = _grammar_readings(tesseract.image_to_boxes(canvas, psm=6, whitelist=_CODE_CHARS), sub, slots, levels)
        for i, r in zip(again, seconds):
            if r is not None:
                votes[i] = _vote(readings[i] + [r], firsts[i], pattern)
    return [OcrText(text, conf if text else 0.0, box if text else None) for (text, conf), box in zip(votes, boxes)]
