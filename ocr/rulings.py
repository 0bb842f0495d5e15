"""Ruled lines: the long horizontal and vertical lines of a table, as masks.

Found by local contrast (black-hat), so that faint grey and blurred rulings count
as well as black ones; dotted or dashed lines (a fax's thin rulings, a pale
photocopy's) are mended first: a thin band where ink is spread across most of the
page is a line, and its gaps are closed inside that band only (never across text).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocr.cleanup import ink_mask

_LINE_CONTRAST = 22  # gray levels darker than the paper beside it: a faint, blurred ruling still is
_BINS = 24  # the width is cut into this many bins to tell a line (ink in most) from text
_MIN_BINS = 3  # bins a dotted line must be seen in (a ruling under a title over four narrow columns)


@dataclass(frozen=True)
class Rulings:
    """Masks (255 = ruling ink) of the long horizontal and vertical lines; ``streaks``: the
    long lines that were level in the scan as delivered but not on the page (a fax's or a
    scanner's streak, see :func:`scan_streaks`), None until looked for."""

    horizontal: np.ndarray
    vertical: np.ndarray
    streaks: np.ndarray | None = None

    def without_streaks(self) -> Rulings:
        """The rulings the table is made of: the horizontal lines less the streaks."""
        if self.streaks is None or not self.streaks.any():
            return self
        return replace(self, horizontal=cv2.subtract(self.horizontal, self.streaks))


def find_rulings(gray: np.ndarray, *, dithered: bool = False) -> Rulings:
    """Long horizontal and vertical lines (masks at the page's size). ``dithered``: a
    black-and-white scan, whose thin rulings are dithered into dots, the vertical ones
    too (they are mended like dotted horizontal ones; elsewhere a column of aligned
    digits would look like one)."""
    return _find(gray, 1.0, dithered)


def _find(gray: np.ndarray, f: float, dithered: bool = False) -> Rulings:
    """Rulings of ``gray`` at ``f`` times the nominal 300 dpi (pixel sizes scale with it)."""
    def px(n: float) -> int:
        return max(1, int(round(n * f)))

    h, w = gray.shape
    hk, vk = max(px(30), w // 80), max(px(25), h // 64)  # longer than any letter stroke
    across = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((px(13) | 1, 1), np.uint8))
    along = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((1, px(13) | 1), np.uint8))
    ink = ink_mask(gray)
    lines_h = cv2.threshold(across, _LINE_CONTRAST, 255, cv2.THRESH_BINARY)[1]
    lines_v = cv2.threshold(along, _LINE_CONTRAST, 255, cv2.THRESH_BINARY)[1]
    # where lines cross, black-hat sees neither: ink there between pieces of both is theirs
    crossings = cv2.bitwise_and(cv2.bitwise_and(ink, cv2.dilate(lines_h, np.ones((1, px(15)), np.uint8))),
                                cv2.dilate(lines_v, np.ones((px(15), 1), np.uint8)))
    lines_h = cv2.bitwise_or(lines_h, _mend_dotted(lines_h, ink, f))
    mask = cv2.bitwise_or(lines_h, crossings)
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, hk), np.uint8))
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, np.ones((1, hk), np.uint8))
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_OPEN, np.ones((1, 3 * hk), np.uint8))
    horiz = _straight(_not_text(_thin(horiz, (px(13), 1), f), ink, f), True, f)
    if dithered:
        lines_v = cv2.bitwise_or(lines_v, _mend_dotted_columns(lines_v, ink, horiz, f))
    mask = cv2.bitwise_or(lines_v, crossings)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((px(7), 1), np.uint8))  # small breaks
    vert = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((vk, 1), np.uint8))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, np.ones((vk // 2, 1), np.uint8))
    vert = _straight(_thin(vert, (1, px(13)), f), False, f)
    kept_h = _not_through_text(horiz, vert, ink, f, horizontal=True)
    kept_v = _not_through_text(vert, horiz, ink, f, horizontal=False)  # a stem spilled into a title
    return Rulings(horizontal=kept_h, vertical=kept_v)


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, int, int]:
    """Connected components of a sparse mask, computed inside its bounding box only:
    (count, labels, stats, x offset, y offset).

    Rulings leave most rows (or columns) of their box empty: each run of empty rows and
    of empty columns is labelled as one, which keeps every component as it is (two
    pixels a run apart stay a row apart; neighbours keep their rows) at a tenth of the
    pixels; labels and stats are given back at the mask's scale."""
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:  # nothing set (a blank page, a letter): OpenCV crashes on an empty array
        return 1, np.zeros((0, 0), np.int32), np.zeros((1, 5), np.int32), 0, 0
    box = mask[y:y + h, x:x + w]
    rows, cols = _kept_lines(box.any(axis=1)), _kept_lines(box.any(axis=0))
    if len(rows) * len(cols) > 0.8 * w * h:  # dense: nothing worth leaving out
        n, labels, stats, _ = cv2.connectedComponentsWithStats(box, connectivity=8)
        return n, labels, stats, x, y
    n, small, stats, _ = cv2.connectedComponentsWithStats(np.ascontiguousarray(box[np.ix_(rows, cols)]),
                                                          connectivity=8)
    labels = np.zeros((h, w), np.int32)
    labels[np.ix_(rows, cols)] = small
    for at, size, kept in ((cv2.CC_STAT_LEFT, cv2.CC_STAT_WIDTH, cols), (cv2.CC_STAT_TOP, cv2.CC_STAT_HEIGHT, rows)):
        first, last = kept[stats[1:, at]], kept[stats[1:, at] + stats[1:, size] - 1]
        stats[1:, at], stats[1:, size] = first, last - first + 1
    stats[0] = (0, 0, w, h, w * h - stats[1:, cv2.CC_STAT_AREA].sum())
    return n, labels, stats, x, y


def _kept_lines(inked: np.ndarray) -> np.ndarray:
    """Indices of the inked rows (or columns) and of the first of each empty run."""
    return np.flatnonzero(inked | np.r_[True, inked[:-1]])


def _not_through_text(lines: np.ndarray, across: np.ndarray, ink: np.ndarray, f: float = 1.0, *,
                      horizontal: bool) -> np.ndarray:
    """Drop the pieces of rulings (cut where the rulings ``across`` them cross) that run
    through print: a line that spilled past its end into the next cell's title touches
    letters on both sides of it, which a ruling's cell padding never does."""
    near, far = max(1, round(f)), max(2, round(6 * f))
    cut = max(3, round(9 * f))
    pieces = cv2.subtract(lines, cv2.dilate(across, np.ones((1, cut) if horizontal else (cut, 1), np.uint8)))
    n, labels, stats, ox, oy = _components(pieces)
    out = lines.copy()
    h, w = lines.shape
    for i in range(1, n):
        x, y, ww, hh = stats[i, :4]
        x, y = x + ox, y + oy
        if horizontal:
            one = ink[max(0, y - far):max(0, y - near), x:x + ww].any(axis=0)
            two = ink[min(h, y + hh + near):min(h, y + hh + far), x:x + ww].any(axis=0)
        else:
            one = ink[y:y + hh, max(0, x - far):max(0, x - near)].any(axis=1)
            two = ink[y:y + hh, min(w, x + ww + near):min(w, x + ww + far)].any(axis=1)
            # judged where the piece is inked: a letter's stem that gaps were closed up to
            # has print beside it wherever it has ink
            on = ink[y:y + hh, x:x + ww].any(axis=1)
            if one.size == on.size and two.size == on.size and on.any():
                one, two = one[on], two[on]
        if one.size and two.size and float((one & two).mean()) > 0.3:
            sub = labels[y - oy:y - oy + hh, x - ox:x - ox + ww] == i
            out[y:y + hh, x:x + ww][sub] = 0
    return out


def _straight(mask: np.ndarray, horizontal: bool, f: float = 1.0) -> np.ndarray:
    """Keep runs that are straight and thin along their length: the arc of a stamp or the
    loops of a signature also leave long runs, but wide ones."""
    n, labels, stats, ox, oy = _components(mask)
    if n <= 1:
        return mask
    length = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    across = stats[:, cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
    drop = np.flatnonzero(across > 12 * f + 0.03 * length)
    out = mask.copy()
    for i in drop[drop > 0]:  # few components: clear each in its own box
        x, y, w, h = stats[i, :4]
        out[y + oy:y + oy + h, x + ox:x + ox + w][labels[y:y + h, x:x + w] == i] = 0
    return out


_TEXT_SPAN = 64  # pixels (at 300 dpi): a long run is judged against the print beside it this much at a time
_LONG_RUN = 1000  # pixels (at 300 dpi): a run at least this long is judged span by span
_TEXT_SHARE = 0.25  # ... and loses only its spans along print when fewer than this share are


def _dense_beside(ink: np.ndarray, top: int, bottom: int, xs: slice, near: int, far: int) -> bool:
    """Is print packed just above or just below rows top..bottom over columns ``xs``?"""
    h = ink.shape[0]
    above = ink[max(0, top - far):max(0, top - near), xs]
    below = ink[min(h, bottom + near):min(h, bottom + far), xs]
    return max(float(above.mean()) if above.size else 0.0, float(below.mean()) if below.size else 0.0) > 0.4 * 255


def _not_text(horiz: np.ndarray, ink: np.ndarray, f: float = 1.0) -> np.ndarray:
    """Drop horizontal runs with print packed just above or below them: the touching
    baseline of heavy text, not a ruling (a ruling has cell padding on both sides). A long
    run with print beside only a few of its spans loses those spans alone: a fax streak
    that crossed a row's print and met the row's ruling is one run with it."""
    n, labels, stats, ox, oy = _components(horiz)
    out = horiz.copy()
    near, far = max(1, round(4 * f)), max(2, round(12 * f))
    span = max(16, round(_TEXT_SPAN * f))
    for i in range(1, n):
        x, y, w, hh = stats[i, :4]
        if not _dense_beside(ink, y + oy, y + oy + hh, slice(x + ox, x + ox + w), near, far):
            continue
        mine = labels[y:y + hh, x:x + w] == i
        x, y = x + ox, y + oy
        dense = []
        if w >= _LONG_RUN * f:
            for s in range(0, w, span):
                rows = np.flatnonzero(mine[:, s:s + span].any(axis=1))
                if len(rows) and _dense_beside(ink, y + int(rows[0]), y + int(rows[-1]) + 1,
                                               slice(x + s, x + min(w, s + span)), near, far):
                    dense.append(s)
        if dense and len(dense) < _TEXT_SHARE * -(-w // span):
            for s in dense:
                out[y:y + hh, x + s:x + min(w, s + span)][mine[:, s:s + span]] = 0
        else:
            out[y:y + hh, x:x + w][mine] = 0
    return out


def _thin(mask: np.ndarray, across: tuple[int, int], f: float = 1.0) -> np.ndarray:
    """Drop bands thicker than a ruling (runs of heavy, touching print in a text line)."""
    thick = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones(across, np.uint8))
    if not thick.any():
        return mask
    k = max(3, round(5 * f) | 1)
    return cv2.subtract(mask, cv2.dilate(thick, np.ones((k, k), np.uint8)))


def _bin_counts(mask: np.ndarray, bw: int) -> np.ndarray:
    """Per row, the inked pixels in each of the ``_BINS`` bins across the width."""
    h = mask.shape[0]
    return (mask[:, :bw * _BINS] > 0).reshape(h, _BINS, bw).sum(axis=2, dtype=np.int32)


def _mend_dotted(thin: np.ndarray, ink: np.ndarray, f: float = 1.0, gap: int | None = None) -> np.ndarray:
    """Dotted or dashed horizontal lines made solid (transpose both masks for vertical ones).

    A row is such a line when a band of three pixel rows around it holds thin dark ink
    (>= 10 %) in several bins across the width (>= _MIN_BINS of 24: the ruling under a
    title that spans four columns is as short) while any ink 4-9 px above and below is
    scarce there: a line has cell padding on both sides, a row of text (or the aligned
    first letters of left-aligned lines) does not. Gaps of up to three bins are then
    closed inside the band only (gaps of up to ``gap`` pixels, when given), between the
    first and the last bin it is seen in (its dots in a bin it only enters stay dots: a
    line's dots and those of a dotted column ruling beside its end are not told apart)."""
    h, w = thin.shape
    bw = w // _BINS
    if h < 21 * f or bw < 4:
        return np.zeros_like(thin)
    counts = _bin_counts(thin, bw)
    band = np.zeros_like(counts)
    band[1:-1] = counts[:-2] + counts[1:-1] + counts[2:]  # rows y-1..y+1
    near, far = max(1, round(4 * f)), max(3, round(9 * f))  # the side bands: rows y+near..y+far
    span = far - near + 1
    inked = cv2.boxFilter(_bin_counts(ink, bw).astype(np.float32), -1, (1, span), normalize=False,
                          anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)  # rows y..y+span-1
    side = np.zeros_like(inked)
    side[far:-far] = np.maximum(inked[:-2 * far], inked[far + near:h - far + near])
    line = (band >= 0.10 * 3 * bw) & (side < 0.03 * span * bw)
    busy = line.mean(axis=1).astype(np.float32)
    peak = cv2.dilate(busy.reshape(-1, 1), np.ones((max(3, round(9 * f) | 1), 1), np.uint8)).ravel()
    out = np.zeros_like(thin)
    for y in np.flatnonzero((busy >= _MIN_BINS / _BINS) & (busy >= peak)):
        r = max(1, round(2 * f))
        strip = thin[max(0, y - r):y + r + 1]
        row = strip.max(axis=0)
        if _solid(row, bw) or _spread_bins(row, bw) < _MIN_BINS:
            continue  # a solid line (or a row of underlines) needs no mending
        seen = np.flatnonzero(line[y])  # mended only between the bins where it is seen
        x0, x1 = int(seen[0]) * bw, int(seen[-1] + 1) * bw
        k = gap or 3 * bw  # closed on a copy padded with paper: the line grows not past its ends
        padded = cv2.copyMakeBorder(strip[:, x0:x1], 0, 0, k, k, cv2.BORDER_CONSTANT, value=0)
        closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))[:, k:k + x1 - x0]
        out[max(0, y - r):y + r + 1, x0:x1] = closed
    return out


