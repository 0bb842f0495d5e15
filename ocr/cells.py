"""Cell reading: rulings erased, one tesseract call for the whole table, words
assigned to cells by geometry, then doubtful cells re-read in batched mosaics."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr._exec.tesseract import Word
from ocr.codes import CODE, read_codes
from ocr.layout import Rulings
from ocr.types import BBox, Cell, Grid, OcrText
from ocr.words import locate, shift, stack_crops, to_text

NUMBER = re.compile(r"^[\d.,%\s-]*\d[\d.,%\s-]*$")
WELL_FORMED = re.compile(r"^-?\d{1,3}(,\d{3})*%?$|^-?\d+%?$")
NUMBER_WHITELIST = "0123456789,%"
# dotted codes as first read: "4.6.1", "4.61", "461, 462" (numbers never have ", " inside)
CODE_LIKE = re.compile(r"\d\s?[.,]\s?\d\s?[.,]\s?\d|\d\.\d|\d,\s+\d")


@dataclass(frozen=True)
class ReadSettings:
    psm: int = 6
    table_scale: float = 0.75  # the whole-table pass reads a resized copy
    doubt_below: float = 0.88  # cell confidence under which a cell is re-read
    doubt_prose: float = 0.5  # the same for long texts (descriptions, observations)
    reread_scale: float = 0.75
    margin: int = 5  # pixels trimmed inside a cell's rulings when cropping
    min_ink: int = 40  # ink pixels that make an empty cell "inked"
    max_rereads: int = 400
    # what one printed code looks like (a reading where every code matches is preferred);
    # the plan's lines of action print as three dotted levels, "4.6.1"
    code_pattern: str = r"\d+(\.\d+){2}"


def erase_rulings(gray: np.ndarray, rulings: Rulings) -> np.ndarray:
    """The page with ruling lines painted white (text crossing them loses a sliver)."""
    lines = cv2.dilate(rulings.horizontal | rulings.vertical, np.ones((5, 5), np.uint8))
    out = gray.copy()
    out[lines > 0] = 255
    return out


def _interior(cell: Cell, margin: int) -> BBox:
    b = cell.bbox
    m = min(margin, max(0, b.width // 4), max(0, b.height // 4))
    return BBox(b.x0 + m, b.y0 + m, b.x1 - m, b.y1 - m)


def _cell_index(grid: Grid) -> dict[tuple[int, int], int]:
    index = {}
    for k, c in enumerate(grid.cells):
        for i in range(c.row, c.row + c.row_span):
            for j in range(c.col, c.col + c.col_span):
                index[(i, j)] = k
    return index


def assign(words: Iterable[Word], grid: Grid) -> tuple[list[list[Word]], set[int]]:
    """Words per cell (by word centre); also the cells a word straddles (doubtful)."""
    index = _cell_index(grid)
    per_cell: list[list[Word]] = [[] for _ in grid.cells]
    straddled: set[int] = set()
    for w in words:
        at = locate(w.cx, w.cy, grid.row_edges, grid.col_edges)
        if at is None or at not in index:
            continue
        k = index[at]
        per_cell[k].append(w)
        box = grid.cells[k].bbox
        if w.x0 < box.x0 - 6 or w.x1 > box.x1 + 6:
            straddled.add(k)
    return per_cell, straddled


def _numeric_columns(grid: Grid, texts: Sequence[OcrText]) -> set[int]:
    """Columns where most non-empty single-column cells read as numbers."""
    seen: dict[int, list[bool]] = {}
    for c, t in zip(grid.cells, texts):
        if c.col_span == 1 and t.text:
            seen.setdefault(c.col, []).append(bool(NUMBER.match(t.text)))
    return {j for j, flags in seen.items() if len(flags) >= 2 and sum(flags) >= 0.6 * len(flags)}


def _code_cells(grid: Grid, texts: Sequence[OcrText]) -> list[int]:
    """Cells of columns that hold dotted codes ("4.6.1, 4.6.2"), by what was read there."""
    seen: dict[int, list[bool]] = {}
    for c, t in zip(grid.cells, texts):
        if c.col_span == 1 and t.text:
            seen.setdefault(c.col, []).append(bool(CODE_LIKE.search(t.text)))
    cols = {j for j, flags in seen.items() if sum(flags) >= max(1, 0.4 * len(flags))}
    first = min((c.row for c, t in zip(grid.cells, texts)
                 if c.col in cols and CODE_LIKE.search(t.text or "")), default=0)
    return [k for k, (c, t) in enumerate(zip(grid.cells, texts))
            if c.col in cols and c.col_span == 1 and c.row >= first and t.text]


def _inked(clean: np.ndarray, box: BBox, min_ink: int) -> bool:
    crop = clean[box.y0:box.y1, box.x0:box.x1]
    return crop.size > 0 and int((crop < 128).sum()) >= min_ink


def mosaic_read(clean: np.ndarray, boxes: Sequence[BBox], *, scale: float, whitelist: str | None,
                psm: int = 6) -> list[OcrText]:
    """Read many crops with one tesseract call: stacked on a white canvas with gaps."""
    if not boxes:
        return []
    crops = [cv2.resize(clean[b.y0:b.y1, b.x0:b.x1], None, fx=scale, fy=scale,
                        interpolation=cv2.INTER_AREA) for b in boxes]
    gap, pad = 30, 20
    canvas, tops = stack_crops(crops, gap=gap, pad=pad)
    slots = [(top, top + c.shape[0]) for top, c in zip(tops, crops)]
    words = tesseract.image_to_data(canvas, psm=psm, whitelist=whitelist)
    out = []
    for (y0, y1), b in zip(slots, boxes):
        mine = [w for w in words if y0 - gap / 2 <= w.cy < y1 + gap / 2]
        out.append(to_text(shift(mine, b.x0 - pad / scale, b.y0 - y0 / scale, scale)))
    return out


def _as_number(cell: Cell, text: OcrText, numeric: set[int]) -> bool:
    """Re-read with the digit whitelist: a numeric column, and nothing like a word read there."""
    return cell.col in numeric and cell.col_span == 1 and not _WORDY.search(text.text)


def _better(old: OcrText, new: OcrText) -> OcrText:
    if not new.text:
        return old
    if not old.text or new.confidence > old.confidence:
        return new
    return old


_WORDY = re.compile(r"[A-HJ-KMNP-RT-Ya-km-np-z]")  # letters not often misread digits


def _reread(clean: np.ndarray, grid: Grid, texts: list[OcrText], doubtful: list[int],
            numeric: set[int], s: ReadSettings) -> list[OcrText]:
    doubtful = doubtful[: s.max_rereads]
    as_number = {k for k in doubtful if _as_number(grid.cells[k], texts[k], numeric)}
    ks = sorted(as_number)
    got = mosaic_read(clean, [_interior(grid.cells[k], s.margin) for k in ks],
                      scale=s.reread_scale, whitelist=NUMBER_WHITELIST)
    for k, new in zip(ks, got):
        texts[k] = _better(texts[k], new)
    # every doubtful cell is also read freely: a word in a numeric column ("M4") survives
    free = [k for k in doubtful if k not in as_number or texts[k].confidence < 0.8]
    got = mosaic_read(clean, [_interior(grid.cells[k], s.margin) for k in free],
                      scale=s.reread_scale, whitelist=None)
    for k, new in zip(free, got):
        if k not in as_number or (_WORDY.search(new.text) and new.confidence > texts[k].confidence):
            texts[k] = _better(texts[k], new)
    return texts


def _doubt_limit(cell: Cell, text: OcrText, numeric: set[int], s: ReadSettings) -> float:
    """Confidence under which a cell is re-read: numbers and short texts (row numbers,
    movement codes) at ``doubt_below``; long prose only when badly read."""
    if cell.col in numeric or len(text.text) <= 12:
        return s.doubt_below
    return s.doubt_prose


def read_cells(gray: np.ndarray, grid: Grid, rulings: Rulings, *,
               settings: ReadSettings = ReadSettings(), numeric_cols: set[int] | None = None) -> Grid:
    """The grid with every cell's text, confidence and ink bbox filled in."""
    clean = erase_rulings(gray, rulings)
    b = grid.bbox
    region = clean[b.y0:b.y1, b.x0:b.x1]
    ts = settings.table_scale
    if ts != 1.0:
        region = cv2.resize(region, None, fx=ts, fy=ts, interpolation=cv2.INTER_AREA)
    words = shift(tesseract.image_to_data(region, psm=settings.psm), b.x0, b.y0, ts)
    per_cell, straddled = assign(words, grid)
    texts = [to_text(ws) for ws in per_cell]
    numeric = numeric_cols if numeric_cols is not None else _numeric_columns(grid, texts)
    codes = _code_cells(grid, texts)
    got = read_codes(clean, [_interior(grid.cells[k], settings.margin) for k in codes],
                     first=[texts[k] for k in codes], pattern=settings.code_pattern)
    for k, new in zip(codes, got):
        texts[k] = new if new.confidence >= 0.7 else _better(texts[k], new)
    doubtful = []
    for k, (cell, t) in enumerate(zip(grid.cells, texts)):
        inner = _interior(cell, settings.margin)
        if k in codes:
            continue
        if k in straddled or (t.text and t.confidence < _doubt_limit(cell, t, numeric, settings)):
            doubtful.append(k)
        elif not t.text and _inked(clean, inner, settings.min_ink):
            doubtful.append(k)
        elif t.text and cell.col in numeric and cell.col_span == 1 and not WELL_FORMED.match(t.text):
            doubtful.append(k)
    texts = _reread(clean, grid, texts, doubtful, numeric, settings)
    cells = tuple(replace(c, text=t) for c, t in zip(grid.cells, texts))
    return replace(grid, cells=cells)
