"""Cell reading: rulings erased, the table read column by column in one tesseract call
(a mosaic), words assigned to cells by geometry, doubtful cells re-read in batched
mosaics with a configuration suited to the column, numbers judged against the ink."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Collection, Sequence

import cv2
import numpy as np

from ocr._exec.tesseract import Word
from ocr.codes import GLYPH_LEAD, PageDigits, read_codes, well_formed
from ocr.numbers import (LOOKALIKES, WELL_FORMED, Reading, advance, assess, digits_of, ink_width, judge,
                         outvote, percent_columns)
from ocr.numbers import doubtful as doubtful_number
from ocr.layout import Rulings
from ocr.lonedigits import judge_lone_digits, judge_marked_numbers
from ocr.mosaic import Piece, mosaic_read, mosaic_words
from ocr.rownumbers import judge_row_numbers
from ocr.types import BBox, Cell, Grid, OcrText
from ocr.words import locate, to_text

NUMBER = re.compile(r"^[\d.,%\s-]*\d[\d.,%\s-]*$")
NUMBER_WHITELIST = "0123456789,%"
SURE = 0.9  # a cell of digits read at least this surely teaches the page's digit shapes to the code reader
# dotted codes as first read: "4.6.1", "4.61", "461, 462" (numbers never have ", " inside)
CODE_LIKE = re.compile(r"\d\s?[.,]\s?\d\s?[.,]\s?\d|\d\.\d|\d,\s+\d")
_STRICT_CODE = re.compile(r"\d+\.\d+\.\d+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class ReadSettings:
    psm: int = 6
    table_scale: float = 0.75  # the whole-table pass reads a resized copy
    doubt_below: float = 0.88  # cell confidence under which a cell is re-read
    doubt_prose: float = 0.5  # the same for long texts (descriptions, observations)
    reread_scale: float = 0.75  # at least; more where the digits are small (reread_height)
    reread_height: float = 32.0  # pixels: digits are re-read scaled to about this height
    margin: int = 5  # pixels trimmed inside a cell's rulings when cropping
    min_ink: int = 40  # ink pixels that make an empty cell "inked"
    max_rereads: int = 400
    # what one printed code looks like (a reading where every code matches is preferred);
    # the plan's lines of action print as three dotted levels, "4.6.1"
    code_pattern: str = r"\d+(\.\d+){2}"
    code_levels: int = 3  # the same, as the number of levels the separators are decided by
    # sigma (px at 300 dpi) of a blur code cells and numbers are re-read through (set for a
    # black-and-white scan: its jagged, broken strokes read better with grey edges)
    reread_blur: float = 0.0
    # print smaller than this (pixels, in the scan as delivered: a 150 dpi fax) is never
    # vouched for: every confidence on the page is capped at small_print_cap
    sure_height: float = 13.0
    small_print_cap: float = 0.9
    # a number whose two readings disagree is read a third time, at another scale, and the
    # readings that agree kept (set for faint print: blurred digits slip at one scale in
    # ways another seldom repeats)
    outvote: bool = False


STREAK_CLEAR = 10  # pixels: a horizontal line further than this from every row edge is a streak


def erase_rulings(gray: np.ndarray, rulings: Rulings, streaks_between: Sequence[int] = (),
                  column_pad: int = 2, inside: bool = False) -> np.ndarray:
    """The page with ruling lines painted white (text crossing them loses a sliver), with
    ``column_pad`` pixels either side of a column line and 2 of a row line.

    ``streaks_between``: the table's row edges, where a horizontal line away from every
    row edge is no ruling but a streak of the transmission running through the print (a
    black-and-white scan), or on any scan the foot of a row of print the blur ran
    together (a phone photo's "2.1.1, 2.1.2, 2.1.3," over one cell): it is inpainted
    instead, so the strokes it crossed are joined again from above and below (painted
    white, "52" lost its middle, "2.1.2" its base). ``inside``: only such lines within
    the table are (on a black-and-white scan every line away from the rows is a streak).
    The rulings' known streaks (``rulings.streaks``) are inpainted on any page."""
    lines = cv2.dilate(rulings.horizontal, np.ones((5, 5), np.uint8)) | cv2.dilate(
        rulings.vertical, np.ones((5, 2 * column_pad + 1), np.uint8))
    out = gray.copy()
    # the lines known as a scan's streaks (ocr.rulings.scan_streaks) are inpainted wherever
    # they run, near a row edge too (painted white there, they cut the titles they cross)
    known = rulings.streaks if rulings.streaks is not None and rulings.streaks.any() else None
    if not streaks_between and known is None:
        out[lines > 0] = 255
        return out
    streaks = rulings.horizontal.copy() if streaks_between else np.zeros_like(gray)
    for y in streaks_between:
        streaks[max(0, y - STREAK_CLEAR):y + STREAK_CLEAR + 1] = 0
    if inside and streaks_between:
        streaks[:min(streaks_between)] = 0
        streaks[max(streaks_between):] = 0
    if known is not None:
        streaks |= known
    streaks = cv2.dilate(streaks, np.ones((5, 5), np.uint8))
    out[(lines > 0) & (streaks == 0)] = 255
    return cv2.inpaint(out, streaks, 3, cv2.INPAINT_TELEA) if streaks.any() else out


def _interior(cell: Cell, margin: int) -> BBox:
    b = cell.bbox
    m = min(margin, max(0, b.width // 4), max(0, b.height // 4))
    return BBox(b.x0 + m, b.y0 + m, b.x1 - m, b.y1 - m)


def _sure(text: OcrText, pattern: str | None = None) -> bool:
    """Read surely (>= :data:`SURE`) as a number or, given the code pattern, as codes."""
    return text.confidence >= SURE and bool(NUMBER.match(text.text)
                                            or (pattern is not None and well_formed(text.text, pattern)))


def sure_cells(grid: Grid, margin: int, pattern: str) -> list[tuple[BBox, str]]:
    """The table's cells read surely as a number or as codes (:func:`_sure`), by their
    interiors: the page's digits as it prints them, for the header's code reader."""
    return [(_interior(c, margin), c.text.text) for c in grid.cells if _sure(c.text, pattern)]


def _cell_index(grid: Grid) -> dict[tuple[int, int], int]:
    index = {}
    for k, c in enumerate(grid.cells):
        for i in range(c.row, c.row + c.row_span):
            for j in range(c.col, c.col + c.col_span):
                index[(i, j)] = k
    return index


def text_lines(crop: np.ndarray) -> int:
    """Lines of print in a cell, by the white gaps in its ink's row profile."""
    if crop.size == 0 or int(crop.min()) > 150:
        return 0
    _, mask = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = (mask > 0).sum(axis=1) > 0
    runs, start = [], None
    for y, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append(y - start)
            start = None
    tall = max(runs, default=0)
    return sum(1 for r in runs if r >= 0.4 * tall)


def table_pieces(clean: np.ndarray, grid: Grid, margin: int = 5
                 ) -> tuple[list[Piece], list[tuple[str, int]], list[Piece], list[tuple[str, int]]]:
    """The table as mosaic pieces, in two sets read by two calls.

    Single-line cells are read where they stand: the table with its multi-line cells
    blanked (all single-line cells of a row share a baseline, so they read as one line).
    Multi-line cells (prose, code lists, two-line titles) are read column by column:
    each column holding some, with its other cells blanked, stacked on a narrow canvas;
    a multi-line cell spanning columns, whole. Returns (pieces, owners) for each set."""
    multi = {k for k, c in enumerate(grid.cells) if text_lines(_crop(clean, _interior(c, margin))) >= 2}
    wide = [Piece(grid.bbox, tuple(grid.cells[k].bbox for k in sorted(multi)))]
    narrow, owners = [], []
    for j in sorted({grid.cells[k].col for k in multi if grid.cells[k].col_span == 1}):
        x0, x1 = grid.col_edges[j], grid.col_edges[j + 1]
        mine = [grid.cells[k].bbox for k in multi if grid.cells[k].col == j and grid.cells[k].col_span == 1]
        y0, y1 = min(b.y0 for b in mine), max(b.y1 for b in mine)  # no white beyond them
        blank = tuple(c.bbox for k, c in enumerate(grid.cells)
                      if c.bbox.x0 < x1 and c.bbox.x1 > x0 and c.bbox.y0 < y1 and c.bbox.y1 > y0
                      and not (k in multi and c.col_span == 1))
        narrow.append(Piece(BBox(x0, y0, x1, y1), blank))
        owners.append(("col", j))
    for k in sorted(k for k in multi if grid.cells[k].col_span > 1):
        narrow.append(Piece(grid.cells[k].bbox))
        owners.append(("cell", k))
    return wide, [("table", -1)], narrow, owners


def cell_words(grid: Grid, owners: Sequence[tuple[str, int]],
               words: Sequence[Sequence[Word]]) -> list[list[Word]]:
    """Words per cell: the table piece's by where they stand, a column strip's by height
    within the column, a cell's piece that cell's."""
    index = _cell_index(grid)
    per_cell: list[list[Word]] = [[] for _ in grid.cells]
    for (kind, v), ws in zip(owners, words):
        for w in ws:
            if kind == "cell":
                per_cell[v].append(w)
                continue
            x = w.cx if kind == "table" else grid.col_edges[v] + 1
            at = locate(x, w.cy, grid.row_edges, grid.col_edges)
            if at is not None and at in index:
                per_cell[index[at]].append(w)
    return per_cell


_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑáéíóúñ]{3,}")


def _numeric_columns(grid: Grid, texts: Sequence[OcrText]) -> set[int]:
    """Columns of numbers: most single-column cells read as numbers, or (small, blurred
    print read badly) at least a third do and no cell holds a word of three letters."""
    seen: dict[int, list[str]] = {}
    for c, t in zip(grid.cells, texts):
        if c.col_span == 1 and t.text:
            seen.setdefault(c.col, []).append(t.text)
    out = set()
    for j, cells in seen.items():
        numbers = sum(bool(NUMBER.match(t)) for t in cells)
        words = any(_WORD.search(t) for t in cells[1:])  # the first may be the column's title
        if numbers >= 2 and (numbers >= 0.6 * len(cells) or (numbers >= len(cells) / 3 and not words)):
            out.add(j)
    return out


def _code_cells(grid: Grid, texts: Sequence[OcrText], blank_inked: Collection[int] = (), levels: int = 3,
                listed: Collection[str] = ()) -> list[int]:
    """Cells of columns that hold dotted codes ("4.6.1, 4.6.2"), by what was read there;
    with the cells of those columns the first pass read nothing from though they hold
    print (``blank_inked``: faint codes, read freely, run together as "212213253").
    ``levels``: a code's, so that one read without its dots ("461") is told from a title
    ("11"). ``listed``: the digits of the codes the page's header lists ("211" for
    2.1.1); a cell read as bare digits that are all such codes ("211,215", "211215": a
    blurred photo's codes, every dot lost) counts as a cell of codes."""
    bare = re.compile(rf"\d{{{levels}}}(?:[,;\s]*\d{{{levels}}})*")

    def listed_only(text: str) -> bool:
        t = text.strip(" .,;")
        return bool(listed) and bool(bare.fullmatch(t)) and all(g in listed for g in re.findall(rf"\d{{{levels}}}", t))

    seen: dict[int, list[bool]] = {}
    for c, t in zip(grid.cells, texts):
        if c.col_span == 1 and t.text:
            seen.setdefault(c.col, []).append(bool(CODE_LIKE.search(t.text)) or listed_only(t.text))
    cols = {j for j, flags in seen.items() if sum(flags) >= max(1, 0.4 * len(flags))}
    # or a column with a cell of two or more clear codes, the others garbled by the first
    # pass ("Did LS" for "2.1.1, 2.1.5"): there, cells read weakly or without a word are
    # code cells too
    strong = {c.col for c, t in zip(grid.cells, texts)
              if c.col_span == 1 and len(_STRICT_CODE.findall(t.text or "")) >= 2} - cols
    # the columns' codes start at their first cell of codes, or of codes whose dots were
    # lost ("461,462,463": digits in groups of ``levels``; not a title "11"): above are titles
    first = min((c.row for c, t in zip(grid.cells, texts)
                 if c.col in cols | strong and (CODE_LIKE.search(t.text or "") or bare.fullmatch(t.text or ""))),
                default=0)
    return [k for k, (c, t) in enumerate(zip(grid.cells, texts))
            if c.col_span == 1 and c.row > first and not t.text and k in blank_inked and c.col in cols | strong
            or c.col_span == 1 and c.row >= first and t.text
            and (c.col in cols or c.col in strong and (CODE_LIKE.search(t.text) or t.confidence < 0.6
                                                         or not _WORD.search(t.text)))]


def _crop(image: np.ndarray, box: BBox) -> np.ndarray:
    return image[box.y0:box.y1, box.x0:box.x1]


FAINT_CONTRAST = 100  # gray levels between a cell's paper and its darkest pixel that make it print, however faint


def _inked(clean: np.ndarray, box: BBox, min_ink: int) -> bool:
    """Does an empty-read cell hold print: ``min_ink`` pixels darker than 128, or, on faint
    print (a phone photo's grey "13" has a few dozen such pixels), as many darker than the
    midpoint of the cell's paper and its darkest pixel, if these lie FAINT_CONTRAST apart."""
    crop = _crop(clean, box)
    if crop.size == 0:
        return False
    if int((crop < 128).sum()) >= min_ink:
        return True
    darkest, paper = int(crop.min()), int(np.percentile(crop, 90))
    return paper - darkest >= FAINT_CONTRAST and int((crop < (paper + darkest) // 2).sum()) >= min_ink


def _better(old: OcrText, new: OcrText) -> OcrText:
    if not new.text:
        return old
    if not old.text or new.confidence > old.confidence:
        return new
    return old


def _code_or_first(first: OcrText, code: OcrText) -> OcrText:
    """A code cell's text: the code reader's, when it is fairly sure or the first pass read
    only digits and marks ("241,24.4": its grammar's reading, though unsure, is at least
    well formed); else the surer of the two (a cell of words in a code column)."""
    if code.text and (code.confidence >= 0.7 or not _LETTER.search(first.text)):
        return code
    return _better(first, code)


_WORDY = re.compile(r"[A-HJ-KMNP-RT-Ya-km-np-z]")  # letters not often misread digits


def _softened(image: np.ndarray, blur: float) -> np.ndarray:
    """The page numbers are re-read from: blurred by ``blur`` where set (a black-and-white
    scan's jagged strokes read better with grey edges)."""
    return cv2.GaussianBlur(image, (0, 0), blur) if blur > 0 else image


def _reread(clean: np.ndarray, grid: Grid, texts: list[OcrText], doubtful: list[int],
            numeric: set[int], s: ReadSettings) -> tuple[dict[int, OcrText], dict[int, OcrText]]:
    """Second readings of the doubtful cells, two batched calls: cells of numeric columns
    with the digit whitelist (through ``reread_blur``, where set); the others, and numbers
    the whitelist read weakly or that first read as a word ("M4" where numbers are
    expected), freely."""
    doubtful = doubtful[: s.max_rereads]
    ks = sorted(k for k in doubtful if grid.cells[k].col in numeric and grid.cells[k].col_span == 1)
    digits_from = _softened(clean, s.reread_blur) if ks else clean
    got = mosaic_read(digits_from, [_interior(grid.cells[k], s.margin) for k in ks],
                      scale=s.reread_scale, whitelist=NUMBER_WHITELIST)
    as_number = dict(zip(ks, got))
    free = [k for k in doubtful if k not in as_number or as_number[k].confidence < 0.8
            or _WORDY.search(texts[k].text)]
    got = mosaic_read(clean, [_interior(grid.cells[k], s.margin) for k in free],
                      scale=s.reread_scale, whitelist=None)
    return as_number, dict(zip(free, got))


LOOKALIKE_CAP = 0.75  # the most a number read from look-alike marks is vouched for
_ONE_OR_NAUGHT = str.maketrans({**LOOKALIKES, "]": "1", "[": "1", "J": "1"})


def _as_number(text: OcrText | None) -> OcrText | None:
    """A number cell's reading with the marks only a 1 or a 0 look like read as those digits
    ("J" or "]" for a faxed 1, "1O" for 10), when that makes a well-formed number."""
    if text is None:
        return text
    mapped = text.text.translate(_ONE_OR_NAUGHT)
    return replace(text, text=mapped) if mapped != text.text and WELL_FORMED.match(mapped.replace(" ", "")) else text


def _with_percent(text: OcrText | None, ink: float | None, adv: float | None, percent: bool | None) -> OcrText | None:
    """A number cell's reading that lacks the "%" its column prints, with the "%" put back
    where tesseract read it as a digit or lost it ("254" or "25" for 25 %), when exactly
    one of the two ("25%", "254%") is well formed and fits the ink's width."""
    if text is None or not percent:
        return text
    t = text.text.replace(" ", "")
    if not t.isdigit():
        return text
    options = [t + "%", t[:-1] + "%"] if len(t) >= 2 else [t + "%"]
    fit = [o for o in options if (r := assess(OcrText(o, 0.0, None), ink, adv, percent)).width_ok and r.well_formed]
    return replace(text, text=fit[0]) if len(fit) == 1 else text


def _settle(k: int, first: OcrText, as_number: dict[int, OcrText], free: dict[int, OcrText],
            number: bool, ink: float | None, adv: float | None, percent: bool | None = None,
            lookalikes: bool = False) -> OcrText:
    """The text a cell keeps after its second readings: for numbers, the judged reading
    when it fits the ink; else a word read freely and surely ("M4"); else the judged one.
    ``lookalikes``: the cell is among its column's numbers (not its titles), so marks only
    a 1 or a 0 look like are read as those digits (the number kept then vouched for at
    most :data:`LOOKALIKE_CAP`)."""
    alt = free.get(k)
    if not number:
        return _better(first, alt) if alt is not None else first
    read = (first, alt)
    if lookalikes:
        first, alt = (_with_percent(_as_number(t), ink, adv, percent) for t in (first, alt))
    guessed = (first, alt) != read  # two look-alikes agreeing are evidence, not proof
    second = as_number.get(k)
    if second is None or (alt is not None and alt.confidence > second.confidence
                          and digits_of(alt.text) and not _WORDY.search(alt.text)):
        second = alt if alt is not None else second
    judged = judge(assess(first, ink, adv, percent),
                   assess(second, ink, adv, percent) if second is not None else None)
    if guessed:
        judged = replace(judged, confidence=min(judged.confidence, LOOKALIKE_CAP))
    fits = assess(judged, ink, adv, percent)
    if fits.width_ok and fits.well_formed:
        return judged
    words = [t for t in (first, alt) if t is not None and _WORDY.search(t.text) and not t.text[:1].isdigit()]
    if words:  # a label where numbers are expected ("M4", "M.2"; not "57m"): kept as read, as text
        return max(words, key=lambda t: t.confidence)
    return judged


def _doubt_limit(cell: Cell, text: OcrText, numeric: set[int], s: ReadSettings) -> float:
    """Confidence under which a cell is re-read: numbers and short texts (row numbers,
    movement codes) at ``doubt_below``; long prose only when badly read."""
    if cell.col in numeric or len(text.text) <= 12:
        return s.doubt_below
    return s.doubt_prose


# a word of marks alone (",-", ".", "|", "' ."): what is left of a ruling or a speck at a
# cell's edge; a lone dash may be a printed bullet and stays
_STRAY = re.compile(r"(?=.*[.,;:|'`_~])[.,;:|'`_~\-–—]+")
# marks glued before a cell's opening number (a row's "201.-" read '"201.-' or ':204.-'):
# no printed number opens so
_GLUED = re.compile(r"^[.,;:|'`\"“”‘’_~]+(?=\d)")


def _without_stray_marks(text: OcrText, keep_marks_alone: bool = False) -> OcrText:
    """A cell's text without words of marks alone at its start or end ("'. GESTIONAR ...",
    "... ESTATAL. ."): no text opens with them, and a sentence's own stop is read with its word;
    and without marks glued before its opening number ('"201.- SEGUIMIENTO'). A text of
    marks alone is made empty, unless ``keep_marks_alone`` (a first reading: as read, it is
    doubted and read again)."""
    words = text.text.split()
    a, b = 0, len(words)
    while a < b and _STRAY.fullmatch(words[a]):
        a += 1
    while b > a and _STRAY.fullmatch(words[b - 1]):
        b -= 1
    if b <= a:
        return text if not words or keep_marks_alone else OcrText("", 0.0, None)
    opening = _GLUED.sub("", words[a])
    if (a, b) == (0, len(words)) and opening == words[0]:
        return text
    return replace(text, text=" ".join([opening, *words[a + 1:b]]))


GLYPH_JUDGED = 0.8  # the most a number the page's digits chose among its readings is vouched for


def judge_by_page_digits(boxes: dict[int, BBox], texts: Sequence[OcrText], seen: dict[int, Sequence[OcrText]],
                         digits: PageDigits, assessed: Callable[[int, OcrText], Reading]) -> list[OcrText]:
    """Numbers not read surely whose well-formed readings (``seen``) differ in a digit
    ("2,380" against "3,380": a fax's 3 that lost the tip of its upper bowl at one scale):
    the reading whose digits there look most like the page's own
    (:meth:`PageDigits.decide`, on the cell's ``boxes``), by a lead of :data:`GLYPH_LEAD`,
    vouched for at :data:`GLYPH_JUDGED` at most (0.5 where it does not fit the ink). A
    digit the page has no template for leaves the reading as it was."""
    out = list(texts)
    for k, box in sorted(boxes.items()):
        kept = texts[k]
        if _sure(kept) or _WORDY.search(kept.text):
            continue
        options = [t.text for t in (kept, *seen.get(k, ())) if t.text and assessed(k, t).well_formed]
        if len({digits_of(o) for o in options}) < 2:
            continue
        got = digits.decide(box, options)
        if got is None or got[1] < GLYPH_LEAD or digits_of(got[0]) == digits_of(kept.text):
            continue
        fits = assessed(k, OcrText(got[0], 0.0, kept.bbox))
        out[k] = OcrText(got[0], GLYPH_JUDGED if fits.width_ok and fits.well_formed else 0.5, kept.bbox)
    return out


def read_cells(gray: np.ndarray, grid: Grid, rulings: Rulings, *,
               settings: ReadSettings = ReadSettings(), numeric_cols: set[int] | None = None) -> Grid:
    """The grid with every cell's text, confidence and ink bbox filled in (the table alone;
    :func:`ocr.read.read_page` reads it in one call with the header and signatures)."""
    clean = erase_rulings(gray, rulings)
    wide, wide_owners, narrow, narrow_owners = table_pieces(clean, grid, settings.margin)
    words = [*mosaic_words(clean, wide, scale=settings.table_scale, psm=settings.psm),
             *mosaic_words(clean, narrow, scale=settings.table_scale, psm=settings.psm)]
    per_cell = cell_words(grid, [*wide_owners, *narrow_owners], words)
    return read_table(clean, grid, per_cell, settings=settings, numeric_cols=numeric_cols)


def read_table(clean: np.ndarray, grid: Grid, per_cell: Sequence[Sequence[Word]], *,
               settings: ReadSettings = ReadSettings(), numeric_cols: set[int] | None = None,
               codes_from: np.ndarray | None = None, listed: Collection[str] = ()) -> Grid:
    """Cell texts from the first pass's words (``per_cell``, on the page with rulings
    erased): code cells composed, doubtful cells re-read, numbers judged against the ink.
    ``codes_from``: the page code cells are read from, when ``clean`` is sharpened (the
    sharpened rim of a dot reads as a stroke); ``listed``: the digits of the codes the
    page's header lists (:func:`_code_cells`)."""
    plain = clean if codes_from is None else codes_from
    # a speck's mark beside a number is no part of it ("32 ."), as beside a text
    texts = [_without_stray_marks(to_text(ws), keep_marks_alone=True) for ws in per_cell]
    numeric = numeric_cols if numeric_cols is not None else _numeric_columns(grid, texts)
    blank_inked = {k for k, (c, t) in enumerate(zip(grid.cells, texts))
                   if not t.text and _inked(clean, _interior(c, settings.margin), settings.min_ink)}
    codes = _code_cells(grid, texts, blank_inked, settings.code_levels, listed)
    number = {k for k, c in enumerate(grid.cells) if c.col in numeric and c.col_span == 1 and k not in codes}
    measured = {k: ink_width(_crop(clean, _interior(grid.cells[k], settings.margin))) for k in number}
    ink = {k: m[0] if m else None for k, m in measured.items()}
    adv = advance([(texts[k].text, ink[k]) for k in number])
    by_col: dict[int, list[str]] = {}
    for k in number:
        by_col.setdefault(grid.cells[k].col, []).append(texts[k].text.replace(" ", ""))
    percent = percent_columns(by_col)  # a "354" where every other cell reads "25%" is ill formed
    pct = {k: percent.get(grid.cells[k].col) for k in number}
    heights = [m[1] for m in measured.values() if m]
    height = float(np.median(heights)) if heights else None  # the page's digits', in pixels
    # second reads at the scale where digits stand ~reread_height px tall (small print
    # from a 200 dpi scan reads far better enlarged than reduced)
    zoom = min(2.5, max(settings.reread_scale, settings.reread_height / height)) if height else settings.reread_scale
    doubtful = []
    for k, (cell, t) in enumerate(zip(grid.cells, texts)):
        if k in codes:
            continue
        if k in blank_inked:
            doubtful.append(k)
        elif k in number and t.text and doubtful_number(assess(t, ink[k], adv, pct[k]), settings.doubt_below):
            doubtful.append(k)
        elif t.text and k not in number and t.confidence < _doubt_limit(cell, t, numeric, settings):
            doubtful.append(k)
    as_number, free = _reread(clean, grid, texts, doubtful, numeric, replace(settings, reread_scale=zoom))
    firsts = texts
    # the table's numbers start at the first row with a cell read as one: above it are the
    # columns' titles ("I", "P")
    body = min((grid.cells[k].row for k in number if NUMBER.match(firsts[k].text)), default=grid.n_rows)
    texts = [_settle(k, t, as_number, free, k in number, ink.get(k), adv, pct.get(k),
                     lookalikes=grid.cells[k].row >= body) for k, t in enumerate(texts)]
    seen = {k: [t for t in (firsts[k], as_number.get(k), free.get(k)) if t is not None]
            for k in number if k in as_number or k in free}  # every reading of a re-read number

    def assessed(k: int, t: OcrText) -> Reading:
        return assess(t, ink[k], adv, pct[k])

    def voted(k: int) -> OcrText:  # the kept reading, or the digits more of the cell's readings agree on
        return outvote(assessed(k, texts[k]), [assessed(k, t) for t in seen[k]])

    if settings.outvote:  # the numbers whose two readings disagree are read once more, at another scale
        split = [k for k in sorted(as_number) if k in number and not _WORDY.search(texts[k].text)
                 and digits_of(as_number[k].text) != digits_of(firsts[k].text)]
        apart = zoom / 1.25 if zoom / 1.25 >= settings.reread_scale else zoom * 1.25
        got = mosaic_read(_softened(clean, settings.reread_blur) if split else clean,
                          [_interior(grid.cells[k], settings.margin) for k in split], scale=apart,
                          whitelist=NUMBER_WHITELIST)
        for k, third in zip(split, got):
            seen[k].append(third)
            texts[k] = voted(k)
    stubborn = [k for k in sorted(number) if texts[k].text and not assess(texts[k], ink[k], adv, pct[k]).width_ok]
    if stubborn and adv is not None:  # once more, larger: the digits' count still disagrees with the ink
        got = mosaic_read(clean, [_interior(grid.cells[k], settings.margin) for k in stubborn],
                          scale=min(2.5, zoom * 1.4), whitelist=NUMBER_WHITELIST)
        for k, new in zip(stubborn, got):
            third = assess(new, ink[k], adv, pct[k])
            seen.setdefault(k, [firsts[k]]).append(new)
            if third.width_ok and third.well_formed:
                agree = digits_of(new.text) in (digits_of(firsts[k].text), digits_of(as_number.get(k, new).text))
                texts[k] = replace(new, confidence=0.9 if not agree else 0.97)
            if settings.outvote:  # and with every reading of the cell, this one too, the digits most agree on
                texts[k] = voted(k)
    sure = [(_interior(grid.cells[k], settings.margin), texts[k].text) for k in sorted(number) if _sure(texts[k])]
    # the page's own digits (measured once, where a glyph is to be judged) tell a number's
    # readings apart where they differ in a digit, a row number's look-alike letter, and a
    # lone digit read as a mark
    digits = PageDigits(plain, sure, scale=zoom, blur=settings.reread_blur)
    disputed = {k: _interior(grid.cells[k], settings.margin) for k in seen if grid.cells[k].row >= body}
    texts = judge_by_page_digits(disputed, texts, seen, digits, assessed)
    got = read_codes(plain, [_interior(grid.cells[k], settings.margin) for k in codes],
                     first=[texts[k] for k in codes], pattern=settings.code_pattern,
                     levels=settings.code_levels, scale=zoom, blur=settings.reread_blur, sure=sure)
    for k, new in zip(codes, got):
        texts[k] = _code_or_first(texts[k], new)
    codes_at = set(codes)
    texts = [t if k in number or k in codes_at else _without_stray_marks(t) for k, t in enumerate(texts)]
    texts = judge_row_numbers(grid, per_cell, texts, codes_at, numeric, body, digits=digits, margin=settings.margin)
    lone = {k: _interior(grid.cells[k], settings.margin) for k in sorted(number) if grid.cells[k].row >= body}
    texts = judge_lone_digits(lone, texts, digits=digits, height=height)
    texts = judge_marked_numbers(lone, texts, digits=digits, assessed=assessed)
    cells = tuple(replace(c, text=t) for c, t in zip(grid.cells, texts))
    return replace(grid, cells=cells)
