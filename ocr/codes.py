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
from ocr.codegrammar import Gap, parse
from ocr.types import BBox, OcrText
from ocr.words import stack_crops

CODE = re.compile(r"\d\s?[.,]\s?\d\s?[.,]\s?\d")
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


def _pieces(blobs: np.ndarray) -> tuple[list[tuple[int, int, int, int]], np.ndarray, float]:
    """Digit-sized blobs (wide ones split into touching digits), the small blobs, digit height."""
    hs = blobs[:, 3] - blobs[:, 1]
    height = float(np.median(hs[hs >= 0.5 * hs.max()]))
    big = blobs[hs >= 0.6 * height]
    small = blobs[hs < 0.5 * height]
    width = float(np.median(big[:, 2] - big[:, 0]))
    pieces = []
    for x0, y0, x1, y1 in big:
        k = int((x1 - x0) / (1.5 * width)) + 1
        step = (x1 - x0) / k
        pieces.extend((int(x0 + i * step), int(y0), int(x0 + (i + 1) * step), int(y1)) for i in range(k))
    return pieces, small, height


def _rows(pieces: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    rows: list[list[tuple[int, int, int, int]]] = []
    for p in sorted(pieces, key=lambda p: (p[1] + p[3]) / 2):
        cy = (p[1] + p[3]) / 2
        for row in rows:
            if row[0][1] <= cy <= row[0][3]:
                row.append(p)
                break
        else:
            rows.append([p])
    return [sorted(r) for r in rows]


def _snap(row: list[tuple[int, int, int, int]], chars: Sequence[Glyph]) -> list[tuple[int, int, int, int]]:
    """One box per tesseract digit: the blob it overlaps alone, else its own box."""
    def overlap(g: Glyph, p: tuple[int, int, int, int]) -> int:
        return max(0, min(g.x1, p[2]) - max(g.x0, p[0]))

    owners = [max(row, key=lambda p: overlap(g, p)) for g in chars]
    return [p if overlap(g, p) > 0 and owners.count(p) == 1 else (g.x0, p[1], g.x1, p[3])
            for g, p in zip(chars, owners)]


def _compose_blobs(crop: np.ndarray, glyphs: Sequence[Glyph]) -> tuple[str, bool] | None:
    """Digits from tesseract laid on the digit blobs (counts must agree); separators from
    the small blobs between them. The flag is False where the digit count of tesseract
    and of the ink disagreed (boxes were snapped); None when there is no ink."""
    blobs = _blobs(crop)
    if len(blobs) == 0:
        return None
    pieces, _, height = _pieces(blobs)
    hs = blobs[:, 3] - blobs[:, 1]
    small = _marks(crop, blobs[hs >= 0.6 * height])
    digits = [g for g in glyphs if g.char.isdigit()]
    out, exact = [], True
    for row in _rows(pieces):
        y0, y1 = min(p[1] for p in row), max(p[3] for p in row)
        chars = sorted((g for g in digits if y0 - 0.3 * height <= (g.y0 + g.y1) / 2 <= y1 + 0.3 * height),
                       key=lambda g: g.x0 + g.x1)
        chars = [g for g in chars  # a dot read as "1" covers no digit blob
                 if max(min(g.x1, p[2]) - max(g.x0, p[0]) for p in row) >= 0.5 * (g.x1 - g.x0)]
        if not chars:
            continue
        if len(chars) != len(row):
            row, exact = _snap(row, chars), False
        base = float(np.median([p[3] for p in row]))
        near = [b for b in small if base - 0.5 * height < b[1] < base + 0.2 * height]
        dot = (float(np.median([b[3] for b in near])), float(np.median([b[3] - b[1] for b in near]))) if near else None
        text = chars[0].char
        for a, b, ch in zip(row, row[1:], chars[1:]):
            mark = _mark(small, a[2] - 1, b[0] + 1, base, height, dot)
            gap = b[0] - a[2]
            text += mark + (" " if mark == "," or gap > (1.3 if mark else 0.8) * height else "") + ch.char
        text += _mark(small, row[-1][2] - 1, row[-1][2] + 0.6 * height, base, height, dot)
        out.append(text)
    return re.sub(r"\s+", " ", " ".join(out)).strip(), exact


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
    chars, gaps = [], []
    for n, line in enumerate(_line_of(digits)):
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


def _choose(candidates: Sequence[tuple[str, float]], pattern: str) -> tuple[str, float]:
    """The first candidate whose every code is well formed, else the first non-empty one."""
    for text, conf in candidates:
        if text and well_formed(text, pattern):
            return text, conf
    return next(((t, 0.4) for t, _ in candidates if t), ("", 0.0))


def read_codes(clean: np.ndarray, boxes: Sequence[BBox], *, first: Sequence[OcrText] | None = None,
               pattern: str = r"\d+(\.\d+)+", levels: int = 3, scale: float = CODE_SCALE) -> list[OcrText]:
    """Dotted-code cells read with one tesseract call.

    Candidates per cell, in order of trust: the grammar's reading when every gap agreed
    with it (cost < 1); digits laid on the ink with counts agreeing; the first reading
    (``first``, from the whole-table pass); the grammar's reading however costly; the
    composition with boxes snapped. The first whose codes all match ``pattern`` wins;
    none well formed gives the best guess at 0.4."""
    if not boxes:
        return []
    crops = [clean[b.y0:b.y1, b.x0:b.x1] for b in boxes]
    if scale != 1.0:
        crops = [cv2.resize(c, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
                 for c in crops]
    canvas, slots = stack_crops(crops, gap=_GAP, pad=_PAD)
    glyphs = tesseract.image_to_boxes(canvas, psm=6)
    out = []
    for i, (crop, y0, box) in enumerate(zip(crops, slots, boxes)):
        mine = [Glyph(_AS_DIGIT.get(g.char, g.char), g.x0 - _PAD, g.y0 - y0, g.x1 - _PAD, g.y1 - y0)
                for g in glyphs if y0 <= (g.y0 + g.y1) / 2 < y0 + crop.shape[0]]
        composed = _compose_blobs(crop, mine)
        text, exact = composed if composed is not None else (_compose(crop, mine), False)
        grammar = _compose_grammar(crop, mine, levels)
        candidates = [(grammar[0], 0.95)] if grammar is not None and grammar[1] < 1.0 else []
        candidates += [(text, 0.92)] if exact else []
        if first is not None and first[i].text:
            candidates.append((re.sub(r"\s+", " ", first[i].text).strip(), first[i].confidence))
        candidates += [(grammar[0], 0.6)] if grammar is not None else []
        candidates.append((text, 0.5))
        text, conf = _choose(candidates, pattern)
        out.append(OcrText(text, conf if text else 0.0, box if text else None))
    return out