def _mend_dotted_columns(lines_v: np.ndarray, ink: np.ndarray, horiz: np.ndarray, f: float = 1.0) -> np.ndarray:
    """Dotted column lines (a black-and-white scan dithers thin rulings into dots) made
    solid: :func:`_mend_dotted` on the transposed masks. Only marks with no print 4-9 px
    beside them count as a line's dots (a letter's stroke has its neighbours: closing a
    gap up to it would run the line into a header cell that spans the column edge),
    the rulings crossing the line are not print, and gaps are closed up to 40 px."""
    def px(n: float) -> int:
        return max(1, int(round(n * f)))

    apart = cv2.subtract(ink, cv2.dilate(horiz, np.ones((px(5), 1), np.uint8)))
    near, far = px(4), px(9)
    ring = np.ones((1, 2 * far + 1), np.uint8)
    ring[0, far - near + 1:far + near] = 0
    beside = cv2.dilate(apart, ring)  # ink 4-9 px to the left or right
    beside = cv2.dilate(beside, np.ones((px(13), 1), np.uint8))
    dots = cv2.subtract(lines_v, beside)
    mended = _mend_dotted(np.ascontiguousarray(dots.T), np.ascontiguousarray(apart.T), f, gap=px(40))
    return np.ascontiguousarray(mended.T)


