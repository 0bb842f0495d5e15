"""ocr.layout: the ruled grid, merged header cells, broken rulings, regions."""
from __future__ import annotations

import numpy as np
import pytest

from ocr.layout import find_grid, find_layout
from ocr.testing import leaf_titles, render_progress, sample_rows


@pytest.fixture(scope="module")
def drawn():
    return render_progress(sample_rows(4))


def _spans(grid):
    return {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}


def test_grid_edges_match_the_drawing(drawn):
    img, geom = drawn
    grid = find_grid(img)
    assert grid is not None
    assert grid.n_cols == len(leaf_titles()) == len(geom["col_edges"]) - 1
    assert grid.n_rows == len(geom["row_edges"]) - 1
    for found, drawn_at in zip(grid.col_edges, geom["col_edges"]):
        assert abs(found - drawn_at) <= 3
    for found, drawn_at in zip(grid.row_edges, geom["row_edges"]):
        assert abs(found - drawn_at) <= 3


def test_two_level_header_is_found_as_spans(drawn):
    img, _ = drawn
    spans = _spans(find_grid(img))
    assert spans[(0, 0)] == (3, 1)  # L/A spans the three header rows
    assert spans[(0, 4)] == (1, 8)  # PERIODO spans the eight P/A columns
    for q in range(4):
        assert spans[(1, 4 + 2 * q)] == (1, 2)  # each quarter spans its P and A
        assert spans[(2, 4 + 2 * q)] == (1, 1)
    assert spans[(3, 0)] == (1, 1)  # body cells are single
    assert len([c for c in find_grid(img).cells if c.row >= 3]) == 4 * 15


def test_broken_rulings_still_give_the_grid(drawn):
    img, geom = drawn
    broken = img.copy()
    rng = np.random.default_rng(3)
    for y in geom["row_edges"]:  # knock 8 px gaps every ~60 px out of every horizontal ruling
        for x in range(geom["col_edges"][0] + 20, geom["col_edges"][-1] - 20, 60):
            broken[y - 3:y + 4, x:x + int(rng.integers(4, 9))] = 255
    for x in geom["col_edges"]:
        for y in range(geom["row_edges"][0] + 10, geom["row_edges"][-1] - 10, 45):
            broken[y:y + 6, x - 3:x + 4] = 255
    grid = find_grid(broken)
    assert grid is not None
    assert len(grid.col_edges) == len(geom["col_edges"])
    assert len(grid.row_edges) == len(geom["row_edges"])
    assert _spans(grid) == _spans(find_grid(img))


def test_separator_row_spans_the_width(drawn):
    img, geom = drawn
    sep = img.copy()
    y0, y1 = geom["row_edges"][4], geom["row_edges"][5]
    x0, x1 = geom["col_edges"][0], geom["col_edges"][-1]
    sep[y0 + 4:y1 - 3, x0 + 4:x1 - 3] = 255  # a full-width row without inner rulings
    spans = _spans(find_grid(sep))
    assert spans[(4, 0)] == (1, len(geom["col_edges"]) - 1)


def test_regions_above_and_below_the_table(drawn):
    img, geom = drawn
    layout = find_layout(img)
    assert layout.header.y1 <= geom["row_edges"][0]
    assert layout.signature.y0 >= geom["row_edges"][-1]
    assert len(layout.signature_columns) == 3
    xs = [c.x0 for c in layout.signature_columns] + [layout.signature_columns[-1].x1]
    assert xs == sorted(xs)


