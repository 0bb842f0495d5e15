"""Code cells ("4.6.1, 4.6.2"): digits from tesseract, separators from geometry.

Tesseract often drops or swaps the tiny dots and commas of dotted codes
("2.11", "211,215"). Here the digits come from tesseract's character boxes
and each separator is decided by the code grammar (:mod:`ocr.codegrammar`)
from the gaps between digits and the marks in the ink: a small blob on the
baseline is a dot, one reaching below it is a comma. All code cells of a page
are read on one mosaic, freely; the cells the vote is unsure of once more (digits
and separators only); the readings and the first pass's text vote, and the
confidence says how they agreed. Where they still differ in a digit, the page's own
digits (those its readings agree on) may say which it is. The gap that tells a dot
from a comma is learned from the page's own marked gaps, and the ink's own count of
digits says which reading lost or invented one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterable, Sequence

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr._exec.tesseract import Glyph
from ocr.codegrammar import Gap, parse
from ocr.numbers import LOOKALIKES, digits_of
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
    """Connected components of ink darker than ``level`` of the way from paper to ink (none
    on a blank crop)."""
    ink, paper = _levels(crop)
    if paper - ink < 1:
        return np.zeros((0, 4), int)
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


def _in_lines(items: Sequence, top, bottom) -> list[list]:
    """Boxes grouped in lines of print by their vertical centre, taken in the order of their
    centres: each joins the first line whose extent (grown by its members) holds it."""
    lines: list[list] = []
    for it in sorted(items, key=lambda it: (top(it) + bottom(it)) / 2):
        cy = (top(it) + bottom(it)) / 2
        for line in lines:
            if min(map(top, line)) <= cy <= max(map(bottom, line)):
                line.append(it)
                break
        else:
            lines.append([it])
    return lines


def _line_of(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs in lines, top to bottom; each line in tesseract's reading order (its boxes
    may be wrong where its text is right: a box that swallowed a lost dot starts left of
    the digit before it)."""
    order = {id(g): i for i, g in enumerate(glyphs)}
    lines = _in_lines(glyphs, lambda g: g.y0, lambda g: g.y1)
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


@dataclass(frozen=True)
class _Ink:
    """A code crop's ink, measured once: all blobs, the small marks (dots, commas), the
    digit height (from tesseract's digit boxes) and the digits as the ink shows them
    (``digits``: digit-high blobs in lines, left to right; None when they cannot be
    told one by one: a blob two lines tall)."""

    blobs: np.ndarray
    small: np.ndarray
    tall: np.ndarray
    height: float
    width: float
    digits: tuple[tuple[tuple[int, int, int, int], ...], ...] | None


def _ink_digits(blobs: np.ndarray, height: float, width: float):
    """The digits as the ink shows them: lines found by digit-high blobs, top to bottom;
    in each, left to right, the blobs that overlap across joined (the pieces of a digit a
    fax broke: a 1's stem and its foot) and those as tall as a digit kept, unless they
    are small marks in a narrow column (a ";", a dot over a comma); a blob as wide
    as k digits (print run together) cut in k. None where a blob is taller than a digit can be."""
    hs = blobs[:, 3] - blobs[:, 1] if len(blobs) else np.zeros(0)
    tall = blobs[hs >= 0.6 * height] if len(blobs) else blobs
    if not len(tall) or hs.max() > 1.6 * height:
        return None
    bands = [(min(b[1] for b in line), max(b[3] for b in line))
             for line in _in_lines(tall.tolist(), lambda b: b[1], lambda b: b[3])]
    out = []
    for y0, y1 in sorted(bands):
        inside = sorted(tuple(int(v) for v in b) for b in blobs
                        if y0 - 0.2 * height <= (b[1] + b[3]) / 2 <= y1 + 0.2 * height)
        pieces: list[tuple[int, int, int, int]] = []
        tallest: list[int] = []  # the tallest blob in each piece
        for b in inside:
            p = pieces[-1] if pieces else None
            if p and min(b[2], p[2]) - b[0] >= 0.5 * min(b[2] - b[0], p[2] - p[0]):
                pieces[-1] = (min(p[0], b[0]), min(p[1], b[1]), max(p[2], b[2]), max(p[3], b[3]))
                tallest[-1] = max(tallest[-1], b[3] - b[1])
            else:
                pieces.append(b)
                tallest.append(b[3] - b[1])
        row = []
        for (x0, by0, x1, by1), top in zip(pieces, tallest):
            # a digit, not a ";" (two small marks, one over the other, in a narrow column; a
            # digit a fax broke in small pieces is as wide as a digit)
            if by1 - by0 < 0.6 * height or top < 0.4 * height and x1 - x0 < 0.6 * width:
                continue
            k = max(1, round((x1 - x0) / width)) if x1 - x0 > 1.6 * width else 1
            step = (x1 - x0) / k
            row += [(int(x0 + i * step), by0, int(x0 + (i + 1) * step), by1) for i in range(k)]
        if row:
            out.append(tuple(row))
    return tuple(out)