def _spread_bins(row: np.ndarray, bw: int) -> int:
    """Bins where this row's ink runs along at least half the bin (dots of a line do,
    the stem of a letter does not)."""
    on = row[:bw * _BINS].reshape(_BINS, bw) > 0
    any_on = on.any(axis=1)
    first = np.argmax(on, axis=1)
    last = bw - 1 - np.argmax(on[:, ::-1], axis=1)
    return int((any_on & (last - first >= bw // 2)).sum())


def _solid(row: np.ndarray, bw: int) -> bool:
    """Is most of this row's ink in long runs (a drawn line, not dots and dashes)?"""
    on = np.concatenate([[0], (row > 0).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(on))
    runs = edges[1::2] - edges[::2]
    return bool(runs.size) and runs[runs >= bw // 2].sum() >= 0.5 * runs.sum()


STREAK_LENGTH = 600  # pixels (at 300 dpi): a line this long shows its slope to a pixel in 600
STREAK_TILT = 0.004  # slope between the scan's level and the page's below which streaks can't be told


def _slope(labels: np.ndarray, i: int, x: int, y: int, w: int, h: int) -> tuple[float, float]:
    """Slope and intercept of component ``i`` (pixel y against x, in page pixels)."""
    ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
    a, b = np.polyfit(xs + x, ys + y, 1)
    return float(a), float(b)


def _along(ink: np.ndarray, a: float, b: float, x0: int, x1: int, half: int, gap: int) -> tuple[int, int]:
    """The line y = a x + b followed left of x0 and right of x1 while there is ink on it
    (a streak runs on, unbroken, through the print it crosses), over gaps up to ``gap``."""
    h, w = ink.shape

    def inked(x: int) -> bool:
        yc = int(round(a * x + b))
        return 0 <= x < w and bool(ink[max(0, yc - half):min(h, yc + half + 1), x].any())

    ends = []
    for start, step in ((x0, -1), (x1, 1)):
        x = last = start
        while 0 <= x + step < w and abs(x + step - last) <= gap:
            x += step
            if inked(x):
                last = x
        ends.append(last)
    return ends[0], ends[1]


def scan_streaks(r: Rulings, gray: np.ndarray, skew: float, f: float = 1.0) -> Rulings:
    """The rulings with the streaks among their horizontal lines told (``streaks``).

    A fax's transmission streak (or a scanner's) is a line along the scan's rows: level
    in the scan as delivered, so on the deskewed page it leans by the skew removed, while
    the table's rulings lie level. A long horizontal line whose slope is the scan's level
    and not that of the page's rulings (most long lines) is a streak; followed on through
    the print it crosses, the pieces of it cut off there are streak too. Left among the
    rulings, a streak made a phantom row where it ran between two lines of a row's print;
    the grid is found without them (:meth:`Rulings.without_streaks`), and erasing the
    rulings inpaints them wherever they run (:func:`ocr.cells.erase_rulings`). Nothing is
    told apart where the skew was too small for the two levels to differ."""
    level = -float(np.tan(np.radians(skew)))  # the scan's rows, on the deskewed page
    n, labels, stats, ox, oy = _components(r.horizontal)
    none = replace(r, streaks=np.zeros_like(r.horizontal))
    long = [i for i in range(1, n) if stats[i, cv2.CC_STAT_WIDTH] >= STREAK_LENGTH * f]
    if not long:
        return none
    fits = {i: _slope(labels, i, *stats[i, :4]) for i in long}
    page = float(np.median([a for a, _ in fits.values()]))
    streaky = [i for i, (a, _) in fits.items() if abs(a - level) < 0.4 * abs(page - level)]
    if abs(page - level) < STREAK_TILT or len(long) - len(streaky) < max(3, len(streaky)):
        return none
    ink = ink_mask(gray) > 0
    path = np.zeros_like(r.horizontal)
    for i in streaky:
        x, y, w, hh = stats[i, :4]
        a, b = fits[i]
        b += oy - a * ox
        half = max(1, int(round((hh - abs(a) * w) / 2)) + 1)
        x0, x1 = _along(ink, a, b, x + ox, x + ox + w - 1, half, max(2, round(4 * f)))
        for xx in range(x0, x1 + 1):
            yc = int(round(a * xx + b))
            path[max(0, yc - half):yc + half + 1, xx] = 255
    # the streak's pieces among the rulings, those too short to show their slope too (cut
    # off from the rest where it crossed print)
    near = cv2.dilate(path, np.ones((5, 5), np.uint8)) > 0
    streaks = np.zeros_like(r.horizontal)
    for i in range(1, n):
        x, y, w, hh = stats[i, :4]
        mine = labels[y:y + hh, x:x + w] == i
        if near[y + oy:y + oy + hh, x + ox:x + ox + w][mine].mean() >= 0.6:
            streaks[y + oy:y + oy + hh, x + ox:x + ox + w][mine] = 255
    return replace(r, streaks=streaks)