def test_a_photos_page_edges_are_not_taken_for_the_table(drawn):
    """A phone photo shows the paper's edges against what it lies on: two long lines whose
    box is most of the page. The table is where the ruled ink is, not the widest box."""
    img, geom = drawn
    photo = img.copy()
    h, w = photo.shape
    right = (geom["col_edges"][-1] + w) // 2
    photo[:, right - 2:right + 2] = 0  # the paper's right edge, top to bottom
    photo[h - 30:h - 26, w // 3:right] = 0  # its bottom edge, from a third of the width
    grid = find_grid(photo)
    assert grid is not None
    assert abs(grid.col_edges[0] - geom["col_edges"][0]) <= 3
    assert abs(grid.row_edges[-1] - geom["row_edges"][-1]) <= 3
    assert _spans(grid) == _spans(find_grid(img))


@pytest.mark.parametrize("dithered", [False, True])
def test_column_lines_lost_over_the_whole_header_still_part_the_titles(drawn, dithered):
    """A fax's band of white across the header took the column lines between three titles
    (their print stays) and the P | A line under the first quarter: every body column has
    a title of its own, so the titles are parted again, from the body up to the first row
    line over both columns; PERIODO and the quarters stay over their columns."""
    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    faded = img.copy()
    for x in xs[2:4]:  # between the description, the unit and the annual goal
        faded[ys[0] + 3:ys[3] - 2, x - 4:x + 5] = 255
    faded[ys[2] + 3:ys[3] - 2, xs[5] - 4:xs[5] + 5] = 255  # P | A of Ene-Mar
    spans = _spans(find_grid(faded, dithered=dithered))
    assert spans == _spans(find_grid(img, dithered=dithered))
    assert spans[(0, 1)] == spans[(0, 2)] == spans[(0, 3)] == (3, 1)
    assert spans[(0, 4)] == (1, 8) and spans[(1, 4)] == (1, 2) and spans[(2, 4)] == spans[(2, 5)] == (1, 1)


def test_titles_are_parted_above_a_band_across_the_table_not_the_band(drawn):
    """The modification form prints a band across the table ("META") between its titles
    and the body: the column lines a fax lost over the titles part the titles, from the
    row above the band up, and the band stays whole."""
    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    banded = img.copy()
    banded[ys[3] + 4:ys[4] - 3, xs[0] + 4:xs[-1] - 3] = 255  # the first body row: a band, no column lines
    spans = _spans(find_grid(banded))
    for x in xs[2:4]:
        banded[ys[0] + 3:ys[3] - 2, x - 4:x + 5] = 255
    faded = _spans(find_grid(banded))
    assert faded == spans
    assert faded[(0, 1)] == faded[(0, 2)] == faded[(0, 3)] == (3, 1) and faded[(3, 0)] == (1, len(xs) - 1)


def _in_pieces(img, geom):
    """The drawing with the body row line under the second body row lost over the first
    three columns but for a few dashes (a tenth of it): the image, that line's y, the
    column edges."""
    ys, xs = geom["row_edges"], geom["col_edges"]
    faxed = img.copy()
    y = ys[5]
    faxed[y - 4:y + 5, xs[0] + 4:xs[3] - 4] = 255
    for x in range(xs[0] + 40, xs[3] - 40, 250):
        faxed[y - 1:y + 2, x:x + 25] = 0
    return faxed, y, xs


def test_a_row_line_left_in_pieces_over_some_columns_still_parts_them(drawn):
    """A fax lost a body row line over the first three columns but for a few dashes (a
    tenth of it); drawn whole over the other columns, it is a row line across the table,
    and parts the code, description and unit cells above it from those below."""
    img, geom = drawn
    faxed, _, _ = _in_pieces(img, geom)
    spans = _spans(find_grid(faxed, dithered=True))
    assert spans == _spans(find_grid(img, dithered=True))
    assert all(spans[(4, j)] == (1, 1) for j in range(3))


def test_titles_are_parted_when_the_first_body_row_lost_some_column_lines_too(drawn):
    """The same band of white over the titles, and three of the first body row's column
    lines lost as well: that row still has most of its cells parted, so it is the body's
    first row and the titles above it are parted; and its own lost lines, which part the
    body's other rows and have no print across them, part it too."""
    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    faded = img.copy()
    for x in xs[2:4]:
        faded[ys[0] + 3:ys[3] - 2, x - 4:x + 5] = 255
    for x in (xs[2], xs[7], xs[11]):
        faded[ys[3] + 3:ys[4] - 2, x - 4:x + 5] = 255
    spans = _spans(find_grid(faded, dithered=True))
    assert spans[(0, 1)] == spans[(0, 2)] == spans[(0, 3)] == (3, 1)
    assert spans[(3, 1)] == spans[(3, 2)] == (1, 1)  # the body row's own loss is mended too
    assert _spans(find_grid(faded))[(3, 1)] == (1, 2)  # (on a grey scan, whose rulings hold, it stays)


def test_a_row_line_a_fax_lost_whole_over_a_column_still_parts_it_where_no_print_crosses(drawn):
    """A body row line left in pieces over three columns and lost whole over another (not a
    dash of it left): drawn whole over the rest, it still parts every column. Print
    running across its place in that column keeps that column's cells merged."""
    img, geom = drawn
    faxed, y, xs = _in_pieces(img, geom)
    faxed[y - 4:y + 5, xs[12] + 4:xs[13] - 4] = 255
    spans = _spans(find_grid(faxed, dithered=True))
    assert spans == _spans(find_grid(img, dithered=True))
    assert spans[(4, 12)] == (1, 1) and all(spans[(4, j)] == (1, 1) for j in range(3))
    crossed = faxed.copy()
    mid = (xs[12] + xs[13]) // 2
    crossed[y - 15:y + 16, mid - 2:mid + 2] = 0  # a stroke running across the line's place
    assert _spans(find_grid(crossed, dithered=True))[(4, 12)] == (2, 1)


def test_a_column_line_a_fax_lost_whole_over_a_body_row_still_parts_it(drawn):
    """A column line that parts the body's other rows, lost over one of them without a dot
    left: the row's cells are parted there all the same. A word printed across the line's
    place keeps them merged."""
    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    faxed = img.copy()
    x = xs[2]
    faxed[ys[4] + 3:ys[5] - 2, x - 4:x + 5] = 255
    assert _spans(find_grid(faxed, dithered=True)) == _spans(find_grid(img, dithered=True))
    crossed = faxed.copy()
    mid = (ys[4] + ys[5]) // 2
    crossed[mid - 2:mid + 2, x - 30:x + 30] = 0  # print running across the line's place
    assert _spans(find_grid(crossed, dithered=True))[(4, 1)] == (1, 2)


def _as_sets(n, labels, stats, ox, oy):
    """Each component as (its stats but the background's, its pixels in mask coordinates)."""
    out = set()
    for i in range(1, n):
        ys, xs = np.nonzero(labels == i)
        out.add((tuple(int(v) for v in stats[i]), tuple(zip((ys + oy).tolist(), (xs + ox).tolist()))))
    return out


def test_ruling_components_leave_out_empty_rows_and_columns_without_changing_any():
    """The rulings' components are labelled with the empty rows and columns of their box
    taken out (a run of them kept as one): every component, its pixels and its stats come
    out as OpenCV gives them on the whole box."""
    import cv2

    from ocr.rulings import _components

    rng = np.random.default_rng(7)
    for _ in range(400):
        h, w = (int(v) for v in rng.integers(2, 80, 2))
        mask = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 9))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            if rng.random() < 0.5:
                mask[y:y + int(rng.integers(1, 3)), x:x + int(rng.integers(1, w))] = 255
            else:
                mask[y:y + int(rng.integers(1, h)), x:x + int(rng.integers(1, 3))] = 255
        if rng.random() < 0.3:
            mask[rng.random((h, w)) < 0.02] = 255  # specks a row or a column apart
        got = _components(mask)
        x, y, bw, bh = cv2.boundingRect(mask)
        if bw == 0:
            assert got[0] == 1
            continue
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask[y:y + bh, x:x + bw], connectivity=8)
        assert got[0] == n and got[3:] == (x, y)
        assert got[1].shape == labels.shape
        assert _as_sets(*got) == _as_sets(n, labels, stats, x, y)
        assert got[2][0, cv2.CC_STAT_AREA] == stats[0, cv2.CC_STAT_AREA]