def _measure(crop: np.ndarray, glyphs: Sequence[Glyph]) -> tuple[list[Glyph], _Ink] | None:
    """Tesseract's digits in the crop (a dot read as "1" is short, so left out) and the crop's
    ink; where tesseract saw no digit, the ink alone (the digit size from its tallest blobs),
    so that another reading's digits can still be placed on it."""
    digits = [g for g in glyphs if g.char.isdigit()]
    blobs = _blobs(crop)
    hs = blobs[:, 3] - blobs[:, 1] if len(blobs) else np.zeros(0)
    if digits:
        height = float(np.median([g.y1 - g.y0 for g in digits]))
        digits = [g for g in digits if g.y1 - g.y0 >= 0.6 * height]
        width = float(np.median([g.x1 - g.x0 for g in digits]))
    elif len(blobs):
        big = blobs[hs >= 0.6 * hs.max()]
        height, width = float(np.median(big[:, 3] - big[:, 1])), float(np.median(big[:, 2] - big[:, 0]))
    else:
        return None
    tall = blobs[hs >= 0.6 * height] if len(blobs) else blobs
    small = _marks(crop, tall) if len(blobs) else blobs
    return digits, _Ink(blobs, small, tall, height, width, _ink_digits(blobs, height, width))


Spelled = tuple[list[str], list[Gap]]  # a cell's digits and the gaps between them


def _gaps(lines: Sequence[Sequence[Glyph]], ink: _Ink) -> Spelled:
    """Digits in lines, and each gap between them: its size over the digit height and the
    mark in the ink there (a dot, a comma, nothing)."""
    chars, gaps = [], []
    for n, line in enumerate(lines):
        if n:
            gaps.append(Gap(0.0, wrap=True))
        base = _baseline(ink.blobs, line, ink.height) if len(ink.blobs) else float(np.median([g.y1 for g in line]))
        chars.append(line[0].char)
        for a, b in zip(line, line[1:]):
            mark = _mark(ink.small, a.x1 - 1, b.x0 + 1, base, ink.height) if len(ink.small) else ""
            gaps.append(Gap((b.x0 - a.x1) / ink.height, mark))
            chars.append(b.char)
    return chars, gaps


BOUNDARY = 0.24  # gap over digit height between a dot's and a comma's, unless the page shows its own


def boundary_of(spelled: Sequence[Spelled]) -> float:
    """The gap between a dot's and a comma's on this page: midway between the median gaps
    with a dot and with a comma seen in them, when there are enough of each and they
    stand apart (a fax's blotted dot widens every gap); else :data:`BOUNDARY`."""
    dots = [g.size for _, gaps in spelled for g in gaps if g.mark == "." and not g.wrap]
    commas = [g.size for _, gaps in spelled for g in gaps if g.mark == "," and not g.wrap]
    if len(dots) < 4 or len(commas) < 4:
        return BOUNDARY
    d, c = float(np.median(dots)), float(np.median(commas))
    return max(BOUNDARY, (d + c) / 2) if c - d >= 0.2 else BOUNDARY


def _ink_count(ink: _Ink | None) -> int | None:
    return sum(len(ln) for ln in ink.digits) if ink is not None and ink.digits is not None else None


def _on_ink(ink: _Ink, digits: str, levels: int, boundary: float) -> tuple[str, float] | None:
    """``digits`` (another reading's) placed one by one on the digits the ink shows, when
    their counts agree, and composed by the grammar from the ink's gaps and marks."""
    if _ink_count(ink) != len(digits):
        return None
    it = iter(digits)
    lines = [[Glyph(next(it), *box) for box in line] for line in ink.digits]
    return parse(*_gaps(lines, ink), levels=levels, boundary=boundary)


