"""Words to text: grouping tesseract words into lines and cells (pure geometry)."""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

import numpy as np

from ocr._exec.tesseract import Word
from ocr.types import BBox, Line, OcrText
from spanish import FUNCTION_WORDS, NO_BREAK_AFTER, lost_space


def shift(words: Sequence[Word], dx: float, dy: float, scale: float = 1.0) -> list[Word]:
    """Words mapped back from a crop (placed at dx, dy, resized by ``scale``) to the page."""
    return [Word(w.text, w.conf, int(w.x0 / scale + dx), int(w.y0 / scale + dy),
                 int(w.x1 / scale + dx), int(w.y1 / scale + dy), w.block, w.par, w.line)
            for w in words]


def union(boxes: Sequence[BBox]) -> BBox:
    return BBox(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def word_box(w: Word) -> BBox:
    return BBox(w.x0, w.y0, w.x1, w.y1)


def group_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into visual lines (by vertical overlap), top to bottom, left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for line in lines:
            ref = line[-1]
            h = min(ref.y1 - ref.y0, w.y1 - w.y0)
            if abs(ref.cy - w.cy) < 0.45 * h or abs(ref.y1 - w.y1) < 0.25 * h:
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda ln: min(w.y0 for w in ln))
    return lines


def confidence(words: Sequence[Word]) -> float:
    """Cell/line confidence in 0..1: the weakest word's, pulled a little toward the mean."""
    if not words:
        return 0.0
    confs = [max(0.0, min(100.0, w.conf)) / 100 for w in words]
    return 0.7 * min(confs) + 0.3 * sum(confs) / len(confs)


_CAPITALS = "A-ZÁÉÍÓÚÑÜ"
_CAPS_SHARE = 0.85  # a text whose letters are at least this share capitals is printed in capitals ...
_CAPS_LETTERS = 10  # ... when it has this many letters at least
_L_AMONG_CAPITALS = re.compile(rf"([\"'(¿¡]*)([{_CAPITALS}l]*[{_CAPITALS}][{_CAPITALS}l]*)([.,;:)]*)")


def _in_capitals(text: str) -> bool:
    """Is the text printed in capitals (:data:`_CAPS_LETTERS` letters at least, :data:`_CAPS_SHARE` of them capitals)?"""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= _CAPS_LETTERS and sum(c.isupper() for c in letters) >= _CAPS_SHARE * len(letters)


def capital_ls(text: str) -> str:
    """A text printed in capitals with its capital L's mended: a lowercase l among a word's
    capitals is an L whose foot came apart (a fax's, a blurred photocopy's), and where it
    ends the word, a lone '.' or ',' right after it is that foot ("CON El, AUMENTO" read
    for "CON EL AUMENTO"), unless the word ends the text. A text in mixed case ("El
    proveedor") is left as read."""
    if not _in_capitals(text):
        return text
    tokens = text.split(" ")
    for k, token in enumerate(tokens):
        m = _L_AMONG_CAPITALS.fullmatch(token)
        if m is None or "l" not in m.group(2):
            continue
        mark = m.group(3)
        if m.group(2).endswith("l") and mark in (".", ",") and k < len(tokens) - 1:
            mark = ""
        tokens[k] = m.group(1) + m.group(2).replace("l", "L") + mark
    return " ".join(tokens)


_L_OPENING_BROKEN = re.compile(r"(?<!\S)1[.,]([A-Z]{1,2})(?=[\s.,;:]|$)")  # "1,A", "1.AS"
_L_CLOSING_BROKEN = re.compile(r"(?<!\S)([A-Z]{1,2})I[.,](?=\s)")  # "DEI."
_LA_MISREAD = re.compile(r"(?<!\S)([tfJ])a(?=\s)")  # "ta", "fa", "Ja"


def broken_ls(text: str) -> str:
    """Function words whose L a fax broke, mended: in a text printed in capitals, an L's
    stem read as a 1 and its foot as a mark before the word's other letters ("1,A", "1.AS"
    for LA, LAS), or as an I and a mark after them ("DEI." for DEL), where that makes an
    article or a preposition (:data:`spanish.FUNCTION_WORDS`); in a text in mixed case,
    the article la read as "ta" or "fa" ("Ja" opening a sentence), which are no words."""
    if _in_capitals(text):
        text = _L_OPENING_BROKEN.sub(lambda m: "L" + m.group(1) if "L" + m.group(1) in FUNCTION_WORDS else m.group(0),
                                     text)
        return _L_CLOSING_BROKEN.sub(lambda m: m.group(1) + "L" if m.group(1) + "L" in FUNCTION_WORDS else m.group(0),
                                     text)
    return _LA_MISREAD.sub(lambda m: "La" if m.group(1) == "J" else "la", text)


