"""Layout: the ruled table grid (with merged cells), the header above it and
the signature block below it, found by morphology on the clean page."""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocr.cleanup import ink_mask, specks_of
from ocr.rulings import Rulings, find_rulings, scan_streaks
from ocr.types import BBox, Cell, Grid, OcrText

__all__ = ["Layout", "Rulings", "find_grid", "find_layout", "find_rulings", "signature_columns"]

_EMPTY = OcrText("", 0.0, None)


@dataclass(frozen=True)
class Layout:
    grid: Grid | None
    rulings: Rulings
    header: BBox  # region above the table
    signature: BBox  # region below the table
    signature_columns: tuple[BBox, ...]  # three columns, left to right


def _table_bbox(r: Rulings) -> BBox | None:
    both = cv2.dilate(r.horizontal | r.vertical, np.ones((31, 31), np.uint8))  # bridge broken corners
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    if n <= 1:
        return None
    # the most ruled ink, not the widest box: a photo's page edges (paper against the
    # table it lies on) make two long lines whose box is the whole page
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = stats[i, :4]
    if bw < both.shape[1] * 0.3 or bh < 40:
        return None
    return BBox(int(x) + 15, int(y) + 15, int(x + bw) - 15, int(y + bh) - 15)  # undo the dilation


def _edges(profile: np.ndarray, threshold: float, offset: int) -> list[int]:
    """Centres of runs where ``profile`` >= threshold (one per ruling)."""
    on = profile >= threshold
    edges, start = [], None
    for i, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            edges.append(offset + (start + i - 1) // 2)
            start = None
    merged: list[int] = []
    for e in edges:  # double-drawn rulings a few pixels apart are one edge
        if merged and e - merged[-1] < 12:
            merged[-1] = (merged[-1] + e) // 2
        else:
            merged.append(e)
    return merged


def _present(mask: np.ndarray, ys: slice, xs: slice, axis: int) -> bool:
    """Is a ruling drawn along this band (coverage >= 50 %)?"""
    band = mask[ys, xs]
    if band.size == 0:
        return False
    covered = band.max(axis=axis) > 0
    return float(covered.mean()) >= 0.5


def _crossed(ink: np.ndarray, ys: slice, x: int) -> float:
    """Share of the ink at a column edge that print runs on through, left and right (a
    letter of a title over merged cells; the dots of a ruling stand alone)."""
    at = (ink[ys, max(0, x - 2):x + 3] > 0).any(axis=1)
    through = at & (ink[ys, max(0, x - 9):max(0, x - 4)] > 0).any(axis=1) & (ink[ys, x + 5:x + 10] > 0).any(axis=1)
    return float(through.sum()) / max(1, int(at.sum()))


_STUB = 8  # px at each end of a column edge's stretch a crossing ruling's overshoot may reach
SOLID_EDGE = 0.85  # share of a column edge's rows inked within 2 px that makes it drawn, whatever its ruling...
SOLID_LENGTH = 60  # ...along a stretch this long at least (px at 300 dpi): longer than a letter's stem
DOTS_CONTRAST = 2.0  # a column line left as dots inks that many times the rows a band beside it does


def _rows_on(mask: np.ndarray) -> float:
    """Share of a mask's rows with anything on in them (0 for an empty mask)."""
    return float((mask > 0).any(axis=1).mean()) if mask.size else 0.0


def _inked_rows(ink: np.ndarray, ys: slice, x: int) -> float:
    """Share of the rows of a 7 px band centred on ``x`` with any ink in it."""
    return _rows_on(ink[ys, max(0, x - 3):max(0, x + 4)])


def _ruled(r: Rulings, ink: np.ndarray | None, ys: slice, x: int, t: int, broken: bool = False) -> bool:
    """Is a column line drawn along this stretch? Found as a ruling over half of it; or left
    as sparse dots (a black-and-white scan dithers a thin ruling away: ink at the edge in
    three or more separate places over at least an eighth of its length) with next to no
    ink 6-20 px either side (print running across the edge, a title over merged cells,
    has ink beside it too); or, on a black-and-white scan (``broken``: it breaks thin
    rulings up), found over a fifth of it or left as dots, with print beside it (a
    description starting right at the line) but none running through it."""
    band = r.vertical[ys, max(0, x - t):x + t + 1]
    if band.size == 0:
        return False
    if _rows_on(band) >= 0.5:
        return True
    edge = ink[ys, max(0, x - 3):x + 4] if ink is not None else None
    if edge is None or edge.size == 0:
        return False
    # ink unbroken down the edge, crossing rulings' overshoot left out: a line, that lost its
    # ruling where print stands close beside it (a blurred photo runs the two together, and
    # the band as wide as both was taken for print); print running across the edge, a
    # title's, leaves the gaps between its letters and above and below its line (a row
    # taller than a letter), and has ink on both sides
    inner = slice(ys.start + _STUB, ys.stop - _STUB)
    if inner.stop - inner.start >= SOLID_LENGTH and _rows_on(ink[inner, max(0, x - 2):x + 3]) >= SOLID_EDGE \
            and _crossed(ink, inner, x) < 0.2:
        return True
    on = (edge > 0).any(axis=1)
    runs = int(np.count_nonzero(np.diff(np.concatenate([[0], on.astype(np.int8)])) == 1))
    # dots that stand out from both sides (a fax's dithered shading dots every column alike)
    beside = min(_inked_rows(ink, ys, x - 10), _inked_rows(ink, ys, x + 10))
    dots = runs >= 3 and float(on.mean()) >= max(0.12, DOTS_CONTRAST * beside)
    side = np.concatenate([ink[ys, max(0, x - 20):max(0, x - 6)], ink[ys, x + 7:x + 21]], axis=1) > 0
    if dots and float(side.mean()) < 0.01:
        return True
    if not broken:
        return False
    # (a stub where the ruling below or above overshoots its row line is no line here)
    inner = band[_STUB:-_STUB] if band.shape[0] > 3 * _STUB else band
    return (_rows_on(inner) >= 0.2 or dots) and _crossed(ink, ys, x) < 0.2


LINE_INK = 0.5  # share of a row edge's length inked along one pixel row: a line drawn there...
LINE_CONTRAST = 2.5  # ...if that many times the share inked 3-8 px above it, and below it


def _edge_rows(ink: np.ndarray, y: int, xs: slice, t: int) -> tuple[int, np.ndarray]:
    """The share of ``xs`` inked along each pixel row from ``t + 8`` above row edge ``y`` to
    ``t + 8`` below it, and the y of the first of those rows."""
    top = max(0, y - t - 8)
    return top, (ink[top:y + t + 9, xs] > 0).mean(axis=1)


def _row_ruled(r: Rulings, ink: np.ndarray | None, y: int, xs: slice, t: int, broken: bool = False) -> bool:
    """Is a row line drawn at row edge ``y`` over the columns ``xs``? Found as a ruling over
    half of it; or, on a black-and-white scan (``broken``), as a pixel row within ``t`` of
    the edge inked along most of it (:data:`LINE_INK`), far more than the rows a few pixels
    above and below (:data:`LINE_CONTRAST`): the line under a grey title a fax dithered,
    lost from the rulings among the dots beside it (the dots alone ink every row alike)."""
    if _present(r.horizontal, slice(max(0, y - t), y + t + 1), xs, 0):
        return True
    if not broken or ink is None or xs.stop - xs.start < 20:
        return False
    top, share = _edge_rows(ink, y, xs, t)
    near = np.arange(len(share)) + top
    within = np.flatnonzero(np.abs(near - y) <= t)
    if not len(within):
        return False
    k = int(within[np.argmax(share[within])])
    # where the ruling runs in the columns it was found in: print near the edge is no line
    # unless it lies just there
    found = (r.horizontal[top:y + t + 9] > 0).sum(axis=1)
    if not found.any() or abs(int(np.argmax(found)) - k) > 2:
        return False
    above, below = share[max(0, k - 8):max(0, k - 2)], share[k + 3:k + 9]
    # (the foot of a line of capitals has their strokes on one side only)
    return bool(len(above) and len(below) and share[k] >= LINE_INK
                and share[k] >= LINE_CONTRAST * max(float(above.mean()), float(below.mean())))


PIECE_ALONE = 5.0  # a pixel row inked that many times any row 3-8 px above or below it...
PIECE_MIN = (4, 0.02)  # ...over at least this many pixels and this share of the cell's width: a piece of a line


def _line_pieces(ink: np.ndarray, y: int, xs: slice, t: int) -> bool:
    """Is a piece of a row line left at row edge ``y`` over the columns ``xs``: a pixel
    row within ``t`` of the edge with ink on it and none just above or below it (print
    has ink a few pixels above and below any row of it)?"""
    top, share = _edge_rows(ink, y, xs, t)
    least = max(PIECE_MIN[0] / max(1, xs.stop - xs.start), PIECE_MIN[1])
    for k in range(max(8, y - t - top), min(len(share) - 8, y + t + 1 - top)):
        near = max(float(share[k - 8:k - 2].max()), float(share[k + 3:k + 9].max()))
        if share[k] >= least and share[k] >= PIECE_ALONE * near:
            return True
    return False


ACROSS_SHARE = 0.8  # share of the columns a row line left in pieces must show in...
QUIET_ROWS = 4  # ...the others inked over this many pixel rows at most within t of the edge
HEADER_LOST = 0.6  # share of the body's rows a column line parts, with none of the titles': lost there
BODY_PARTED = 0.75  # share of its column lines that part a body row (a fax loses a few; PERIODO leaves half)


def _titles_parted(r: Rulings, rows: list[int], cols: list[int], open_right: list[list[bool]],
                   open_below: list[list[bool]]) -> None:
    """Part the column titles where the column line was lost over all of them (a fax's
    band of white across the header) but parts most of the body's rows: every body column
    has a title of its own, so the line was drawn at least from the body up to the first
    row line over both columns (a title spanning them sits above that line, PERIODO over
    its quarters). The titles are the rows above the first body row: under a row line drawn
    across the table's width, its cells parted by most column lines (:data:`BODY_PARTED`;
    a title row cut off the rest by a streak has titles over several columns below it)."""
    nr, nc = len(open_right), len(open_right[0]) if open_right else 0
    if nc < 2:
        return
    depth = _body_depth(r, rows, cols, open_right)
    if depth is None or nr - depth < 2:
        return
    # the titles' last row: above a band across the table ("META" on the modification form,
    # ruled off above and below, parted by no column line), not the band
    last = depth - 1
    while last > 0 and not any(open_below[last - 1]) and _partings(open_right, last) <= 1:
        last -= 1
    for j in range(nc - 1):
        body = [not open_right[i][j] for i in range(depth, nr)]
        if not all(open_right[i][j] for i in range(depth)) or sum(body) < HEADER_LOST * len(body):
            continue
        i = last
        while i >= 0:
            open_right[i][j] = False
            if i == 0 or not (open_below[i - 1][j] and open_below[i - 1][j + 1]):
                break
            i -= 1


BODY_LINE = 0.6  # share of the body's rows a column line parts that makes it drawn down the whole body


def _partings(open_right: list[list[bool]], i: int) -> int:
    """How many column lines part row ``i``'s cells."""
    return sum(not o for o in open_right[i][:-1])


def _parted(open_right: list[list[bool]], i: int) -> bool:
    """Do most column lines (:data:`BODY_PARTED`) part row ``i``'s cells?"""
    return _partings(open_right, i) >= BODY_PARTED * (len(open_right[i]) - 1)


def _body_depth(r: Rulings, rows: list[int], cols: list[int], open_right: list[list[bool]]) -> int | None:
    """The first body row: under the first row line drawn across the table's width whose
    cells most column lines part (:func:`_parted`)."""
    return next((e for e in range(1, len(open_right)) if _row_line(r, rows[e], cols).mean() >= 0.8
                 and _parted(open_right, e)), None)


def _body_parted(r: Rulings, ink: np.ndarray, rows: list[int], cols: list[int], open_right: list[list[bool]],
                 t: int) -> None:
    """On a black-and-white scan, part a body row where a column line that parts most of
    the body's rows (:data:`BODY_LINE`) was lost whole (a fax drops a thin line's stretch,
    leaving not a dot of it), when most of the row's other column lines part it and no
    print runs across the edge there (a cell truly merged over the columns has its text
    across the line's place; a title across the table, "META", has no line in it at all)."""
    nr, nc = len(open_right), len(open_right[0]) if open_right else 0
    depth = _body_depth(r, rows, cols, open_right) if nc >= 2 else None
    if depth is None or nr - depth < 3:
        return
    # rows parted by most column lines: a title across the table ("META", "ACCION") lost none
    parted = [_parted(open_right, i) for i in range(nr)]
    lost = []
    for j in range(nc - 1):
        body = [not open_right[i][j] for i in range(depth, nr)]
        if sum(body) < BODY_LINE * len(body):
            continue
        lost += [(i, j) for i in range(depth, nr) if open_right[i][j] and parted[i]
                 and _crossed(ink, slice(rows[i] + t, rows[i + 1] - t), cols[j + 1]) < 0.2]
    for i, j in lost:
        open_right[i][j] = False


def _merge_cells(r: Rulings, rows: list[int], cols: list[int], ink: np.ndarray | None = None,
                 broken: bool = False, pieces: bool = False) -> list[tuple[int, int, int, int]]:
    """Rectangles (row, col, row_span, col_span) after merging across missing rulings
    (a column line left as dots or in pieces, see :func:`_ruled`, is not missing).

    A column line is judged along the whole side of the cells it bounds: a cell running
    down several rows (its row rulings missing) that is ruled off along most of its side
    is not merged sideways for want of a line over one of those rows (faded in a fax).

    ``pieces``: a row line left in pieces in every column closes every cell under it (see
    :func:`_line_pieces`); asked for once the row edges are settled (a streak's pieces,
    taken for a line while edges are judged, would make a phantom row of its print)."""
    nr, nc = len(rows) - 1, len(cols) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    t = 6
    spans = [slice(cols[j] + t, cols[j + 1] - t) for j in range(nc)]
    # on a black-and-white scan, a row line left in pieces in every column is drawn across
    # the table: it closes every cell, however little of it is left over one of them (a fax
    # streak stops short of some column; a merged cell has no line through it at all)
    ruled_below = [[i + 1 < nr and _row_ruled(r, ink, rows[i + 1], spans[j], t, broken) for j in range(nc)]
                   for i in range(nr)]
    # (a column with next to no ink within t of the edge, its line lost but for a speck of
    # it between empty cells, neither shows nor denies a line where the line is left over
    # nearly every other column: print across the edge would ink more rows than a line's)
    def across_at(i: int) -> bool:
        if i + 1 >= nr or not pieces or ink is None:
            return False
        closed = [ruled_below[i][j] or _line_pieces(ink, rows[i + 1], spans[j], t) for j in range(nc)]
        quiet = [not c and int((_edge_rows(ink, rows[i + 1], spans[j], t)[1][8:-8] > 0).sum()) <= QUIET_ROWS
                 for j, c in enumerate(closed)]
        return all(c or q for c, q in zip(closed, quiet)) and sum(closed) >= ACROSS_SHARE * nc

    across = [across_at(i) for i in range(nr)]
    open_below = [[i + 1 < nr and not (across[i] or ruled_below[i][j]) for j in range(nc)] for i in range(nr)]

    def run(i: int, j: int) -> tuple[int, int]:
        """The rows a cell of column j runs over from row i, its row rulings missing."""
        a, b = i, i
        while a > 0 and open_below[a - 1][j]:
            a -= 1
        while open_below[b][j]:
            b += 1
        return a, b

    judged: dict[tuple[int, int, int], bool] = {}

    def ruled(a: int, b: int, j: int) -> bool:
        """Is the line right of column j ruled along rows a..b? (A tall cell's side is the
        same stretch for each of its rows: judged once.)"""
        if (a, b, j) not in judged:
            judged[(a, b, j)] = _ruled(r, ink, slice(rows[a] + t, rows[b + 1] - t), cols[j + 1], t, broken)
        return judged[(a, b, j)]

    open_right = [[j + 1 < nc and not any(ruled(a, b, j) for a, b in {run(i, j), run(i, j + 1)})
                   for j in range(nc)] for i in range(nr)]
    _titles_parted(r, rows, cols, open_right, open_below)
    if pieces and broken and ink is not None:  # once the row edges are settled, as the pieces are
        _body_parted(r, ink, rows, cols, open_right, t)
    # and a row line the same way: a title running over several columns (PERIODO) that is
    # ruled off below along most of its width has no cell under it merged up into it
    for i in range(nr - 1):
        for j in range(nc):
            if open_below[i][j]:
                a, b = j, j
                while a > 0 and open_right[i][a - 1]:
                    a -= 1
                while open_right[i][b]:
                    b += 1
                if b > a and _present(r.horizontal, slice(rows[i + 1] - t, rows[i + 1] + t + 1),
                                      slice(cols[a] + t, cols[b + 1] - t), 0):
                    open_below[i][j] = False
    for i in range(nr):
        for j in range(nc):
            if open_below[i][j]:
                parent[find((i + 1) * nc + j)] = find(i * nc + j)
            if open_right[i][j]:
                parent[find(i * nc + j + 1)] = find(i * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    out = []
    for members in groups.values():
        r0 = min(m[0] for m in members)
        c0 = min(m[1] for m in members)
        out.append((r0, c0, max(m[0] for m in members) - r0 + 1, max(m[1] for m in members) - c0 + 1))
    return sorted(out)


def _row_line(r: Rulings, y: int, cols: list[int]) -> np.ndarray:
    """Where across the table a row line is drawn at row edge ``y`` (per column of pixels)."""
    return r.horizontal[max(0, y - 6):y + 7, cols[0]:cols[-1]].any(axis=0)


THROUGH = 0.85  # share of the pixel rows within 6 of a row edge a stroke inks: print runs across it
INSIDE = 20  # px from every column line: a stretch of line ending there ends inside a cell


def _stray(line: np.ndarray, ink: np.ndarray, y: int, cols: list[int]) -> bool:
    """Is the line at row edge ``y`` (``line``: where it is drawn across the table) a stray
    stretch: each of its runs starting and ending inside cells, away from every column line
    (:data:`INSIDE`), with print running across the edge's height (:data:`THROUGH`) beside
    it in a column it runs in? A ruling meets the column lines it ends at, and its cells
    have padding along it; a fax's streak starting inside a cell, level with the last line
    of its print, does neither."""
    edges = np.asarray(cols) - cols[0]
    on = np.flatnonzero(line)
    if not len(on):
        return False
    parts = np.split(on, np.flatnonzero(np.diff(on) > 3) + 1)
    if any(min(np.abs(edges - int(p[0])).min(), np.abs(edges - int(p[-1])).min()) < INSIDE for p in parts):
        return False
    through = (ink[max(0, y - 6):y + 7, cols[0]:cols[-1]] > 0).mean(axis=0) >= THROUGH
    for part in parts:
        s, e = int(part[0]), int(part[-1])
        a, b = edges[np.searchsorted(edges, s, side="right") - 1], edges[np.searchsorted(edges, e)]
        beside = through[a:b].copy()
        beside[s - a:e - a + 1] = False
        if int(beside.sum()) < 12:
            return False
    return True


def _cuts_print(r: Rulings, ink: np.ndarray, y: int, cols: list[int]) -> bool:
    """Does the line at row edge ``y`` cut through print (strokes running on above and below
    it)? A ruling never does: it has cell padding. Nor is a stray stretch of line
    (:func:`_stray`) a ruling."""
    line = _row_line(r, y, cols)
    crossed = line & ink[max(0, y - 8):max(0, y - 4), cols[0]:cols[-1]].any(axis=0) \
        & ink[y + 5:y + 9, cols[0]:cols[-1]].any(axis=0)
    return int(crossed.sum()) >= 12 or _stray(line, ink, y, cols)


def _separating(r: Rulings, ink: np.ndarray, rows: list[int], cols: list[int],
                dots: np.ndarray | None = None, broken: bool = False) -> list[int]:
    """Row edges that separate something: in some column, print above it and print below it
    in two different cells. A line that cuts through print is a streak however long, and
    goes first (left in, it would make a phantom row of the print it cuts, and the ruling
    above that print would seem to part nothing). A fax streak across a row survives only
    in the row's empty cells (where it crosses print it is not taken for a ruling) and
    would split the row into a phantom one; such an edge separates no two inked cells and
    is dropped (unless drawn across the whole table)."""
    rows = [rows[0], *[y for y in rows[1:-1] if not _cuts_print(r, ink, y, cols)], rows[-1]]
    merged = _merge_cells(r, rows, cols, dots, broken)
    at: dict[tuple[int, int], int] = {}
    for k, (i, j, rs, cs) in enumerate(merged):
        for a in range(i, i + rs):
            for b in range(j, j + cs):
                at[(a, b)] = k

    def inked(k: int) -> bool:
        i, j, rs, cs = merged[k]
        crop = ink[rows[i] + 6:rows[i + rs] - 6, cols[j] + 6:cols[j + cs] - 6]
        return crop.size > 0 and int((crop > 0).sum()) >= 40

    seen: dict[int, bool] = {}
    keep = [rows[0]]
    for e in range(1, len(rows) - 1):
        y = rows[e]
        line = _row_line(r, y, cols)
        apart = [(at[(e - 1, j)], at[(e, j)]) for j in range(len(cols) - 1) if at[(e - 1, j)] != at[(e, j)]]
        if line.mean() >= 0.8 or any(seen.setdefault(a, inked(a)) and seen.setdefault(b, inked(b))
                                     for a, b in apart):
            keep.append(y)
    keep.append(rows[-1])
    return keep


def _without_specks(mask: np.ndarray) -> np.ndarray:
    """The mask without blobs no bigger than a speck (:func:`ocr.cleanup.specks_of`): a
    grey shading a fax dithers into dots is no print, above and below a ruling it runs
    through, nor in a cell."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = specks_of(stats)
    if not small.any():
        return mask
    out = mask.copy()
    out[small[labels]] = 0
    return out


def _runs_on(r: Rulings, box: BBox, x: int, reach: int = 150) -> bool:
    """A vertical line beside the table that runs on well above and below it: a photo's
    page edge, not a border cut off by broken corners."""
    h = r.vertical.shape[0]
    band = r.vertical[:, max(0, x - 3):x + 4].any(axis=1)
    above, below = band[max(0, box.y0 - reach):box.y0], band[box.y1:min(h, box.y1 + reach)]
    return bool(above.size and below.size and above.mean() > 0.5 and below.mean() > 0.5)


def find_grid(gray: np.ndarray, rulings: Rulings | None = None, *, dithered: bool = False) -> Grid | None:
    """The ruled table: row/column edges and (merged) cells with empty text; ``dithered``:
    a black-and-white scan (its rulings found in pieces still part cells)."""
    r = rulings or find_rulings(gray, dithered=dithered)
    box = _table_bbox(r)
    if box is None:
        return None
    # a border cut off from the rest by broken corners is still the table's: look a bit wider
    x0, x1 = max(0, box.x0 - 80), min(gray.shape[1], box.x1 + 80)
    vp = r.vertical[box.y0:box.y1, x0:x1].astype(bool).sum(axis=0)
    cols = [x for x in _edges(vp, box.height * 0.25, x0) if box.x0 <= x <= box.x1 or not _runs_on(r, box, x)]
    if len(cols) < 2:
        return None
    hp = r.horizontal[box.y0:box.y1, cols[0]:cols[-1]].astype(bool).sum(axis=1)
    rows = _edges(hp, (cols[-1] - cols[0]) * 0.12, box.y0)
    if len(rows) < 2 or len(cols) < 2:
        return None
    # print only: the vertical rulings cross every row edge by design, and a streak or a
    # second line drawn a few pixels from a ruling is not print the ruling cuts through
    ink = ink_mask(gray)
    text = cv2.subtract(ink, cv2.dilate(r.vertical, np.ones((1, 9), np.uint8)))
    text = cv2.subtract(text, cv2.dilate(r.horizontal, np.ones((5, 1), np.uint8)))
    # specks are no print only where rows are judged: the table, and a margin round it
    # wider than a speck (a blob the cut leaves smaller lies in the margin)
    y0, y1, x0, x1 = max(0, rows[0] - 8), rows[-1] + 9, max(0, cols[0] - 8), cols[-1] + 9
    text[y0:y1, x0:x1] = _without_specks(text[y0:y1, x0:x1])
    rows = _separating(r, text, rows, cols, ink, dithered)
    cells = tuple(
        Cell(row=i, col=j, row_span=rs, col_span=cs,
             bbox=BBox(cols[j], rows[i], cols[j + cs], rows[i + rs]), text=_EMPTY)
        for i, j, rs, cs in _merge_cells(r, rows, cols, ink, dithered, pieces=dithered)
    )
    return Grid(bbox=BBox(cols[0], rows[0], cols[-1], rows[-1]), row_edges=tuple(rows),
                col_edges=tuple(cols), cells=cells)


def signature_columns(gray: np.ndarray, region: BBox, n: int = 3) -> tuple[BBox, ...]:
    """Split the signature region into ``n`` columns at the widest vertical ink gaps."""
    mask = ink_mask(gray[region.y0:region.y1, region.x0:region.x1])
    if mask.size == 0:
        return ()
    prof = cv2.dilate(mask, np.ones((1, 25), np.uint8)).sum(axis=0) > 0
    w = region.width
    cuts = []
    for k in range(1, n):  # search the gap nearest each third boundary
        lo, hi = int(w * (k - 0.5) / n), int(w * (k + 0.5) / n)
        empty = np.flatnonzero(~prof[lo:hi])
        target = w * k / n - lo
        cuts.append(lo + int(empty[np.argmin(np.abs(empty - target))]) if empty.size else int(w * k / n))
    xs = [0, *cuts, w]
    return tuple(BBox(region.x0 + a, region.y0, region.x0 + b, region.y1) for a, b in zip(xs, xs[1:]))


def _nested(partial: list[Cell], down: bool) -> int:
    """Spans over two or more spans in the next row of a header read top-down (``down``),
    or in the row above (the same header upside down): PERIODO over its quarters."""
    def inside(c: Cell, s: Cell) -> bool:
        return c.col >= s.col and c.col + c.col_span <= s.col + s.col_span

    return sum(1 for s in partial
               if sum(1 for c in partial if inside(c, s)
                      and (c.row == s.row + s.row_span if down else c.row + c.row_span == s.row)) >= 2)


def header_at_bottom(grid: Grid) -> bool | None:
    """Is the table upside down? A multi-level header (cells spanning some, not all,
    columns, a title over titles) sits in the table's first rows; found only in its last
    rows, the page is turned. Told first by the nesting (a title over two or more titles
    below it, or above it when turned), else by where the spans are. None when that is
    not clear-cut (ask the text)."""
    third = max(1, grid.n_rows // 3)
    partial = [c for c in grid.cells if 1 < c.col_span < grid.n_cols - 1]
    down, up = _nested(partial, True), _nested(partial, False)
    if (down == 0) != (up == 0):
        return up > 0
    top = sum(1 for c in partial if c.row < third)
    bottom = sum(1 for c in partial if c.row + c.row_span > grid.n_rows - third)
    if top + bottom < 2:
        return None  # a single span: a broken grid, not a header
    if top >= 2 * bottom + 2 or bottom >= 2 * top + 2:
        return bottom > top  # the header's several spans against a merged body cell or so
    if (top == 0) == (bottom == 0):
        return None  # spans at both ends, as many: not clear-cut
    return bottom > top


def _table_verticals(r: Rulings, grid: Grid, band: int = 10) -> Rulings:
    """Vertical rulings only along the table's column edges: elsewhere a "vertical ruling"
    is the stem of a bold letter (a title, a shaded header cell), and erasing it cuts words."""
    vert = np.zeros_like(r.vertical)
    ys = slice(max(0, grid.bbox.y0 - band), grid.bbox.y1 + band)
    for x in grid.col_edges:
        xs = slice(max(0, x - band), x + band + 1)
        vert[ys, xs] = r.vertical[ys, xs]
    return replace(r, vertical=vert)


def find_layout(gray: np.ndarray, rulings: Rulings | None = None, *, dithered: bool = False,
                skew: float = 0.0) -> Layout:
    """Grid, rulings and the regions around the table; ``rulings`` when already found
    (the page was turned over: its rulings turned with it); ``dithered``: a black-and-white
    scan (see :func:`ocr.rulings.find_rulings`); ``skew``: the degrees the page was
    deskewed by, which tells a scan's streaks from rulings (:func:`ocr.rulings.scan_streaks`)."""
    rulings = rulings or find_rulings(gray, dithered=dithered)
    if rulings.streaks is None:
        rulings = scan_streaks(rulings, gray, skew)
    grid = find_grid(gray, rulings.without_streaks(), dithered=dithered)
    h, w = gray.shape
    if grid is None:
        header = BBox(0, 0, w, h)
        signature = BBox(0, h, w, h)
        return Layout(None, rulings, header, signature, ())
    rulings = _table_verticals(rulings, grid)
    header = BBox(0, 0, w, max(0, grid.bbox.y0 - 4))
    signature = BBox(grid.bbox.x0, min(h, grid.bbox.y1 + 6), grid.bbox.x1, h)
    return Layout(grid, rulings, header, signature, signature_columns(gray, signature))