def well_formed(text: str, pattern: str) -> bool:
    """Every code in the cell ("4.6.1, 4.6.2") matches the code pattern."""
    tokens = text.replace(",", " ").split()
    return bool(tokens) and all(re.fullmatch(pattern, t) for t in tokens)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", text)).strip(" ,")


INK_MISCOUNT = 5.0  # grammar cost of a reading's digit count differing by one from the ink's


def _vote(readings: Sequence[tuple[str, float]], first: str, pattern: str, ink: int | None = None,
          on_ink: Sequence[tuple[str, float]] = ()) -> tuple[str, float]:
    """One cell's text from its readings ``(text, grammar cost)`` and the first pass's text.

    A reading whose every gap agreed with the grammar (cost < 1) and whose digits are the
    first pass's (an independent read, at another scale): 0.97. Two texts alike: 0.9.
    A reading whose gaps agreed: 0.8. One that needed a level of two digits or a gap
    against its grade: 0.6 (a reviewer looks). Nothing well formed: the first pass's
    text at 0.3.

    ``ink``: how many digits the crop's ink holds, when it can be told. A reading with
    another count lost or invented a digit: it is vouched for at most 0.6, where it
    competes with the readings placed on the ink (``on_ink``: the first pass's digits, or
    a reading patched with its lost digits, composed from the ink's gaps), each digit it
    misses or adds weighing :data:`INK_MISCOUNT` unless its every gap agreed."""
    def fits(t: str) -> bool:
        return ink is None or len(digits_of(t)) == ink

    digits = digits_of(first)
    ranked = sorted(readings, key=lambda r: r[1])
    for t, cost in ranked:
        if cost < 1.0 and well_formed(t, pattern) and digits_of(t) == digits and fits(t):
            return _norm(t), 0.97
    texts = [_norm(t) for t, _ in readings] + ([_norm(first)] if first else [])
    for t in texts:
        if t and texts.count(t) >= 2 and well_formed(t, pattern) and fits(t):
            return t, 0.9
    for t, cost in ranked:
        if cost < 1.0 and well_formed(t, pattern) and fits(t):
            return _norm(t), 0.8
    # the ink's count may be off too (two digits run together, a digit broken in three,
    # a speck as tall as a digit): a digit more or fewer than it shows weighs as much as
    # two gaps against the grammar, unless every gap of the reading agreed with it (a
    # reading that lost a digit rarely keeps its codes' shape)
    # (and unless the first pass's digits are the reading's, and another reading's too:
    # three reads agreeing on every digit outweigh a count of blurred ink, where a dot run
    # into its digit is as wide as two)
    def agreed(t: str) -> bool:
        return bool(digits) and digits_of(t) == digits and sum(digits_of(u) == digits for u, _ in readings) >= 2

    def score(r: tuple[str, float]) -> float:
        off = 0 if ink is None or r[1] < 1.0 or agreed(r[0]) else abs(len(digits_of(r[0])) - ink)
        return r[1] + INK_MISCOUNT * off

    scored = sorted([*readings, *on_ink], key=score)
    for t, _ in scored:
        if well_formed(t, pattern):
            return _norm(t), 0.6
    return (_norm(first), 0.3) if first else ("", 0.0)


GLYPH_SIZE = (12, 16)  # width, height a digit's ink is compared at


def _glyph(crop: np.ndarray, box: Sequence[int]) -> np.ndarray:
    """A digit's ink as a unit vector: its box (a pixel of paper round it) centred in a
    frame at least 0.7 of its height wide (a "1" stays narrow), inverted, at
    :data:`GLYPH_SIZE`, less its mean."""
    x0, y0, x1, y1 = (int(v) for v in box)
    g = crop[max(0, y0 - 1):y1 + 1, max(0, x0 - 1):x1 + 1]
    h, w = g.shape
    frame = max(w, int(round(0.7 * h)))
    if frame > w:
        g = cv2.copyMakeBorder(g, 0, 0, (frame - w) // 2, frame - w - (frame - w) // 2,
                               cv2.BORDER_CONSTANT, value=int(np.median(crop)))
    v = 255.0 - cv2.resize(g, GLYPH_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)
    v -= v.mean()
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _ink_boxes(ink: _Ink) -> list[tuple[int, int, int, int]]:
    return [box for line in ink.digits for box in line] if ink.digits is not None else []


