"""Read one page: cleanup -> layout -> one tesseract pass -> cells, header and signature lines.

``read_page(image, dpi=None) -> (CleanPage, PageRead)``: ``CleanPage.image``
is the clean (upright, deskewed, grayscale, ~300 dpi) image that every bbox
refers to; ``PageRead.scale`` is the factor the input was resized by first.

The first pass is two tesseract calls over mosaics (:mod:`ocr.mosaic`): the header,
the table's single-line cells and the signatures on one canvas, the columns of
multi-line cells on another. Doubtful cells then get batched second reads.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

import cv2
import numpy as np

from ocr._exec.tesseract import Word
from ocr.cells import LOOKALIKE_CAP, ReadSettings, cell_words, erase_rulings, read_table, sure_cells, table_pieces
from ocr.cleanup import cleanup, despeckle, rotate_right_angle, upside_down
from ocr.codes import read_codes, well_formed
from ocr.layout import Layout, Rulings, find_layout, header_at_bottom
from ocr.mosaic import Piece, mosaic_words
from ocr.numbers import LOOKALIKES, digits_of
from ocr.types import BBox, CleanPage, Line, OcrText, PageRead
from ocr.words import group_lines, split_gaps, to_line, to_lines

NOMINAL_DPI = 300
LINE_GAP = 90  # pixels at 300 dpi: words further apart are separate lines
TEXT_SCALE = 0.75  # the first pass reads a reduced copy (faster, as good)...
TEXT_HEIGHT = 22.0  # ...of print this tall (pixels); smaller print is read less reduced


def _noise(line: Sequence[Word]) -> bool:
    """A "line" of specks: nothing alphanumeric, or one weakly read character."""
    text = "".join(w.text for w in line)
    alnum = sum(ch.isalnum() for ch in text)
    return alnum == 0 or (alnum == 1 and max(w.conf for w in line) < 60)


def read_header(words: Sequence[Word]) -> tuple[Line, ...]:
    lines = [part for line in group_lines(words) for part in split_gaps(line, LINE_GAP)]
    return tuple(to_line(part) for part in lines if not _noise(part))


# a header line opening with a dotted code as first read ("4.62 MESURA ...", "2,13 ...")
_LEADING_CODE = re.compile(r"^\d+([.,]\d+)+[.,]?$")
# ... or with one whose digits partly read as look-alikes ("2.4.]", "2.l.1")
_LOOKALIKE_CODE = re.compile(r"^[\dIl|\]\[!)]+([.,][\dIl|\]\[!)]+)+[.,]?$")


DISPUTED_CAP = 0.6  # the most a header code is vouched for that the first pass read otherwise


def _listed(header: Sequence[Line], levels: int) -> frozenset[str]:
    """The digits of the codes the header lists, as first read: its lines' opening words
    of digits and separators alone with a code's count of digits ("2.1.1", "2.12",
    "211"), so that a table's codes read without their dots are known for codes."""
    leads = (ln.words[0].text for ln in header if ln.words)
    return frozenset(digits_of(t) for t in leads if re.fullmatch(r"[\d.,]+", t) and len(digits_of(t)) == levels)


