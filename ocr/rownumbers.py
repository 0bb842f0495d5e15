"""Row numbers opening a column's cells ("M4 FOMENTAR ...", "101.- REVISAR ...").

Read among prose, a row number's digit is often taken by tesseract's language model
for the letter it resembles: "M4" read "MA", "M1" read "MI", "101" read "1O1"; read
again alone, digits only, the digit is lost, not found. Where most of a column's cells
open with a row number, a cell opening with such a look-alike has its letter judged by
the ink: the page's own digits (from cells read surely) are compared with it, and the
one it looks most like, by a clear lead, is taken; the cell is then vouched for at
:data:`NUMBER_CAP` at most. No tesseract call.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Collection, Sequence

import numpy as np

from ocr._exec.tesseract import Word
from ocr.codes import GLYPH_LEAD, PageDigits
from ocr.numbers import LOOKALIKES
from ocr.types import BBox, Grid, OcrText
from ocr.words import group_lines

# a printed row number: "M4", "M.2", "101", "708"; the marks after it ("101.-") are not its own
ROW_NUMBER = re.compile(r"M[.\-]?\d{1,2}|\d{1,4}")
_TRAILING = ".,:;-–)"
# letters a digit is read as beside other letters (more than in a number cell: there the
# reader knows it reads digits), in upper case as the word is judged ("30l" is "30L");
# which digit, the ink says
_DIGIT_LIKE = frozenset(ch.upper() for ch in LOOKALIKES) | frozenset("AÁSZB")
NUMBERED = 0.5  # share of a column's body cells opening with a row number that makes it numbered
NUMBER_CAP = 0.8  # the most a cell whose row number was judged by the ink is vouched for


# a cell's opening word, up to a space or a mark ("100.-PUBLICACION" opens with "100")
_OPENING = re.compile(r"(M[.\-]?[^\W_]{1,2}|[^\W_]{1,4})(?=$|[\s.,:;\-–)])")


def _opening(text: str) -> tuple[str, str]:
    """A text's opening word (:data:`_OPENING`, "" when it opens with a longer one) and
    what follows it."""
    m = _OPENING.match(text)
    return (m.group(1), text[m.end():]) if m else ("", text)


def _looks_numbered(word: str) -> bool:
    """A row number with a look-alike letter for a digit: an M (and its mark) and one
    character ("MA", "M.I"), or three characters with a digit among them ("1O1")."""
    if not word or ROW_NUMBER.fullmatch(word):
        return False
    if re.fullmatch(r"M[.\-]?\w", word):
        return word[-1] in _DIGIT_LIKE
    return len(word) == 3 and any(ch.isdigit() for ch in word) and all(ch.isdigit() or ch in _DIGIT_LIKE for ch in word)


def numbered_columns(grid: Grid, texts: Sequence[OcrText], skip: Collection[int], body: int) -> set[int]:
    """Columns where at least :data:`NUMBERED` of the body's texts (rows from ``body`` on,
    cells not in ``skip``) open with a row number, two at least."""
    seen: dict[int, list[bool]] = {}
    for k, (cell, t) in enumerate(zip(grid.cells, texts)):
        if k in skip or cell.row < body or not t.text.strip():
            continue
        seen.setdefault(cell.col, []).append(bool(ROW_NUMBER.fullmatch(_opening(t.text.strip())[0])))
    return {c for c, hits in seen.items() if sum(hits) >= 2 and sum(hits) >= NUMBERED * len(hits)}


def _word_box(cell_box: BBox, words: Sequence[Word], word: str, alone: bool, margin: int) -> BBox | None:
    """Where the opening word is: the first pass's first word when it is that word (as
    long, opening alike), the cell's interior when the cell holds it alone."""
    lines = group_lines(words)
    first = lines[0][0] if lines and lines[0] else None
    b = cell_box
    read = first.text.upper().rstrip(_TRAILING) if first is not None else ""
    # that word, maybe read otherwise ("M.|" where the cell's text came from a re-read)
    if first is not None and len(read) == len(word) and read[:1] == word[:1]:
        pad = max(2, (first.y1 - first.y0) // 3)
        return BBox(max(b.x0, first.x0 - 2), max(b.y0, first.y0 - pad), min(b.x1, first.x1 + 2), min(b.y1, first.y1 + pad))
    if alone:
        return BBox(b.x0 + margin, b.y0 + margin, b.x1 - margin, b.y1 - margin)
    return None


def _judged(word: str, crop: np.ndarray, glyphs: Sequence[tuple[int, int, int, int]],
            digits: PageDigits) -> str | None:
    """The word with each look-alike letter replaced by the page's digit its ink looks most
    like (by :data:`GLYPH_LEAD` at least); None unless every letter is told. An M-number's
    digit is its last glyph, of two or three (a fax breaks an M in two); a number's glyphs
    are its characters, one each."""
    if word.startswith("M"):  # an M (in one piece, or two) and a digit
        best = digits.likeliest(crop, glyphs[-1]) if 2 <= len(glyphs) <= 3 else None
        return word[:-1] + best[0] if best is not None and best[1] >= GLYPH_LEAD else None
    if len(glyphs) != len(word):
        return None
    out = []
    for ch, glyph in zip(word, glyphs):
        best = (ch, 1.0) if ch.isdigit() else digits.likeliest(crop, glyph)
        if best is None or best[1] < GLYPH_LEAD:
            return None
        out.append(best[0])
    return "".join(out)


def judge_row_numbers(grid: Grid, per_cell: Sequence[Sequence[Word]], texts: Sequence[OcrText],
                      skip: Collection[int], numeric: Collection[int], body: int, *, digits: PageDigits,
                      margin: int = 5) -> list[OcrText]:
    """``texts`` with the row numbers read as look-alikes judged by the ink (module
    docstring). ``skip``: cells never touched (codes); ``numeric``: the columns of numbers,
    whose cells are touched only where the word stands alone; ``body``: the table's first row
    under its titles; ``digits``: the page's own, whose shapes the ink is compared with."""
    out = list(texts)
    columns = numbered_columns(grid, texts, skip, body)
    todo = []
    for k, (cell, t) in enumerate(zip(grid.cells, texts)):
        if k in skip or cell.col not in columns or cell.row < body or cell.col_span > 1:
            continue
        word, rest = _opening(t.text.strip())
        word = word.upper()
        if not _looks_numbered(word):
            continue
        alone = not rest.strip(_TRAILING + " ")
        # in a column of numbers, an M-number standing alone ("ma" for M4); their look-alike
        # digits are the number reader's, and more there is garbage ("mi 2: 182")
        if cell.col in numeric and not (alone and word.startswith("M")):
            continue
        box = _word_box(cell.bbox, per_cell[k], word, alone, margin)
        if box is not None:
            todo.append((k, word, rest, box))
    if not todo:
        return out
    for k, word, rest, box in todo:
        crop, glyphs = digits.glyphs(box)
        told = _judged(word, crop, glyphs, digits)
        if told is not None and ROW_NUMBER.fullmatch(told):
            out[k] = replace(texts[k], text=told + rest, confidence=min(texts[k].confidence, NUMBER_CAP))
    return out