GLYPH_LEAD = 0.15  # correlation a reading's digits must lead by to overrule the vote
MIN_SAMPLES = 2  # a digit's template is made from at least this many of the page's sure ones


def _templates(samples: Iterable[tuple[np.ndarray, _Ink | None, str, str]]) -> dict[str, np.ndarray]:
    """Each digit's mean ink on this page, from ``(crop, ink, text, other)``: the digits two
    reads agree on (the vote's and the first pass's, at other scales; a number read surely
    elsewhere is its own other) in crops whose ink shows as many digits as both read. A
    digit in dispute is never its own template."""
    found: dict[str, list[np.ndarray]] = {}
    for crop, ink, text, other in samples:
        digits, boxes = digits_of(text), _ink_boxes(ink) if ink is not None else []
        if not digits or len(boxes) != len(digits) or len(digits_of(other)) != len(digits):
            continue
        for ch, also, box in zip(digits, digits_of(other), boxes):
            if ch == also:
                found.setdefault(ch, []).append(_glyph(crop, box))
    out = {}
    for ch, vs in found.items():
        if len(vs) >= MIN_SAMPLES:
            m = np.mean(vs, axis=0)
            out[ch] = m / max(1e-6, float(np.linalg.norm(m)))
    return out


def _sure_samples(clean: np.ndarray, sure: Sequence[tuple[BBox, str]], scale: float, blur: float
                  ) -> list[tuple[np.ndarray, _Ink | None, str, str]]:
    """Cells read surely elsewhere on the page (``(box, text)``), as :func:`_templates` takes
    them: each its own second reading."""
    return [(c, m[1] if (m := _measure(c, [])) else None, t, t)
            for c, t in ((_prepared(clean, b, scale, blur), t) for b, t in sure)]


class PageDigits:
    """A page's own digits, to judge a glyph by its ink: each digit's mean ink learned from
    the cells read surely (``sure``: ``(box, text)``), measured once, when first asked
    for; crops prepared as code cells are (:func:`_prepared`: ``scale``, ``blur``)."""

    def __init__(self, clean: np.ndarray, sure: Sequence[tuple[BBox, str]], *, scale: float,
                 blur: float = 0.0) -> None:
        self.clean, self.sure, self.scale, self.blur = clean, sure, scale, blur

    @cached_property
    def templates(self) -> dict[str, np.ndarray]:
        return _templates(_sure_samples(self.clean, self.sure, self.scale, self.blur))

    def glyphs(self, box: BBox) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
        """The box's crop, prepared, and its ink as tall as the tallest within 0.6 (the
        characters, not the marks between them), left to right."""
        crop = _prepared(self.clean, box, self.scale, self.blur)
        blobs = _blobs(crop)
        if not len(blobs):
            return crop, []
        hs = blobs[:, 3] - blobs[:, 1]
        return crop, sorted((tuple(int(v) for v in b) for b in blobs[hs >= 0.6 * hs.max()]), key=lambda b: b[0])

    def likeliest(self, crop: np.ndarray, box: Sequence[int], among: str | None = None) -> tuple[str, float] | None:
        """The page's digit the ink in ``box`` (of ``crop``, from :meth:`glyphs`) looks most
        like (of the digits ``among``, when given), and its lead in correlation over the
        next (None with fewer than two digits to compare)."""
        templates = {ch: t for ch, t in self.templates.items() if among is None or ch in among}
        if len(templates) < 2:
            return None
        glyph = _glyph(crop, box).ravel()
        (best, ch), (second, _) = sorted(((float(np.dot(glyph, t.ravel())), ch) for ch, t in templates.items()),
                                         reverse=True)[:2]
        return ch, best - second

    def decide(self, box: BBox, options: Sequence[str]) -> tuple[str, float] | None:
        """Of the box's readings (``options``) with as many digits as its ink shows and
        differing in some, the one whose digits there look most like the page's own, and
        its lead (:func:`_by_glyphs`); None where the ink's digits cannot be told."""
        if len(self.templates) < 2:
            return None
        crop = _prepared(self.clean, box, self.scale, self.blur)
        measured = _measure(crop, [])
        if measured is None or measured[1].digits is None:
            return None
        return _by_glyphs(crop, measured[1], options, self.templates)