def _header_codes(gray: np.ndarray, header: Sequence[Line], settings: ReadSettings,
                  sure: Sequence[tuple[BBox, str]] = ()) -> tuple[Line, ...]:
    """Header lines that open with a dotted code (the lineas de accion list) get that code
    read again as code cells are: digits from tesseract, separators by the code grammar
    from the gaps and marks in the ink (tesseract drops a dot, "4.62", or turns it into a
    comma, "2,13"; or drops them all, "212": bare digits are taken for a code only where
    the list's codes stand, well formed or with one dot lost, not "522" beside "PROGRAMA:";
    so are codes with a digit read as a look-alike, "2.4.]"). All such codes of
    the page in one mosaic; a well-formed reading is taken
    when it has the first reading's digits and the vote gave it >= 0.8 (or the first
    reading was not a code: any confidence, kept), or when the first reading was not a
    code and two readings agreed (>= 0.9); or when two readings agreed on other digits
    than a well-formed first reading's, as many of them, vouched for at
    :data:`DISPUTED_CAP` at most (on the bench's faxes and phone photos such a vote
    was right 11 times out of 15)."""
    def lead(ln: Line) -> OcrText | None:
        return ln.words[0] if ln.words and ln.words[0].bbox is not None else None

    given, header = tuple(header), [_code_joined(ln, settings.code_pattern) for ln in header]

    # where the list's codes stand: lines opening with a well-formed code; a line opening
    # with bare digits just there ("212" beside "2.1.1") lost its dots
    # (or a dotted lead with the list's count of digits, one dot lost: "2.12" where no
    # code came out whole)
    anchors = [w.bbox.x0 for w in map(lead, header) if w is not None and (
               well_formed(w.text, settings.code_pattern)
               or _LEADING_CODE.match(w.text) and len(digits_of(w.text)) == settings.code_levels)]

    def anchored(w: OcrText) -> bool:
        return any(abs(w.bbox.x0 - x) <= 12 for x in anchors)

    at = [i for i, ln in enumerate(header) if (w := lead(ln)) is not None and (
          _LEADING_CODE.match(w.text) and 3 <= sum(ch.isdigit() for ch in w.text) <= 6
          or w.text.isdigit() and len(w.text) == settings.code_levels and anchored(w)
          or _LOOKALIKE_CODE.match(w.text) and sum(ch.isdigit() for ch in w.text) >= 2 and anchored(w))]
    if not at:
        return given
    h, w = gray.shape
    boxes, firsts = [], []
    for i in at:
        b, m = header[i].words[0].bbox, 6
        boxes.append(BBox(max(0, b.x0 - m), max(0, b.y0 - m), min(w, b.x1 + m), min(h, b.y1 + m)))
        firsts.append(header[i].words[0])
    height = float(np.median([f.bbox.height for f in firsts]))
    zoom = min(2.5, max(settings.reread_scale, settings.reread_height / max(1.0, height)))
    got = read_codes(gray, boxes, first=firsts, pattern=settings.code_pattern, levels=settings.code_levels,
                     scale=zoom, blur=settings.reread_blur, sure=sure)
    out = list(given)  # a line whose code is not read again keeps its words as first read
    for i, first, new in zip(at, firsts, got):
        if new.text == first.text or "," in new.text or not well_formed(new.text, settings.code_pattern):
            continue
        same = digits_of(new.text) == digits_of(first.text)
        formed = well_formed(first.text, settings.code_pattern)
        # two readings agreeing on other digits than a well-formed first reading's, as many:
        # more often right than it (a blurred "2.6.6" first read "2.6.5"), but in dispute
        disputed = formed and not same and new.confidence >= 0.9 and \
            len(digits_of(new.text)) == len(digits_of(first.text))
        # the first reading's own digits, well formed now ("2.11" -> "2.1.1"), are taken
        # even unsure (at their confidence: a reviewer looks)
        if not (same and (new.confidence >= 0.8 or not formed) or new.confidence >= 0.9 and not formed or disputed):
            continue
        conf = min(new.confidence, DISPUTED_CAP) if disputed else new.confidence
        out[i] = _with_words(header[i], (OcrText(new.text, conf, first.bbox), *header[i].words[1:]))
    return tuple(out)


# a piece of a dotted code as first read: "2.1", "1", ".4"
_CODE_PIECE = re.compile(r"^[.,]?\d+([.,]\d+)*[.,]?$")


def _code_joined(line: Line, pattern: str) -> Line:
    """``line`` with a leading code that tesseract split in two words at a wide gap
    ("2.1" "1" for "2.1.1": the gap a dot leaves before a 1 is wider than a space) read
    as one word, the two pieces' text run together ("2.11") for the code reader to
    place the separators from the ink. Only a lead that is no code alone, followed
    within a glyph's height by digits, is joined."""
    if len(line.words) < 2:
        return line
    a, b = line.words[0], line.words[1]
    if a.bbox is None or b.bbox is None or well_formed(a.text, pattern) \
            or not (_CODE_PIECE.match(a.text) and _CODE_PIECE.match(b.text)) \
            or not 0 <= b.bbox.x0 - a.bbox.x1 <= max(a.bbox.height, b.bbox.height):
        return line
    box = BBox(a.bbox.x0, min(a.bbox.y0, b.bbox.y0), b.bbox.x1, max(a.bbox.y1, b.bbox.y1))
    joined = OcrText(a.text + b.text, min(a.confidence, b.confidence), box)
    return _with_words(line, (joined, *line.words[2:]))