_MARK_AFTER_WORD = re.compile(r"(?<![\w.])([^\W\d_]+)[.,](?=\s)")


def no_break_marks(text: str) -> str:
    """The text without a '.' or ',' read right after an article or a preposition
    ("CONCLUIR AL. CIERRE", "EN EL, MES"): no Spanish sentence or clause ends on one, so
    the mark is a speck, or the foot of a letter come apart. The text's last word keeps
    its mark; "él" (a pronoun, accented) is no article; a colon is left (a label,
    "PERIODO DEL: ... AL: ...")."""
    return _MARK_AFTER_WORD.sub(lambda m: m.group(1) if m.group(1).upper() in NO_BREAK_AFTER else m.group(0), text)


_LETTERS = re.compile(r"[^\W\d_]+")


def lost_spaces(text: str) -> str:
    """The text with two words a lost space ran together parted where Spanish alone tells
    them apart (:func:`spanish.lost_space`: "DELA" -> "DE LA", "LAATENCIÓN" -> "LA
    ATENCIÓN"); the rest needs a vocabulary, and is reconcile's."""
    def part(m: re.Match) -> str:
        at = lost_space(m.group(0))
        return m.group(0) if at is None else f"{m.group(0)[:at]} {m.group(0)[at:]}"
    return _LETTERS.sub(part, text)


def to_text(words: Sequence[Word]) -> OcrText:
    """Words of one cell joined in reading order (lines joined by a space), capital L's
    mended in a text printed in capitals (:func:`capital_ls`, :func:`broken_ls`), words run
    together parted (:func:`lost_spaces`), no mark after an article (:func:`no_break_marks`)."""
    if not words:
        return OcrText("", 0.0, None)
    text = " ".join(" ".join(w.text for w in line) for line in group_lines(words))
    text = no_break_marks(lost_spaces(broken_ls(capital_ls(text))))
    return OcrText(text, round(confidence(words), 4), union([word_box(w) for w in words]))


def to_line(words: Sequence[Word]) -> Line:
    t = to_text(words)
    return Line(text=t.text, confidence=t.confidence, bbox=t.bbox,
                words=tuple(OcrText(w.text, round(max(0.0, w.conf) / 100, 4), word_box(w))
                            for w in sorted(words, key=lambda w: w.x0)))


def split_gaps(line: Sequence[Word], max_gap: float) -> list[list[Word]]:
    """One visual line cut where words are further apart than ``max_gap`` pixels."""
    parts: list[list[Word]] = []
    for w in line:
        if parts and w.x0 - parts[-1][-1].x1 <= max_gap:
            parts[-1].append(w)
        else:
            parts.append([w])
    return parts


def to_lines(words: Sequence[Word], max_gap: float | None = None) -> tuple[Line, ...]:
    """Lines top to bottom; with ``max_gap``, far-apart pieces of a line are separate lines."""
    out = []
    for line in group_lines(words):
        for part in (split_gaps(line, max_gap) if max_gap else [line]):
            out.append(to_line(part))
    return tuple(out)


def locate(x: float, y: float, row_edges: Sequence[int], col_edges: Sequence[int]) -> tuple[int, int] | None:
    """Grid (row, col) of a point, or None outside the grid."""
    i = bisect_right(row_edges, y) - 1
    j = bisect_right(col_edges, x) - 1
    if 0 <= i < len(row_edges) - 1 and 0 <= j < len(col_edges) - 1:
        return i, j
    return None


def stack_crops(crops: "list[np.ndarray]", *, gap: int, pad: int) -> "tuple[np.ndarray, list[int]]":
    """Stack crops top to bottom on one white canvas (one tesseract call reads them all).

    Returns the canvas and each crop's top row on it; crops sit ``pad`` px from the left
    edge with ``gap`` px of white above, between and below them."""
    width = max(c.shape[1] for c in crops) + 2 * pad
    height = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    canvas = np.full((height, width), 255, np.uint8)
    tops, y = [], gap
    for c in crops:
        canvas[y:y + c.shape[0], pad:pad + c.shape[1]] = c
        tops.append(y)
        y += c.shape[0] + gap
    return canvas, tops