def _spelled(ink: _Ink, options: Sequence[str]) -> dict[str, str]:
    """The readings with as many digits as the ink shows, by their digits (the first of
    ``options`` spelling them)."""
    count = len(_ink_boxes(ink))
    return {digits_of(t): t for t in reversed(options) if len(digits_of(t)) == count}


def _by_glyphs(crop: np.ndarray, ink: _Ink, options: Sequence[str],
               templates: dict[str, np.ndarray]) -> tuple[str, float] | None:
    """Of readings with as many digits as the ink shows and differing in some, the one
    whose digits where they differ look most like the page's own: (its text, its lead
    over the next, in correlation summed over those digits). None where a digit in
    question has no template."""
    boxes = _ink_boxes(ink)
    spelled = _spelled(ink, options)
    if len(spelled) < 2:
        return None
    keys = list(spelled)
    differ = [j for j in range(len(boxes)) if len({k[j] for k in keys}) > 1]
    if any(k[j] not in templates for k in keys for j in differ):
        return None
    glyphs = {j: _glyph(crop, boxes[j]) for j in differ}
    scores = sorted(((sum(float(np.dot(glyphs[j].ravel(), templates[k[j]].ravel())) for j in differ), k)
                     for k in keys), reverse=True)
    return spelled[scores[0][1]], scores[0][0] - scores[1][0]


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