def _with_words(line: Line, words: Sequence[OcrText]) -> Line:
    """``line`` with its words read again as ``words``."""
    words = tuple(words)
    confs = [x.confidence for x in words]
    return replace(line, words=words, text=" ".join(x.text for x in words),
                   confidence=round(0.7 * min(confs) + 0.3 * sum(confs) / len(confs), 4))


# a header line opening with a bare code some of whose digits read as look-alikes, before
# a name ("$2 DESARROLLO", "S11 GESTION", "2O1 ..."): tesseract reads a serif 5 as "$" or
# "S" even told to read digits alone (it then drops the mark: "2" for "52"); a fax's 1
# as ")" or "]" ("5220)", "312)")
_BARE = {**LOOKALIKES, "$": "5", "S": "5", "s": "5", ")": "1", "]": "1", "[": "1"}
_BARE_LOOKALIKES = str.maketrans(_BARE)
_LOOKALIKE_NUMBER = re.compile(r"^[\d" + re.escape("".join(_BARE)) + r"]{1,8}$")


def _header_numbers(header: Sequence[Line]) -> tuple[Line, ...]:
    """A bare code read partly as look-alikes, opening a header line or just after its
    label ("RAMO: $2 ..."), before a name, gets the look-alikes read as the digits they
    stand for, vouched for at most :data:`LOOKALIKE_CAP`. A code holds digits alone there
    (dotted codes and roman numerals are left as read)."""
    def bare_code(words: Sequence[OcrText], j: int) -> bool:
        w = words[j]
        return ((j == 0 or words[j - 1].text.endswith(":")) and j + 1 < len(words)
                and not w.text.isdigit() and bool(_LOOKALIKE_NUMBER.match(w.text))
                and any(ch.isdigit() for ch in w.text) and sum(ch.isalpha() for ch in words[j + 1].text) >= 3)

    out = list(header)
    for i, ln in enumerate(header):
        at = [j for j in range(len(ln.words)) if bare_code(ln.words, j)]
        if at:
            words = [OcrText(w.text.translate(_BARE_LOOKALIKES), min(w.confidence, LOOKALIKE_CAP), w.bbox)
                     if j in at else w for j, w in enumerate(ln.words)]
            out[i] = _with_words(ln, words)
    return tuple(out)


def read_signature(words: Sequence[Word], layout: Layout) -> tuple[tuple[tuple[Line, ...], ...], tuple[Line, ...]]:
    """The region below the table: its lines split into the signature columns; lines
    running across a column boundary (legends) are the footer."""
    columns = layout.signature_columns or (layout.signature,)
    cuts = [c.x0 for c in columns[1:]]
    footer, kept = [], []
    for line in group_lines(words):
        for part in split_gaps(line, LINE_GAP):
            if _noise(part):
                continue
            x0, x1 = part[0].x0, part[-1].x1
            crosses = any(x0 < c - 10 and x1 > c + 10 for c in cuts)
            (footer if crosses else kept).append(part)
    out = []
    for col in columns:
        mine = [w for part in kept for w in part if col.x0 <= w.cx < col.x1]
        out.append(to_lines(mine, max_gap=LINE_GAP))
    return tuple(out), tuple(to_line(part) for part in footer)


def _to_nominal(image: np.ndarray, dpi: int | None) -> tuple[np.ndarray, float]:
    if not dpi or dpi >= NOMINAL_DPI * 0.9:
        return image, 1.0
    scale = NOMINAL_DPI / dpi
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), scale


def _ink_piece(gray: np.ndarray, box: BBox, margin: int = 12) -> Piece:
    """The part of a region that holds print (white margins cost tesseract time too);
    an empty piece when there is next to none."""
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    ink = crop < 128
    if crop.size == 0 or int(ink.sum()) < 30:
        return Piece(BBox(box.x0, box.y0, box.x1, box.y0))
    ys, xs = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return Piece(BBox(max(box.x0, box.x0 + int(xs[0]) - margin), max(box.y0, box.y0 + int(ys[0]) - margin),
                      min(box.x1, box.x0 + int(xs[-1]) + 1 + margin), min(box.y1, box.y0 + int(ys[-1]) + 1 + margin)))


def _upright(image: np.ndarray, rotation: int | None, dithered: bool = False) -> tuple[CleanPage, Layout]:
    """The clean page and its layout, upside-down pages turned: told by where the table's
    multi-level header is (no tesseract call), else by reading a strip of text."""
    page = cleanup(image, rotation=rotation, flip=False)
    # before despeckling: the dots of a faxed ruling are line
    layout = find_layout(page.image, dithered=dithered, skew=page.skew)
    if rotation is not None:
        return page, layout
    turned = header_at_bottom(layout.grid) if layout.grid is not None else None
    if turned is None:
        turned = upside_down(page.image)
    if turned:
        page = replace(page, image=rotate_right_angle(page.image, 180), rotation=(page.rotation + 180) % 360)
        r = layout.rulings
        turned_rulings = Rulings(horizontal=rotate_right_angle(r.horizontal, 180),
                                 vertical=rotate_right_angle(r.vertical, 180),
                                 streaks=None if r.streaks is None else rotate_right_angle(r.streaks, 180))
        layout = find_layout(page.image, turned_rulings, dithered=dithered)
    return page, layout


def _print_height(gray: np.ndarray, box: BBox) -> float | None:
    """Height in pixels of capitals and digits in a region (None: too little print)."""
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    if crop.size == 0:
        return None
    _, mask = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    hs, ws = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    chars = hs[(hs >= 6) & (hs <= 80) & (ws <= 2 * hs) & (ws >= 2)]
    return float(np.percentile(chars, 75)) if len(chars) >= 20 else None  # not commas and dots


def _first_scale(height: float | None) -> float:
    """The first pass's scale: TEXT_SCALE for print of TEXT_HEIGHT px, more for smaller
    print (a photo taken from afar, a page printed small), up to 1.5."""
    if height is None:
        return TEXT_SCALE
    return float(min(1.5, max(TEXT_SCALE, TEXT_SCALE * TEXT_HEIGHT / height)))


SOFTEN = 1.0  # sigma (pixels at 300 dpi) of the blur a black-and-white scan's codes and numbers are re-read through
FAINT_PRINT = 10.0  # print (darker than 200) per dark pixel (darker than 128) above which print is faint
SHARPEN = (1.0, 2.0)  # unsharp mask for faint print: amount, sigma (pixels at 300 dpi)


def _faint(gray: np.ndarray, box: BBox) -> bool:
    """Is the print in a region faint (a phone photo in poor light or out of focus): of its
    print (darker than 200) less than one pixel in FAINT_PRINT dark (darker than 128)?
    Crisp print is mostly dark (1.2-3 print pixels per dark one), a black-and-white scan all."""
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    printed, dark = int((crop < 200).sum()), int((crop < 128).sum())
    return printed >= 2000 and printed > FAINT_PRINT * dark


def _sharpened(gray: np.ndarray, box: BBox) -> np.ndarray:
    """The page with the region's print sharpened (unsharp mask): faint, blurred digits
    read far better so (a photo's "26303" for 26333), and their ink is measured whole;
    outside the region, as it was."""
    amount, sigma = SHARPEN
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    out = gray.copy()
    out[box.y0:box.y1, box.x0:box.x1] = cv2.addWeighted(crop, 1 + amount, cv2.GaussianBlur(crop, (0, 0), sigma),
                                                         -amount, 0)
    return out


BILEVEL_SHARE = 0.85  # of the pixels pure black or white, in a black-and-white scan at least...
BILEVEL_BLACK = 0.05  # ...and of its dark pixels pure black (none where the print is grey)


def _bilevel(image: np.ndarray) -> bool:
    """A black-and-white scan (fax, 1-bit TIFF): nearly every pixel pure black or white, and
    its print pure black where it is dark (rendered from a PDF, its edges come out grey).
    Paper alone pure white, under grey print, is a scanner's background suppression or a
    page rendered from text (a born-digital PDF): its print has the grey edges a fax lost."""
    sample = image[::4, ::4]
    if float(((sample == 0) | (sample == 255)).mean()) < BILEVEL_SHARE:
        return False
    dark = sample[sample < 128]
    return bool(dark.size) and float((dark == 0).mean()) >= BILEVEL_BLACK