def _off_the_edge(crop: np.ndarray) -> np.ndarray:
    """Ink touching the crop's edge made paper when it is no print: taller than any print
    inside the cell by half (a fax's thick, wavy column line, not erased to its full
    width, which tesseract joins to the first digit: "2.1.1" read "Dar") or wider than
    three times it (a row line's remnant). A digit cut by a tight crop stays."""
    if crop.size == 0:
        return crop
    ink, paper = _levels(crop)
    if paper - ink < 1:
        return crop
    _, mask = cv2.threshold(crop, float(ink + 0.55 * (paper - ink)), 255, cv2.THRESH_BINARY_INV)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = mask.shape
    x, y, bw, bh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    edge = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    edge[0] = False
    inner = bh[1:][~edge[1:]]
    if not len(inner):
        return crop
    tallest = float(inner.max())
    gone = np.flatnonzero(edge & ((bh > 1.5 * tallest) | (bw > 3 * tallest)))
    if not len(gone):
        return crop
    out = crop.copy()
    out[cv2.dilate(np.isin(labels, gone).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 255
    return out


def _lines(digits: Sequence[Glyph], ink: _Ink) -> list[list[Glyph]]:
    """Tesseract's digits in lines, their boxes snapped to the ink where tesseract got them wrong."""
    return [_snap(line, ink.tall, ink.width) for line in _line_of(digits)]


def _spell(glyphs: Sequence[Glyph], crops: Sequence[np.ndarray], slots: Sequence[int]
           ) -> list[tuple[Spelled, _Ink, list[list[Glyph]]] | None]:
    """Each crop's digits and gaps from one tesseract read of the mosaic (its glyphs back in
    the crop's pixels), the crop's ink, measured, and the digits in lines."""
    out = []
    for crop, y0 in zip(crops, slots):
        mine = [Glyph(LOOKALIKES.get(g.char, g.char), g.x0 - _PAD, g.y0 - y0, g.x1 - _PAD, g.y1 - y0)
                for g in glyphs if y0 <= (g.y0 + g.y1) / 2 < y0 + crop.shape[0]]
        measured = _measure(crop, mine)
        if measured is None:
            out.append(None)
            continue
        lines = _lines(*measured)
        out.append((_gaps(lines, measured[1]), measured[1], lines))
    return out


def _unread(lines: Sequence[Sequence[Glyph]], ink: _Ink) -> tuple[list[list[str | None]], list[tuple]] | None:
    """Tesseract's digits matched to the ink's, each to the one its centre lies in: the
    digits read, by the ink's lines (None where tesseract lost one), and the boxes of the
    lost ones. None unless every digit read finds its own ink digit and one at least was
    lost (a digit invented, or two read in one blob, cannot be placed)."""
    if ink.digits is None:
        return None
    glyphs = [g for line in lines for g in line]
    taken: set[int] = set()
    chars: list[list[str | None]] = []
    lost = []
    for line in ink.digits:
        row: list[str | None] = []
        for box in line:
            hits = [j for j, g in enumerate(glyphs) if box[0] - 1 <= (g.x0 + g.x1) / 2 <= box[2] + 1
                    and box[1] - 2 <= (g.y0 + g.y1) / 2 <= box[3] + 2]
            if len(hits) > 1 or hits and hits[0] in taken:
                return None
            if hits:
                taken.add(hits[0])
                row.append(glyphs[hits[0]].char)
            else:
                row.append(None)
                lost.append(box)
        chars.append(row)
    return (chars, lost) if lost and len(taken) == len(glyphs) else None


def _read_lost(crops: Sequence[np.ndarray], lost: Sequence[Sequence[tuple]], heights: Sequence[float]
               ) -> list[list[str] | None]:
    """The digits tesseract lost, read one by one: every lost digit's crop, cells after
    cells, in one row of one canvas, a digit's height of paper between them, digits only.
    Each cell's digits in order, or None where one of them was not read as one digit."""
    pieces, owners = [], []
    for i, (crop, boxes, h) in enumerate(zip(crops, lost, heights)):
        m = max(2, int(0.15 * h))
        for x0, y0, x1, y1 in boxes:
            pieces.append(crop[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m])
            owners.append(i)
    if not pieces:
        return [None] * len(crops)
    space = int(max(heights))
    height = max(p.shape[0] for p in pieces)
    row = np.full((height, sum(p.shape[1] for p in pieces) + space * (len(pieces) - 1)), 255, np.uint8)
    starts, x = [], 0
    for p in pieces:
        row[:p.shape[0], x:x + p.shape[1]] = p
        starts.append(x)
        x += p.shape[1] + space
    canvas, _ = stack_crops([row], gap=_GAP, pad=_PAD)
    found: list[list[str]] = [[] for _ in pieces]
    for g in tesseract.image_to_boxes(canvas, psm=7, whitelist="0123456789"):
        cx = (g.x0 + g.x1) / 2 - _PAD
        for k, (x0, p) in enumerate(zip(starts, pieces)):
            if x0 - space / 2 <= cx < x0 + p.shape[1] + space / 2 and g.char.isdigit():
                found[k].append(g.char)
    out: list[list[str] | None] = [[] for _ in crops]
    for k, owner in enumerate(owners):
        if out[owner] is not None:
            out[owner] = out[owner] + found[k] if len(found[k]) == 1 else None
    return out


def _ink_vote(readings: Sequence[tuple[str, float]], first: str, ink: _Ink | None, pattern: str,
              levels: int, boundary: float, patched: Sequence[tuple[str, float]] = ()) -> tuple[str, float]:
    """The vote, told how many digits the ink holds and given the first pass's digits
    placed on them (and ``patched``: a reading with its lost digits read one by one)."""
    count = _ink_count(ink)
    if count is None:
        return _vote(readings, first, pattern)
    on = _on_ink(ink, digits_of(first), levels, boundary) if first else None
    return _vote(readings, first, pattern, count, [*([on] if on else []), *patched])


def _prepared(clean: np.ndarray, box: BBox, scale: float, blur: float) -> np.ndarray:
    """A code cell's crop as it is read: texture and edge remnants made paper, blurred by
    ``blur``, resized by ``scale``."""
    c = _off_the_edge(_paper_white(clean[box.y0:box.y1, box.x0:box.x1]))
    if blur > 0 and c.size:
        c = cv2.GaussianBlur(c, (0, 0), blur)
    if scale != 1.0 and c.size:
        c = cv2.resize(c, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    return c


def read_codes(clean: np.ndarray, boxes: Sequence[BBox], *, first: Sequence[OcrText] | None = None,
               pattern: str = r"\d+(\.\d+)+", levels: int = 3, scale: float = CODE_SCALE,
               blur: float = 0.0, sure: Sequence[tuple[BBox, str]] = ()) -> list[OcrText]:
    """Dotted-code cells, read on one mosaic, freely; in each, tesseract's digits with
    separators decided by the code grammar; then the reading and the first pass's text
    vote (:func:`_vote`). Cells the vote is not sure of (< 0.97) are read once more, on a
    mosaic of their own with only digits and separators allowed, and vote again with
    both readings (a second call only where it can change something). The gap between
    a dot and a comma is the page's own (:func:`boundary_of`), and each crop's ink is
    counted in digits: where no reading has the ink's count nor a sound shape, the digits
    tesseract lost are read alone (a third call, only for those). Ink at a crop's edge
    that is no print (a ruling's remnant) is made paper first. ``blur``: the
    sigma of a blur each crop is read through (a black-and-white scan's jagged, broken
    strokes, "2.4.4, 2.4.5" read "24.24.5", read better with grey edges).

    Last, where the readings of a cell the vote is unsure of differ in a digit, the one
    whose digits there look most like the page's own (:func:`_by_glyphs`; the templates
    from the digits the readings agree on, and from ``sure``: cells elsewhere on the
    page, ``(box, text)``, read surely as numbers or codes) is taken over the vote's,
    when it leads by :data:`GLYPH_LEAD`, vouched for at 0.8 at most: two readings of a
    blurred "6" as "8" outvote a third, but not the page's own 6s."""
    if not boxes:
        return []
    crops = [_prepared(clean, b, scale, blur) for b in boxes]
    firsts = [first[i].text if first is not None else "" for i in range(len(boxes))]
    canvas, slots = stack_crops(crops, gap=_GAP, pad=_PAD)
    spelled = _spell(tesseract.image_to_boxes(canvas, psm=6), crops, slots)
    boundary = boundary_of([s[0] for s in spelled if s is not None])
    readings = [[r] if s is not None and (r := parse(*s[0], levels=levels, boundary=boundary)) else []
                for s in spelled]
    inks = [s[1] if s is not None else None for s in spelled]
    votes = [_ink_vote(rs, f, ink, pattern, levels, boundary) for rs, f, ink in zip(readings, firsts, inks)]
    again = [i for i, (_, conf) in enumerate(votes) if conf < 0.97]
    if again:
        sub = [crops[i] for i in again]
        canvas, slots = stack_crops(sub, gap=_GAP, pad=_PAD)
        seconds = _spell(tesseract.image_to_boxes(canvas, psm=6, whitelist=_CODE_CHARS), sub, slots)
        for i, s in zip(again, seconds):
            r = parse(*s[0], levels=levels, boundary=boundary) if s is not None else None
            if r is not None:
                readings[i].append(r)
                votes[i] = _ink_vote(readings[i], firsts[i], inks[i], pattern, levels, boundary)
    # where no reading has as many digits as the ink, nor every gap agreeing with the
    # grammar: the digits tesseract lost, read one by one (a third call, only for them);
    # out of their context they are read less surely, so the reading they patch is never
    # vouched for (the vote's 0.6 at most)
    unread = {i: u for i, (s, (text, _)) in enumerate(zip(spelled, votes))
              if s is not None and len(digits_of(text)) != _ink_count(s[1])
              and not any(cost < 1.0 for _, cost in readings[i]) and (u := _unread(s[2], s[1])) is not None}
    if unread:
        ks = sorted(unread)
        found = _read_lost([crops[i] for i in ks], [unread[i][1] for i in ks], [inks[i].height for i in ks])
        for i, digits in zip(ks, found):
            if not digits:
                continue
            it = iter(digits)
            r = _on_ink(inks[i], "".join(ch if ch is not None else next(it) for row in unread[i][0] for ch in row),
                        levels, boundary)
            if r is not None:
                votes[i] = _ink_vote(readings[i], firsts[i], inks[i], pattern, levels, boundary, [r])
    doubted = [i for i, (_, conf) in enumerate(votes) if conf < 0.97 and inks[i] is not None and inks[i].digits]
    choices = {}
    for i in doubted:
        on = _on_ink(inks[i], digits_of(firsts[i]), levels, boundary) if firsts[i] else None
        options = [t for t in [votes[i][0], *(_norm(t) for t, _ in sorted(readings[i], key=lambda r: r[1])),
                               *([_norm(on[0])] if on else [])] if well_formed(t, pattern)]
        if len(_spelled(inks[i], options)) >= 2:  # readings that differ in a digit: the page's ink is asked
            choices[i] = options
    if choices:  # the templates (every sure cell measured) only where a glyph is judged
        templates = _templates([*zip(crops, inks, [t for t, _ in votes], firsts),
                                *_sure_samples(clean, sure, scale, blur)])
        for i, options in choices.items():
            best = _by_glyphs(crops[i], inks[i], options, templates)
            if best is not None and digits_of(best[0]) != digits_of(votes[i][0]) and best[1] >= GLYPH_LEAD:
                votes[i] = (best[0], min(votes[i][1], 0.8))
    return [OcrText(text, conf if text else 0.0, box if text else None) for (text, conf), box in zip(votes, boxes)]