def _capped(read: PageRead, cap: float) -> PageRead:
    """Every confidence at most ``cap``: print this small in the scan as delivered, a
    black-and-white scan (no grey edges to tell a 3 from an 8), or faint print read
    sharpened (a 9 sharpened into a 0), fools two readings alike, so nothing on the page
    is vouched for."""
    def line(ln: Line) -> Line:
        return replace(ln, confidence=min(ln.confidence, cap),
                       words=tuple(replace(w, confidence=min(w.confidence, cap)) for w in ln.words))

    grid = read.grid
    if grid is not None:
        grid = replace(grid, cells=tuple(replace(c, text=replace(c.text, confidence=min(c.text.confidence, cap)))
                                         for c in grid.cells))
    return replace(read, grid=grid, header=tuple(line(ln) for ln in read.header),
                   footer=tuple(line(ln) for ln in read.footer),
                   signature=tuple(tuple(line(ln) for ln in col) for col in read.signature))


def read_page(image: np.ndarray, *, dpi: int | None = None, rotation: int | None = None,
              settings: ReadSettings = ReadSettings(),
              numeric_cols: set[int] | None = None, drawn: bool = False) -> tuple[CleanPage, PageRead]:
    """Everything ``ocr/`` reads from one page image (gray, RGB or RGBA uint8).

    ``dpi`` below ~270 makes the page be upscaled to 300 dpi first; ``rotation``
    forces the clockwise right-angle turn instead of detecting it; ``drawn``: the page was
    rendered from a PDF's own text and shapes (no scan), so it is no black-and-white scan
    whatever its pixels.
    """
    bilevel = not drawn and _bilevel(image)
    if bilevel:  # a fax's codes and doubtful numbers are read softened
        settings = replace(settings, reread_blur=SOFTEN)
    image, scale = _to_nominal(image, dpi)
    page, layout = _upright(image, rotation, bilevel)
    gray = despeckle(page.image)
    page = replace(page, image=gray)
    # lines inside the table's rows are a fax's streaks, or print's feet a blur ran together
    rows = layout.grid.row_edges if layout.grid is not None else ()
    streaks = rows if bilevel else ()
    text_gray = erase_rulings(gray, layout.rulings, rows, inside=not bilevel)
    wide, wide_owners, narrow, narrow_owners = (table_pieces(text_gray, layout.grid, settings.margin)
                                                if layout.grid is not None else ([], [], [], []))
    regions = [layout.header] + ([layout.signature] if layout.grid is not None else [])
    regions = [_ink_piece(text_gray, box) for box in regions]
    # two calls: the wide canvas (header, the table's single-line cells, signatures) and
    # the narrow one (columns of multi-line cells)
    height = _print_height(text_gray, layout.grid.bbox if layout.grid is not None else layout.header)
    first = _first_scale(height)
    # faint print in the table is read sharpened (codes are read as they are: the
    # sharpened rim of a dot reads as a stroke)
    faint = layout.grid is not None and _faint(text_gray, layout.grid.bbox)
    sharp = _sharpened(text_gray, layout.grid.bbox) if faint else text_gray
    # on a black-and-white scan the first pass reads the page with the column lines erased
    # narrowly: a fax prints prose right up to a line, and the wider erasure took the first
    # letters (the re-reads and the ink measure keep it: numbers read better so)
    first_img = erase_rulings(gray, layout.rulings, streaks, column_pad=1) if streaks else sharp
    words = mosaic_words(first_img, [regions[0], *wide, *regions[1:]], scale=first, psm=settings.psm)
    grid = None
    first_header = read_header(words[0])
    if layout.grid is not None:
        table_words = [*words[1:1 + len(wide)],
                       *mosaic_words(first_img, narrow, scale=first, psm=settings.psm)]
        per_cell = cell_words(layout.grid, [*wide_owners, *narrow_owners], table_words)
        # on faint print a slip at one scale is seldom repeated at another, so disputed
        # numbers are read a third time (a fax's jagged digits slip alike at every scale)
        grid = read_table(sharp, layout.grid, per_cell, numeric_cols=numeric_cols, codes_from=text_gray,
                          settings=replace(settings, outvote=settings.outvote or faint),
                          listed=_listed(first_header, settings.code_levels))
    sure = sure_cells(grid, settings.margin, settings.code_pattern) if grid is not None else []
    header = _header_numbers(_header_codes(text_gray, first_header, settings, sure))
    signature, footer = read_signature(words[-1], layout) if layout.grid is not None else ((), ())
    h, w = gray.shape
    read = PageRead(width=w, height=h, rotation=page.rotation, skew=page.skew, header=header,
                    grid=grid, signature=signature, footer=footer, scale=scale)
    if bilevel or faint or (height is not None and height / scale < settings.sure_height):
        read = _capped(read, settings.small_print_cap)
    return page, read
