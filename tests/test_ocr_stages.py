"""Each stage of ``ocr/`` on small synthetic images: geometry, rulings, specks, the
mosaic, numbers against the ink, code separators (real tesseract where it reads)."""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from ocr.cells import erase_rulings, text_lines
from ocr.cleanup import cleanup, despeckle, rotate_right_angle
from ocr.codegrammar import Gap, parse
from ocr.geometry import ruled_lines
from ocr.layout import find_grid, find_layout, find_rulings, header_at_bottom
from ocr.mosaic import Piece, mosaic_words
from ocr.numbers import advance, assess, ink_width, judge
from ocr.testing import render_progress, sample_rows
from ocr.types import BBox, OcrText


@pytest.fixture(scope="module")
def drawn():
    return render_progress(sample_rows(3))


def _spans(grid):
    return {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}


def test_upside_down_table_is_told_by_its_header(drawn):
    img, _ = drawn
    assert header_at_bottom(find_grid(img)) is False
    assert header_at_bottom(find_grid(rotate_right_angle(img, 180))) is True


def test_keystoned_photo_is_straightened(drawn):
    img, geom = drawn
    h, w = img.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[40, 30], [w - 10, -20], [w + 25, h + 15], [-30, h - 35]])  # camera not square
    photo = cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=90)
    assert ruled_lines(photo).homography is not None
    page = cleanup(photo, rotation=0)
    after = ruled_lines(page.image)
    assert after.homography is None  # lines parallel to each other again...
    assert after.skew is not None and abs(after.skew) < 0.1  # ...and to the axes
    grid = find_grid(page.image)
    assert grid is not None and _spans(grid) == _spans(find_grid(img))


@pytest.mark.parametrize("angle", [-1.3, 0.45])
def test_deskew_leaves_less_than_a_tenth_of_a_degree(drawn, angle):
    img, _ = drawn
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    skewed = cv2.warpAffine(img, m, (w, h), borderValue=255)
    page = cleanup(skewed, rotation=0)
    assert abs(page.skew + angle) < 0.1
    assert abs(ruled_lines(page.image).skew) < 0.1


def test_level_streaks_outweighing_a_turned_pages_rulings_neither_set_its_skew_nor_shear_it(drawn):
    img, _ = drawn
    h, w = img.shape
    angle = 0.7
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    scan = cv2.warpAffine(img, m, (w, h), borderValue=255)
    streaks = scan.copy()
    for k in range(8):  # a fax's streaks, along the scan's rows, longer in all than the rulings
        y = int(h * (0.1 + 0.1 * k))
        streaks[y:y + 3, int(0.05 * w):int(0.95 * w)] = 0
    before = ruled_lines(scan)
    assert before.homography is None and abs(before.skew + angle) < 0.1
    lines = ruled_lines(streaks)
    assert lines.homography is None and lines.skew is not None and abs(lines.skew + angle) < 0.1
    page = cleanup(streaks, rotation=0)
    assert abs(page.skew + angle) < 0.1
    # a page not turned keeps its level lines, whatever else is drawn level
    assert abs(ruled_lines(img).skew) < 0.05


def _streaked(angle: float):
    """A table whose second body row wraps its description over several lines, scanned at
    ``angle`` degrees, with a streak along one of the scan's rows running between its first
    two lines (as a fax's transmission streak does, level in the scan, not on the page);
    also the same scan without the streak, and the drawn row edges."""
    rows = sample_rows(3)
    rows[1][1] = ("202.- SEGUIMIENTO AL GASTO DE LOS SERVICIOS PERSONALES DE LA ENTIDAD Y DE LAS "
                  "ACCIONES DE LOS PROGRAMAS DE LA ENTIDAD")
    img, geom = render_progress(rows, row_h=200)
    x0, x1 = geom["col_edges"][1], geom["col_edges"][2]
    y0, y1 = geom["row_edges"][4], geom["row_edges"][5]
    inked = (img[y0 + 5:y1 - 5, x0 + 5:x1 - 5] < 128).any(axis=1)
    on = np.flatnonzero(inked)
    gaps = np.flatnonzero(np.diff(on) > 1)
    assert len(gaps) >= 2  # lines of print in the cell; the streak runs above the cells' single lines
    gap_y = y0 + 5 + (on[gaps[0]] + on[gaps[0] + 1]) // 2
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    scan = cv2.warpAffine(img, m, (w, h), borderValue=255)
    sx, sy = m @ np.array([(x0 + x1) / 2, gap_y, 1.0])
    streaked = scan.copy()
    streaked[int(round(sy)) - 2:int(round(sy)) + 3, geom["col_edges"][0] - 40:int(sx) + 1500] = 0
    return streaked, scan, geom


def test_a_scans_streak_between_two_lines_of_a_row_is_no_row_line():
    streaked, scan, geom = _streaked(0.45)
    clean = cleanup(scan, rotation=0)
    assert not find_layout(clean.image, skew=clean.skew).rulings.streaks.any()  # rulings are not streaks
    page = cleanup(streaked, rotation=0)
    layout = find_layout(page.image, skew=page.skew)
    assert layout.rulings.streaks.any()
    assert layout.grid is not None and layout.grid.n_rows == len(geom["row_edges"]) - 1
    assert _spans(layout.grid) == _spans(find_grid(clean.image))
    # inpainted: dark only where a stroke or a column line crosses it (joined again)
    assert (erase_rulings(page.image, layout.rulings)[layout.rulings.streaks > 0] < 128).mean() < 0.1


def test_a_level_streak_starting_inside_a_cell_beside_its_print_is_no_row_line():
    """A fax streak level with a page scanned straight (so not told by its slope) that
    starts inside a cell, level with the last line of its description (left-aligned, as a
    fax's form prints it), and stops inside another: it meets no column line, and print
    runs across its height beside it in the cell it starts in. No ruling does either: no
    phantom row is made of the row's two lines."""
    img, geom = render_progress(sample_rows(3), row_h=200)
    cols = geom["col_edges"]
    y0, y1 = geom["row_edges"][4], geom["row_edges"][5]
    img[y0 + 4:y1 - 3, cols[1] + 4:cols[2] - 3] = 255
    for k, words in enumerate(("302.- SUPERVISAR LOS COMEDORES COMUNITARIOS", "VULNERABLES.")):
        cv2.putText(img, words, (cols[1] + 12, y0 + 40 + 36 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cell = img[y0 + 5:y1 - 5, cols[1] + 5:cols[2] - 5] < 128
    on = np.flatnonzero(cell.any(axis=1))
    last = on[np.flatnonzero(np.diff(on) > 1)[-1] + 1:]  # the rows of the description's last line
    y = y0 + 5 + int(last[0] + 0.35 * (last[-1] - last[0]))  # a third down its letters
    x = cols[1] + 5 + int(np.flatnonzero(cell[last].any(axis=0)).max()) + 60
    streaked = img.copy()
    streaked[y - 1:y + 2, x:(cols[4] + cols[5]) // 2] = 0  # over most of the description's cell
    grid, clean = find_grid(streaked), find_grid(img)
    assert grid is not None and _spans(grid) == _spans(clean) and grid.row_edges == clean.row_edges


def test_a_ruling_joined_by_a_streak_through_print_keeps_its_own_length():
    """A fax streak that crossed a row's print and ran down into the row's ruling is one run
    with it. Judged whole, the print packed beside the streak dropped the ruling too (and
    two rows merged); judged span by span, only the streak's spans along the print go."""
    from ocr.rulings import _not_text
    h, w = 200, 2400
    horiz = np.zeros((h, w), np.uint8)
    ink = np.zeros((h, w), np.uint8)
    horiz[120:123, 0:w] = 255  # the row's ruling
    xs = np.arange(w - 300, w)
    ys = (121 - (xs - (w - 300)) * 40 / 300).astype(int)  # the streak, rising into the print
    for x, y in zip(xs, ys):
        horiz[y - 1:y + 2, x] = 255
    ink[70:80, :] = 255  # a line of heavy print just above the streak's top, the width of the row
    ink[70:80, ::4] = 0
    ink |= horiz
    kept = _not_text(horiz, ink)
    assert kept[120:123, :w - 400].all()  # the ruling stays
    assert not kept[78:88, w - 64:].any()  # the streak where it runs along the print goes
    heavy = np.zeros_like(horiz)  # a heavy text's touching baseline is no ruling however long
    heavy[120:123, :] = 255
    ink2 = heavy.copy()
    ink2[108:117, :] = 255
    ink2[108:117, ::5] = 0
    assert not _not_text(heavy, ink2).any()


def test_a_letters_stem_mended_into_a_column_line_is_judged_where_it_has_ink():
    """A bold letter's stem in a title that a dithered scan's mending closed up to the rulings
    above and below: where the piece has ink (the stem), the title's letters stand beside it
    on both sides; the gaps closed around it are no evidence of a line. A column ruling
    beside dots of grey keeps."""
    from ocr.rulings import _not_through_text
    h, w, x = 120, 200, 100
    horiz = np.zeros((h, w), np.uint8)
    horiz[[10, 70], :] = 255  # the title row's rulings
    vert = np.zeros((h, w), np.uint8)
    vert[10:110, x:x + 4] = 255  # a line mended up from the row below through the title row
    ink = horiz.copy()
    ink[70:110, x:x + 4] = 255  # the column line below the title row
    ink[25:49, x:x + 4] = 255  # the stem of the title's "I", 24 of the row's 58 px
    ink[25:49:2, x - 5:x - 2] = 255  # "R" and "O" beside it, every other pixel row
    ink[25:49:2, x + 6:x + 9] = 255
    kept = _not_through_text(vert, horiz, ink, horizontal=False)
    assert not kept[20:60, x].any()  # the stem is no column line
    assert kept[80:100, x].all()  # the line below is
    grey = horiz.copy()
    grey[10:110, x:x + 4] = 255
    grey[15:65:4, x - 5] = 255  # dots of a grey title row beside a ruling that is drawn there
    grey[17:65:4, x + 7] = 255
    assert _not_through_text(vert, horiz, grey, horizontal=False)[20:60, x].all()


def test_a_rulings_overshoot_into_the_row_above_parts_no_cells_there():
    """On a black-and-white scan a column line found over a fifth of a row still parts it
    (a fax breaks thin rulings up); the few pixels by which the line of the row below
    overshoots its row line into this row are no such piece."""
    from ocr.layout import _ruled
    from ocr.rulings import Rulings

    h, w, x = 200, 60, 30
    ys = slice(6, 44)  # a title row between row lines at 0 and 50, 6 px in from each
    vert = np.zeros((h, w), np.uint8)
    vert[50:200, x - 1:x + 2] = 255  # the column line of the rows below...
    vert[36:50, x - 1:x + 2] = 255  # ...overshooting its row line by 14 px
    rulings = Rulings(np.zeros_like(vert), vert)
    assert not _ruled(rulings, vert.copy(), ys, x, 6, broken=True)
    broken = vert.copy()
    broken[14:26, x - 1:x + 2] = 255  # a piece of a broken line across the row itself
    assert _ruled(Rulings(np.zeros_like(vert), broken), broken, ys, x, 6, broken=True)


def test_dotted_rulings_still_give_the_rows(drawn):
    img, geom = drawn
    faxed = img.copy()
    x0, x1 = geom["col_edges"][0] + 6, geom["col_edges"][-1] - 6
    for y in geom["row_edges"][4:-1]:  # body rulings drawn as dots, as a fax sends thin lines
        faxed[y - 3:y + 4, x0:x1] = 255
        for x in range(x0, x1, 9):
            faxed[y - 1:y + 2, x:x + 3] = 0
    grid = find_grid(faxed)
    assert grid is not None and grid.n_rows == len(geom["row_edges"]) - 1
    assert _spans(grid) == _spans(find_grid(img))


def test_dotted_column_rulings_of_a_black_and_white_scan_are_mended():
    img, geom = render_progress(sample_rows(8))  # a table as tall as a page's
    faxed = img.copy()
    y0, y1 = geom["row_edges"][3] + 6, geom["row_edges"][-1] - 6
    for x in geom["col_edges"][1:-1]:  # body column rulings dithered into sparse dots
        faxed[y0:y1, x - 3:x + 4] = 255
        for y in range(y0, y1, 11):
            faxed[y:y + 3, x - 1:x + 2] = 0
    assert len(find_grid(faxed).cells) < len(find_grid(img).cells)  # unmended: rows merged across
    grid = find_grid(faxed, find_rulings(faxed, dithered=True))
    assert grid is not None and _spans(grid) == _spans(find_grid(img))


def test_dotted_rulings_under_a_spanning_title_are_mended(drawn):
    """The rulings under PERIODO and under its quarters, dotted by a fax, span a sixth of a
    wide page: short for a page-wide line, a line all the same (print above and below it
    stands clear of it), so the header keeps its three rows and the quarters their titles.
    (Where the line only enters its last bin of the page's 24, it is left dotted there.)"""
    img, geom = drawn
    faxed = img.copy()
    x0, x1 = geom["col_edges"][4] + 6, geom["col_edges"][12] - 6
    for y in geom["row_edges"][1:3]:
        faxed[y - 3:y + 4, x0:x1] = 255
        for x in range(x0, x1, 9):
            faxed[y - 1:y + 2, x:x + 3] = 0
    wide = np.pad(faxed, ((0, 0), (0, 2300)), constant_values=255)  # the span: 17 % of the width
    grid, whole = find_grid(wide), find_grid(img)
    assert grid is not None and np.allclose(grid.row_edges, whole.row_edges, atol=3)
    spans = _spans(grid)
    assert [spans[(1, j)] for j in (4, 6, 8)] == [(1, 2)] * 3  # Ene-Mar, Abr-Jun, Jul-Sep over P and A
    assert all(spans[(2, j)] == (1, 1) for j in range(4, 10))


def test_specks_go_and_the_dots_of_codes_stay():
    img = np.full((200, 600), 255, np.uint8)
    cv2.putText(img, "4.6.1", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)
    rng = np.random.default_rng(5)
    for x, y in zip(rng.integers(330, 590, 40), rng.integers(10, 190, 40)):
        img[y:y + 2, x:x + 2] = 0  # toner specks, far from the print
    clean = despeckle(img)
    assert (clean[:, 320:] < 128).sum() == 0
    assert np.array_equal(clean[:, :320], img[:, :320])  # digits and their dots untouched


def test_mosaic_maps_words_back_to_the_page():
    page = np.full((600, 1400), 255, np.uint8)
    cv2.putText(page, "MESURA", (900, 500), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    cv2.putText(page, "2023", (100, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    pieces = [Piece(BBox(850, 420, 1300, 540)), Piece(BBox(60, 60, 400, 160))]
    words = mosaic_words(page, pieces, scale=0.75)
    assert [[w.text for w in ws] for ws in words] == [["MESURA"], ["2023"]]
    first = words[0][0]
    assert 880 <= first.x0 <= 920 and 440 <= first.y0 <= 480  # in the page's pixels


def _number_cell(text: str) -> np.ndarray:
    cell = np.full((70, 260), 255, np.uint8)
    cv2.putText(cell, text, (30, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2, cv2.LINE_AA)
    return cell


def test_a_dropped_digit_is_caught_by_the_ink_width():
    cells = {t: ink_width(_number_cell(t)) for t in ("1,105", "846", "25%", "2,718", "117")}
    adv = advance([(t, m[0]) for t, m in cells.items()])
    assert adv is not None
    width = cells["117"][0]
    assert assess(OcrText("117", 0.9), width, adv).width_ok
    dropped = assess(OcrText("17", 0.96), width, adv)
    assert not dropped.width_ok
    second = assess(OcrText("117", 0.9), width, adv)
    kept = judge(dropped, second)
    assert kept.text == "117" and kept.confidence < 0.95  # the readings disagree: not vouched for
    agreed = judge(second, assess(OcrText("117", 0.93), width, adv))
    assert agreed.text == "117" and agreed.confidence >= 0.95


def test_a_one_a_fax_broke_in_two_still_counts_in_the_ink_width():
    # "13" whose 1 lost the middle of its stem: its top and its foot are each shorter than
    # the 3 beside them, yet the print is two digits wide, not one
    whole = _number_cell("13")
    broken = whole.copy()
    ink = np.flatnonzero((whole < 128).any(axis=0))
    gap_at = np.flatnonzero((whole[:, ink[0]:ink[0] + 12] < 128).any(axis=1))
    mid = (gap_at[0] + gap_at[-1]) // 2
    broken[mid - 4:mid + 4, :ink[0] + 14] = 255  # cut through the 1's stem only
    cells = {t: ink_width(_number_cell(t)) for t in ("1,105", "846", "25%", "2,718", "117")}
    adv = advance([(t, m[0]) for t, m in cells.items()])
    width = ink_width(broken)[0]
    assert abs(width - ink_width(whole)[0]) <= 2
    assert assess(OcrText("13", 0.9), width, adv).width_ok
    assert not assess(OcrText("3", 0.9), width, adv).width_ok
    # a ruling's dots down a cell's edge, one above the other, stay specks
    dotted = whole.copy()
    for y in range(2, 68, 9):
        dotted[y:y + 4, 250:253] = 0
    assert abs(ink_width(dotted)[0] - ink_width(whole)[0]) <= 2


def test_a_cell_of_hairlines_alone_holds_no_print():
    # marks one pixel tall (a ruling's last row left in a cell): no piece to join, no width
    crop = np.full((40, 80), 255, np.uint8)
    crop[10, 10:14] = 0
    crop[20, 30:33] = 0
    assert ink_width(crop) is None


def test_code_separators_follow_the_grammar():
    # "2.1.1, 2.1.5" read as six digits: narrow gaps are dots, the wide one a comma
    gaps = [Gap(0.12), Gap(0.15), Gap(0.45), Gap(0.11), Gap(0.14)]
    text, cost = parse("211215", gaps, levels=3)
    assert text == "2.1.1, 2.1.5" and cost < 1
    wrapped = [Gap(0.1), Gap(0.1), Gap(0.0, wrap=True), Gap(0.12), Gap(0.13)]
    assert parse("246441", wrapped, levels=3)[0] == "2.4.6, 4.4.1"
    assert parse("21", [Gap(0.1)], levels=3) is None  # two digits cannot be a code of three levels


def test_lines_of_print_are_counted():
    one = _number_cell("1,105")
    two = np.full((120, 300), 255, np.uint8)
    cv2.putText(two, "ADMINISTRAR", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.putText(two, "RECURSOS", (10, 95), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    assert text_lines(one) == 1 and text_lines(two) == 2
    assert text_lines(np.full((50, 50), 255, np.uint8)) == 0


def test_a_fax_streak_through_a_row_adds_no_row(drawn):
    img, geom = drawn
    streaked = img.copy()
    ys, xs = geom["row_edges"], geom["col_edges"]
    y = (ys[4] + ys[5]) // 2  # through the middle of the second body row, its print included
    streaked[y - 1:y + 2, xs[0] + 10:xs[-1] - 10] = 0
    grid = find_grid(streaked)
    assert grid is not None and grid.n_rows == len(ys) - 1
    assert _spans(grid) == _spans(find_grid(img))


def test_a_streak_beside_a_ruling_keeps_the_ruling(drawn):
    img, geom = drawn
    streaked = img.copy()
    ys, xs = geom["row_edges"], geom["col_edges"]
    y = ys[5]  # a fax streak just above a (thin) body ruling, over a third of the table
    streaked[y - 3:y + 4, xs[1] + 3:xs[6] - 3] = 255
    streaked[y - 1:y + 1, xs[1]:xs[6]] = 0
    streaked[y - 10:y - 8, xs[1]:xs[6]] = 0
    grid = find_grid(streaked)
    assert grid is not None and grid.n_rows == len(ys) - 1
    assert _spans(grid) == _spans(find_grid(img))


def test_a_column_line_whose_ruling_was_lost_beside_print_still_parts_its_cells(drawn):
    """A blurred photo runs a column line and the prose printed close beside it into one
    band, taken for print: the ruling is lost along that row. The line is still ink
    unbroken down the edge, and the cells stay apart; where the line itself is gone the
    cells merge (as a title's cells do, over no line)."""
    from ocr.rulings import Rulings

    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    i, j = len(ys) - 3, len(xs) // 2  # a body row; a column line inside the table
    before = find_grid(img)
    r = find_rulings(img)
    lost = r.vertical.copy()
    lost[ys[i] + 4:ys[i + 1] - 4, xs[j] - 8:xs[j] + 9] = 0
    kept = find_grid(img, Rulings(horizontal=r.horizontal, vertical=lost))
    assert kept is not None and _spans(kept) == _spans(before)
    gone = img.copy()
    gone[ys[i] + 4:ys[i + 1] - 4, xs[j] - 8:xs[j] + 9] = 255
    merged = find_grid(gone, Rulings(horizontal=r.horizontal, vertical=lost))
    assert merged is not None and _spans(merged) != _spans(before)
    # a letter's stem standing on the edge (a title over the merged cells) is no line
    mid = (ys[i] + ys[i + 1]) // 2
    gone[mid - 18:mid + 18, xs[j] - 1:xs[j] + 2] = 0
    stem = find_grid(gone, Rulings(horizontal=r.horizontal, vertical=lost))
    assert stem is not None and _spans(stem) == _spans(merged)


def _code_image(text: str) -> np.ndarray:
    img = np.full((90, 330), 255, np.uint8)
    cv2.putText(img, text, (20, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    return img


def test_a_digit_box_that_swallowed_a_lost_dot_is_snapped_to_its_ink():
    from ocr._exec.tesseract import Glyph
    from ocr.codes import _blobs, _gaps, _line_of, _measure

    img = _code_image("4.6.2")
    tall = sorted((b for b in _blobs(img) if b[3] - b[1] > 25), key=lambda b: b[0])
    assert len(tall) == 3
    (a, b, c) = tall
    glyphs = [Glyph("4", *a), Glyph("6", *b),
              Glyph("2", int(b[0]) - 1, int(c[1]), int(c[2]), int(c[3]))]  # "4.62": the 2 boxed from the 6 on
    digits, ink = _measure(img, glyphs)
    assert parse(*_gaps(_line_of(digits), ink), levels=3)[0] == "4.6.2"


def _header_code_read(printed: str, first: str, confidence: float):
    """A header line printing ``printed`` before a name, its code first read ``first``,
    after :func:`ocr.read._header_codes`; and the name's word as first read."""
    from ocr.cells import ReadSettings
    from ocr.read import _header_codes
    from ocr.types import Line

    page = np.full((200, 900), 255, np.uint8)
    page[40:130, 40:370] = _code_image(printed)
    cv2.putText(page, "MESURA", (420, 105), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    code = OcrText(first, confidence, BBox(58, 70, 250, 110))
    name = OcrText("MESURA", 0.95, BBox(420, 70, 600, 110))
    line = Line(f"{first} MESURA", confidence, BBox(58, 70, 600, 110), (code, name))
    (fixed,) = _header_codes(page, [line], ReadSettings())
    return fixed, name


def test_a_header_code_read_without_its_dot_is_read_again():
    fixed, name = _header_code_read("4.6.2", "4.62", 0.9)
    assert fixed.text == "4.6.2 MESURA" and fixed.words[0].text == "4.6.2"
    assert fixed.words[1] == name


def test_a_header_code_read_without_dots_is_read_again_where_the_lists_codes_stand():
    """Bare digits opening a header line are a code that lost its dots only where the
    list's codes stand: "211" above "2.12" (a code that lost one dot; no code of the list
    came out whole) is read again; the same digits far from the list are not."""
    from ocr.cells import ReadSettings
    from ocr.read import _header_codes
    from ocr.types import Line

    def header(x: int) -> tuple[Line, ...]:
        page = np.full((260, 900), 255, np.uint8)
        lines = []
        for top, printed, first, left in ((20, "2.1.1", "211", x), (130, "2.1.2", "2.12", 40)):
            page[top:top + 90, left:left + 330] = _code_image(printed)
            code = OcrText(first, 0.6, BBox(left + 18, top + 30, left + 210, top + 70))
            lines.append(Line(first, 0.6, code.bbox, (code,)))
        return _header_codes(page, lines, ReadSettings())

    near, second = header(40)
    assert (near.text, second.text) == ("2.1.1", "2.1.2")
    far, second = header(500)
    assert (far.text, second.text) == ("211", "2.1.2")


def test_a_column_with_a_cell_of_clear_codes_has_its_garbled_cells_read_as_codes():
    from ocr.cells import _code_cells
    from ocr.types import Cell, Grid

    texts = {(0, 0): ("LINEA DE ACCION P.M.D.", 0.92), (0, 1): ("DESCRIPCION", 0.95),
             (1, 0): ("2.1.1, 2,1,2,2.1.3; 2.1.4:2,1.5, 2.4.4, 2.4.5", 0.32), (1, 1): ("CONTRIBUIR CON", 0.95),
             (2, 0): ("Did LS", 0.37), (2, 1): ("CONTRIBUIR EN LA", 0.95),
             (3, 0): ("DALIA", 0.23), (3, 1): ("ENTREGAR APOYOS", 0.96)}
    cells = tuple(Cell(i, j, 1, 1, BBox(100 * j, 50 * i, 100 * j + 100, 50 * i + 50), OcrText(t, c))
                  for (i, j), (t, c) in sorted(texts.items()))
    grid = Grid(BBox(0, 0, 200, 200), (0, 50, 100, 150, 200), (0, 100, 200), cells)
    codes = _code_cells(grid, [c.text for c in cells])
    assert sorted((cells[k].row, cells[k].col) for k in codes) == [(1, 0), (2, 0), (3, 0)]


def test_a_code_columns_first_cells_read_without_their_dots_are_code_cells_still():
    """A blurred photo's first code cells read as bare digits ("461,462,463", "461"): the
    column's codes start there, not at its first cell read with dots; its titles stay out,
    digits too ("11": not three-digit groups, as a code of three levels read without dots)."""
    from ocr.cells import _code_cells
    from ocr.types import Cell, Grid

    read = ["LINEA DE ACCION P.M.D.", "11", "461,462,463", "461", "4.6.1, 4.6.2, 4.6.3", "4.6.1, 4.6.2", "4.6.1"]
    cells = tuple(Cell(i, 0, 1, 1, BBox(0, 50 * i, 200, 50 * i + 50), OcrText(t, 0.8)) for i, t in enumerate(read))
    grid = Grid(BBox(0, 0, 200, 50 * len(read)), tuple(range(0, 50 * len(read) + 1, 50)), (0, 200), cells)
    assert _code_cells(grid, [c.text for c in cells]) == [2, 3, 4, 5, 6]


def test_a_code_column_read_without_any_dot_is_known_by_the_headers_codes():
    """A blurred photo's code column read with every dot lost ("211,215", "211215"; its
    title garbled): bare digits that are all codes the header lists ("211" for 2.1.1)
    make it a code column, as dotted codes would; without that list it is none. A
    column of numbers beside it, some of whose groups are listed too, stays numbers."""
    from ocr.cells import _code_cells
    from ocr.types import Cell, Grid

    read = [("UA", "META"), ("2.12, 213, 214", "1,520"), ("211,215", "380"), ("211215", "215"),
            ("461.", "211,215,233"), ("221,234,252", "4"), ("211,215", "12")]
    cells = tuple(Cell(i, j, 1, 1, BBox(200 * j, 50 * i, 200 * j + 200, 50 * i + 50), OcrText(t, 0.75))
                  for i, row in enumerate(read) for j, t in enumerate(row))
    grid = Grid(BBox(0, 0, 400, 50 * len(read)), tuple(range(0, 50 * len(read) + 1, 50)), (0, 200, 400), cells)
    texts = [c.text for c in cells]
    listed = {"211", "212", "213", "214", "215", "221", "234", "252", "461"}
    codes = _code_cells(grid, texts, listed=listed)
    assert sorted((cells[k].row, cells[k].col) for k in codes) == [(i, 0) for i in range(1, len(read))]
    assert _code_cells(grid, texts) == []


def test_a_code_cell_read_empty_that_holds_print_is_read_as_codes():
    """Faint codes the first pass missed ("2.1.2, 2.1.3, 2.5.3" read freely ran together as
    "212213253") go to the code reader with their column; empty cells without print do not."""
    from ocr.cells import _code_cells
    from ocr.types import Cell, Grid

    texts = {(0, 0): ("LINEA DE ACCION", 0.92), (1, 0): ("2.1.1, 2.1.5", 0.9), (2, 0): ("", 0.0),
             (3, 0): ("", 0.0), (4, 0): ("4.6.1", 0.9)}
    cells = tuple(Cell(i, j, 1, 1, BBox(0, 50 * i, 100, 50 * i + 50), OcrText(t, c))
                  for (i, j), (t, c) in sorted(texts.items()))
    grid = Grid(BBox(0, 0, 100, 250), (0, 50, 100, 150, 200, 250), (0, 100), cells)
    codes = _code_cells(grid, [c.text for c in cells], blank_inked={2})
    assert sorted(cells[k].row for k in codes) == [1, 2, 4]


def test_faint_print_in_an_empty_read_cell_counts_as_ink():
    """A phone photo's grey "13" has a few dozen pixels darker than 128; it is print all the
    same (it is re-read), while paper noise, however grainy, is not."""
    from ocr.cells import _inked

    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(235, 4, (60, 120)), 0, 255).astype(np.uint8)
    faint = paper.copy()
    cv2.putText(faint, "13", (35, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 150, 3, cv2.LINE_AA)
    faint[28:31, 45:48] = 100  # the few darker pixels at a stroke's heart
    box = BBox(0, 0, 120, 60)
    assert int((faint < 128).sum()) < 40 <= int((faint < 190).sum())
    assert _inked(faint, box, 40) and not _inked(paper, box, 40)


@pytest.mark.parametrize("read, kept", [
    (",- ELABORAR Y ENTREGAR", "ELABORAR Y ENTREGAR"),  # what a faxed column line leaves
    ("PROGRAMA ALIMENTARIO ESTATAL. .", "PROGRAMA ALIMENTARIO ESTATAL."),
    ("EN EL CUARTO TRIMESTRE. |", "EN EL CUARTO TRIMESTRE."),
    ("- ENTREGA DE APOYOS", "- ENTREGA DE APOYOS"),  # a printed bullet stays
    ("101.- SEGUIMIENTO AL GASTO", "101.- SEGUIMIENTO AL GASTO"),
    ("' .", ""),
    ('"201 -SEGUIMIENTO AL GASTO', "201 -SEGUIMIENTO AL GASTO"),  # a mark glued before the row's number
    (":204.-ACTUALIZAR EL PADRON", "204.-ACTUALIZAR EL PADRON"),
    ('"PROGRAMA" ESTATAL', '"PROGRAMA" ESTATAL'),  # quoted words stay
])
def test_stray_marks_at_a_cells_edges_are_not_its_text(read, kept):
    from ocr.cells import _without_stray_marks

    got = _without_stray_marks(OcrText(read, 0.8, BBox(0, 0, 10, 10)))
    assert got.text == kept and (got.confidence, got.bbox is None) == ((0.8, False) if kept else (0.0, True))
    if not kept:  # the first pass's reading of marks alone is kept, to be doubted and read again
        assert _without_stray_marks(OcrText(read, 0.8, BBox(0, 0, 10, 10)), keep_marks_alone=True).text == read


def test_paper_texture_is_whitened_before_codes_are_read():
    from ocr.codes import _paper_white

    crop = np.full((60, 200), 252, np.uint8)
    crop[::3, ::5] = 240  # faint blocks and show-through around the print
    crop[20:40, 30:40] = 20  # a digit's stroke
    crop[36:40, 50:54] = 110  # a pale dot
    out = _paper_white(crop)
    assert (out[crop >= 240] == 255).all()
    assert (out[crop < 128] == crop[crop < 128]).all()


def _dotted_in_one_row(img, ys, xs):
    for x in xs[3:6]:  # in one body row, three column rulings dithered down to a few dots
        img[ys[4] + 4:ys[5] - 3, x - 3:x + 4] = 255
        for y in range(ys[4] + 12, ys[5] - 8, 17):
            img[y:y + 3, x - 1:x + 1] = 0


def _faded_over_a_tall_titles_first_row(img, ys, xs):
    for x in xs[3:5]:  # UNIDAD | META | PERIODO: gone over the header's first row only
        img[ys[0] + 4:ys[1] + 2, x - 3:x + 4] = 255


def _found_only_in_pieces(img, ys, xs):
    y0, y1 = ys[4], ys[5]
    keep0 = y0 + (y1 - y0) * 3 // 10
    for x in xs[1:3]:  # in one body row of a fax, a piece of two column rulings (~40 % of the row) is left
        img[y0 + 4:keep0, x - 3:x + 4] = 255
        img[keep0 + 42:y1 - 3, x - 3:x + 4] = 255


@pytest.mark.parametrize("damage, dithered", [
    (_dotted_in_one_row, False),
    (_faded_over_a_tall_titles_first_row, False),
    (_found_only_in_pieces, True),  # a black-and-white scan
])
def test_a_column_ruling_faded_in_places_still_parts_its_cells(drawn, damage, dithered):
    img, geom = drawn
    faxed = img.copy()
    damage(faxed, geom["row_edges"], geom["col_edges"])
    grid = find_grid(faxed, dithered=dithered)
    assert grid is not None and _spans(grid) == _spans(find_grid(img))


def test_code_cells_are_read_a_second_time_only_where_the_vote_is_unsure(monkeypatch):
    import ocr.codes as codes
    from ocr._exec import tesseract

    page = np.full((100, 700), 255, np.uint8)
    page[5:95, 10:340] = _code_image("4.6.2")
    page[5:95, 360:690] = _code_image("2.1.5")
    boxes = [BBox(10, 5, 340, 95), BBox(360, 5, 690, 95)]
    canvases = []
    real = tesseract.image_to_boxes
    monkeypatch.setattr(tesseract, "image_to_boxes", lambda img, **k: canvases.append((img.shape, k)) or real(img, **k))
    # the call structure, not the vote's thresholds: a reading agreeing with the first
    # pass's text is sure here
    monkeypatch.setattr(codes, "_vote", lambda rs, first, pattern, *ink: (first, 0.97) if any(
        r[0] == first for r in rs) else ((rs[0][0], 0.8) if rs else ("", 0.0)))
    got = codes.read_codes(page, boxes, first=[OcrText("4.6.2", 0.9), OcrText("2.7.5", 0.6)], levels=3)
    assert [t.text for t in got] == ["4.6.2", "2.1.5"]
    assert len(canvases) == 2 and canvases[1][1].get("whitelist")
    assert canvases[1][0][0] < canvases[0][0][0]  # the second mosaic holds the unsure cell only
    canvases.clear()
    codes.read_codes(page, boxes, first=[OcrText("4.6.2", 0.9), OcrText("2.1.5", 0.9)], levels=3)
    assert len(canvases) == 1  # every cell sure after one reading: no second call


def test_the_header_is_told_from_one_merged_body_cell_at_the_other_end():
    img, geom = render_progress(sample_rows(6))
    merged = img.copy()
    ys, xs = geom["row_edges"], geom["col_edges"]
    merged[ys[-2] + 4:ys[-1] - 3, xs[10] - 4:xs[10] + 5] = 255  # two cells of the last row made one
    grid = find_grid(merged)
    assert any(c.row == grid.n_rows - 1 and c.col_span == 2 for c in grid.cells)
    assert header_at_bottom(grid) is False
    assert header_at_bottom(find_grid(rotate_right_angle(merged, 180))) is True


def test_the_header_is_told_by_its_nesting_from_several_merged_cells_at_the_other_end():
    img, geom = render_progress(sample_rows(6))
    merged = img.copy()
    ys, xs = geom["row_edges"], geom["col_edges"]
    for x in [*xs[1:13], xs[14]]:  # the last row: one cell over 13 columns, one over 2
        merged[ys[-2] + 4:ys[-1] - 3, x - 4:x + 5] = 255
    merged[ys[-3] + 4:ys[-2] - 3, xs[12] - 4:xs[12] + 5] = 255  # and two cells above it made one
    grid = find_grid(merged)
    assert sum(1 for c in grid.cells if c.row >= grid.n_rows - 2 and 1 < c.col_span < grid.n_cols - 1) == 3
    assert header_at_bottom(grid) is False  # as many spans at the bottom as the header's, but none nested
    assert header_at_bottom(find_grid(rotate_right_angle(merged, 180))) is True


def test_a_header_code_that_lost_its_dots_is_read_again_where_the_list_stands():
    from ocr.cells import ReadSettings
    from ocr.read import _header_codes
    from ocr.types import Line

    page = np.full((330, 900), 255, np.uint8)
    rows = [("2.1.1", 40, 60), ("2.1.2", 40, 160), ("522", 420, 260)]
    lines = []
    for text, x, y in rows:
        cv2.putText(page, text, (x, y + 40), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
        ys, xs = np.nonzero(page[y - 10:y + 60, x - 10:x + 300] < 128)
        box = BBox(x - 10 + int(xs.min()), y - 10 + int(ys.min()), x - 10 + int(xs.max()) + 1, y - 10 + int(ys.max()) + 1)
        first = text.replace(".", "") if text == "2.1.2" else text  # read without its dots
        name = OcrText("NOMBRE", 0.95, BBox(box.x1 + 40, box.y0, box.x1 + 200, box.y1))
        lines.append(Line(f"{first} NOMBRE", 0.9, box, (OcrText(first, 0.9, box), name)))
    out = _header_codes(page, lines, ReadSettings())
    assert [ln.words[0].text for ln in out] == ["2.1.1", "2.1.2", "522"]  # the programa code stays
    # a digit read as a look-alike ("2.1.]", a fax) where the list stands is read again too
    lines[1] = replace(lines[1], words=(replace(lines[1].words[0], text="2.1.]"), *lines[1].words[1:]))
    assert _header_codes(page, lines, ReadSettings())[1].words[0].text == "2.1.2"


def test_a_header_code_read_as_two_words_is_read_again_as_one():
    from ocr.cells import ReadSettings
    from ocr.read import _header_codes
    from ocr.types import Line

    page = np.full((200, 900), 255, np.uint8)
    page[40:130, 40:370] = _code_image("2.1.1")
    cv2.putText(page, "MESURA", (420, 105), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    n, _, stats, _ = cv2.connectedComponentsWithStats((page[:, :400] < 128).astype(np.uint8))
    glyphs = sorted((tuple(int(v) for v in st[:4]) for st in stats[1:]), key=lambda g: g[0])
    assert len(glyphs) == 5  # 2 . 1 . 1: tesseract boxed "2.1" (the dot after it left out) and "1"
    y0, y1 = min(g[1] for g in glyphs), max(g[1] + g[3] for g in glyphs)
    left = BBox(glyphs[0][0], y0, glyphs[2][0] + glyphs[2][2], y1)
    right = BBox(glyphs[4][0], y0, glyphs[4][0] + glyphs[4][2], y1)
    name = OcrText("MESURA", 0.95, BBox(420, 70, 600, 110))
    words = (OcrText("2.1", 0.8, left), OcrText("1", 0.8, right), name)
    line = Line("2.1 1 MESURA", 0.8, BBox(left.x0, 70, 600, 110), words)
    (fixed,) = _header_codes(page, [line], ReadSettings())
    assert [w.text for w in fixed.words] == ["2.1.1", "MESURA"] and fixed.text == "2.1.1 MESURA"
    assert fixed.words[0].bbox == BBox(left.x0, left.y0, right.x1, right.y1)
    # a lead that is a code alone keeps the number after it
    words = (OcrText("2.1.1", 0.95, BBox(left.x0, left.y0, right.x1, right.y1)),
             OcrText("10", 0.9, BBox(420, 70, 470, 110)))
    kept = Line("2.1.1 10", 0.9, BBox(left.x0, 70, 470, 110), words)
    assert _header_codes(page, [kept], ReadSettings()) == (kept,)


def test_faint_print_is_told_and_sharpened_where_it_stands():
    from ocr.read import _faint, _sharpened

    def digits(level: int, sigma: float) -> np.ndarray:
        page = np.full((300, 900), 245, np.uint8)
        for r in range(3):
            for i, text in enumerate(["26,333", "31,811", "9,960"]):
                cv2.putText(page, text, (30 + 280 * i, 80 + 90 * r), cv2.FONT_HERSHEY_SIMPLEX, 1.0, level, 2,
                            cv2.LINE_AA)
        return cv2.GaussianBlur(page, (0, 0), sigma)

    box = BBox(0, 150, 900, 300)  # the lower half only
    assert not _faint(digits(0, 1.0), box)  # crisp black print
    faint = digits(130, 1.0)  # a photo's gray, blurred print: next to nothing darker than 128
    assert _faint(faint, box)
    sharp = _sharpened(faint, box)
    assert (sharp[150:] < 128).sum() > 20 * max(1, (faint[150:] < 128).sum())  # its strokes dark again
    assert (sharp[:150] == faint[:150]).all()  # outside the region, as it was


def test_a_fax_streak_through_digits_is_inpainted_and_the_row_rulings_painted_white():
    from ocr.cells import erase_rulings
    from ocr.layout import Rulings

    page = np.full((200, 600), 255, np.uint8)
    cv2.putText(page, "52", (200, 130), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 0, 7)
    digits = page < 128
    page[20:23, :] = 0  # a row ruling
    page[99:102, 20:580] = 0  # a streak through the middle of the digits
    lines = np.zeros_like(page)
    lines[20:23, :] = 255
    lines[99:102, 20:580] = 255
    rulings = Rulings(horizontal=lines, vertical=np.zeros_like(page))
    band = (slice(97, 104), slice(200, 330))  # the streak and the 2 px erased either side
    white = erase_rulings(page, rulings)
    assert (white[band] == 255).all()  # painted white: the digits lose their middle
    healed = erase_rulings(page, rulings, streaks_between=(21, 180))
    assert (healed[band][digits[band]] < 128).mean() > 0.6  # most of the strokes joined again
    assert (healed[97:104, 20:190] > 200).all() and (healed[18:25] == 255).all()  # paper and ruling white


def test_on_a_grey_scan_a_line_inside_a_row_is_inpainted_and_a_line_above_the_table_painted_white():
    """A phone photo's blur runs the feet of a row of codes together into a line as long as
    the cell: inside the table, away from every row edge, it is inpainted (painted white,
    "2.1.2" lost its base); above the table a line is a ruling still (a header's rule)."""
    from ocr.cells import erase_rulings
    from ocr.layout import Rulings

    page = np.full((260, 600), 255, np.uint8)
    cv2.putText(page, "52", (200, 190), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 0, 7)
    digits = page < 128
    lines = np.zeros_like(page)
    for y0, x0, x1 in ((20, 0, 600), (80, 0, 600), (160, 20, 580), (240, 0, 600)):  # rule, rows, the run
        page[y0:y0 + 3, x0:x1] = 0
        lines[y0:y0 + 3, x0:x1] = 255
    rulings = Rulings(horizontal=lines, vertical=np.zeros_like(page))
    band = (slice(158, 165), slice(200, 330))
    healed = erase_rulings(page, rulings, (81, 241), inside=True)
    assert (healed[band][digits[band]] < 128).mean() > 0.6  # the digits' strokes joined again
    assert (healed[18:25] == 255).all() and (healed[78:85] == 255).all()  # the rule and the row line white


def test_a_column_line_is_erased_as_narrowly_as_asked():
    from ocr.cells import erase_rulings
    from ocr.layout import Rulings

    page = np.full((100, 200), 255, np.uint8)
    page[:, 99:102] = 0  # a column line, 3 px
    page[40:60, 103:106] = 0  # the stem of a first letter printed right up to it
    vertical = np.zeros_like(page)
    vertical[:, 99:102] = 255
    rulings = Rulings(horizontal=np.zeros_like(page), vertical=vertical)
    wide, narrow = erase_rulings(page, rulings), erase_rulings(page, rulings, column_pad=1)
    assert (wide[:, :104] == 255).all()  # the stem lost a third of its width with the line
    assert (narrow[:, :103] == 255).all() and (narrow[40:60, 103:106] == 0).all()  # whole


def test_specks_looked_at_one_by_one_or_all_at_once_alike(monkeypatch):
    import ocr.cleanup as cleanup_module

    img = np.full((300, 700), 255, np.uint8)
    cv2.putText(img, "4.6.1, 2.1.5", (30, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    rng = np.random.default_rng(11)
    for x, y in zip(rng.integers(0, 698, 300), rng.integers(0, 298, 300)):
        img[y:y + 2, x:x + 2] = 0  # specks everywhere, some beside the print
    one_by_one = despeckle(img)
    monkeypatch.setattr(cleanup_module, "_SPECKS_ONE_BY_ONE", 0)
    at_once = despeckle(img)
    assert np.array_equal(one_by_one, at_once) and not np.array_equal(one_by_one, img)


def test_a_rulings_remnant_at_a_code_crops_edge_is_made_paper_but_a_cut_digit_stays():
    """A fax's column line, not erased to its full width, stands at the crop's edge taller
    than any print in the cell: tesseract joined it to the first digit ("2.1.1" read "Dar").
    A digit a tight crop cut through touches the edge too, and stays."""
    from ocr.codes import _off_the_edge

    img = _code_image("2.1.1")
    img[:, :5] = 0  # the remnant: the crop's full height, at its left edge
    out = _off_the_edge(img)
    assert (out[:, :5] == 255).all()
    assert (out[:, 5:] == img[:, 5:]).all()  # the digits untouched
    cut = _code_image("2.1.1")
    xs = np.flatnonzero((cut < 128).any(axis=0))
    tight = cut[:, xs[0] + 4:]  # the first 2 cut by the crop
    assert (_off_the_edge(tight) == tight).all()


def _ink_of(img):
    from ocr._exec import tesseract
    from ocr.codes import _measure

    pad = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    glyphs = [replace(g, x0=g.x0 - 20, y0=g.y0 - 20, x1=g.x1 - 20, y1=g.y1 - 20)
              for g in tesseract.image_to_boxes(pad, psm=6)]
    measured = _measure(img, glyphs)
    assert measured is not None
    return measured[1]


def test_the_ink_counts_a_digit_a_fax_broke_in_pieces_once():
    from ocr.codes import _blobs, _ink_digits

    img = _code_image("4.6.1")
    ink = _ink_of(img)
    assert ink.digits is not None and [len(ln) for ln in ink.digits] == [3]
    broken = img.copy()
    six = sorted({b[0] for line in ink.digits for b in line})[1]
    broken[45:49, six - 2:six + 40] = 255  # the 6 cut across its middle: two pieces, one above the other

    assert len([b for b in _blobs(broken) if b[3] - b[1] >= 0.6 * ink.height]) < 3  # no longer three digit-high blobs
    digits = _ink_digits(_blobs(broken), ink.height, ink.width)
    assert digits is not None and [len(ln) for ln in digits] == [3]


def test_a_reading_that_lost_a_digit_gives_way_to_the_first_pass_digits_with_percent():
    """Tesseract lost the 6 of "2.4.6, 4.4.1" on the second look ("24.44.1"); the first pass
    had all six digits. The ink shows six: the first pass's digits placed on it, with the
    separators from the ink's gaps, are taken (for a reviewer to confirm: 0.6)."""
    from ocr.codes import BOUNDARY, _on_ink, _vote

    img = np.full((90, 560), 255, np.uint8)
    cv2.putText(img, "2.4.6, 4.4.1", (20, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    ink = _ink_of(img)
    assert ink.digits is not None and sum(map(len, ink.digits)) == 6
    placed = _on_ink(ink, "246441", 3, BOUNDARY)
    assert placed is not None and placed[0] == "2.4.6, 4.4.1"
    assert _on_ink(ink, "24441", 3, BOUNDARY) is None  # five digits cannot be placed on six
    lost = [("24.44.1", 3.0)]
    assert _vote(lost, "2.44,2.4.6", r"\d+(\.\d+)+", ink=6, on_ink=[placed]) == ("2.4.6, 4.4.1", 0.6)
    assert _vote(lost, "2.44,2.4.6", r"\d+(\.\d+)+")[0] == "24.44.1"  # without the ink's count
    # a reading agreeing with the first pass but not with the ink is not vouched for
    sure = [("2.4.6, 4.4.1", 0.2)]
    assert _vote(sure, "2.4.6, 4.4.1", r"\d+(\.\d+)+")[1] == 0.97
    assert _vote(sure, "2.4.6, 4.4.1", r"\d+(\.\d+)+", ink=7)[1] < 0.95


def test_three_reads_agreeing_on_every_digit_outweigh_a_count_of_blurred_ink():
    """A blurred photo's "6." runs into one blob as wide as two digits, so the ink shows a
    digit more than is printed, and a reading patched with a digit read there
    ("4.66.1, 4.65.2") fits the count. The first pass and both re-reads have the same
    nine digits: theirs is kept (for review, 0.6). With one re-read alone agreeing, the
    ink's count still weighs."""
    from ocr.codes import _vote

    pattern = r"\d+(\.\d+)+"
    patched = [("4.66.1, 4.65.2, 4.6.3", 9.4)]
    both = [("4.6.1, 4.6.2, 4.6.3", 6.6), ("4.6.1, 4.6.2, 4.6.3", 4.5)]
    assert _vote(both, "46.1,4.6.2, 46.3", pattern, ink=11, on_ink=patched) == ("4.6.1, 4.6.2, 4.6.3", 0.6)
    assert _vote(both[1:], "46.1,4.6.2, 46.3", pattern, ink=11, on_ink=patched) == ("4.66.1, 4.65.2, 4.6.3", 0.6)
    # the first pass read other digits: the two re-reads alone do not outweigh the ink
    assert _vote(both, "4.6.1, 4.6.3", pattern, ink=11, on_ink=patched)[0] == "4.66.1, 4.65.2, 4.6.3"


def test_the_gap_between_a_dot_and_a_comma_is_learned_from_the_page():
    """A fax's blotted dots widen every gap: dots at ~0.5 of the digit height, commas at
    ~0.9. Against the page's own boundary the readings agree with their gaps (cost < 1,
    so they can be vouched for); against the default they cost several gaps."""
    from ocr.codes import BOUNDARY, boundary_of

    gaps = [Gap(0.48, "."), Gap(0.52, "."), Gap(0.92, ","), Gap(0.47, "."), Gap(0.5, ".")]
    page = [(list("211215"), gaps)] * 4  # four cells of a page
    learned = boundary_of(page)
    assert 0.6 < learned < 0.8
    assert parse("211215", gaps, levels=3, boundary=learned)[1] < 1 < parse("211215", gaps, levels=3)[1]
    assert boundary_of(page[:1]) == BOUNDARY  # too few marks seen to tell
    close = [(list("211215"), [Gap(0.3, "."), Gap(0.3, "."), Gap(0.35, ","), Gap(0.3, "."), Gap(0.3, ".")])] * 4
    assert boundary_of(close) == BOUNDARY  # dots and commas not apart: the default


def test_a_code_cell_read_as_bare_digits_and_marks_takes_the_code_readers_reading():
    """The first pass's "241,24.4" (tesseract's confidence 0.79) is no list of codes; the
    code reader's "2.4.1, 2.4.4", though unsure (0.6), is: it is taken, at its own
    confidence (a reviewer looks). A cell of words keeps the surer reading."""
    from ocr.cells import _code_or_first

    code = OcrText("2.4.1, 2.4.4", 0.6, BBox(0, 0, 10, 10))
    assert _code_or_first(OcrText("241,24.4", 0.79, BBox(0, 0, 10, 10)), code) == code
    words = OcrText("NO APLICA", 0.79, BBox(0, 0, 10, 10))
    assert _code_or_first(words, code) == words
    assert _code_or_first(words, replace(code, confidence=0.8)).text == "2.4.1, 2.4.4"


def test_a_header_code_read_ill_formed_takes_its_own_digits_well_formed_even_unsure(monkeypatch):
    """"2.11" is no code; the code reader's "2.1.1" (the same digits, separators from the
    ink) replaces it even at 0.6, which keeps it for a reviewer. A reading with other
    digits, unsure, does not."""
    import ocr.read as read
    from ocr.cells import ReadSettings
    from ocr.types import Line

    page = np.full((200, 900), 255, np.uint8)
    page[40:130, 40:370] = _code_image("2.1.1")
    code = OcrText("2.11", 0.9, BBox(58, 70, 250, 110))
    name = OcrText("MESURA", 0.95, BBox(420, 70, 600, 110))
    line = Line("2.11 MESURA", 0.9, BBox(58, 70, 600, 110), (code, name))
    monkeypatch.setattr(read, "read_codes", lambda *a, **k: [OcrText("2.1.1", 0.6, code.bbox)])
    (fixed,) = read._header_codes(page, [line], ReadSettings())
    assert (fixed.words[0].text, fixed.words[0].confidence) == ("2.1.1", 0.6) and fixed.confidence < 0.7
    monkeypatch.setattr(read, "read_codes", lambda *a, **k: [OcrText("2.1.7", 0.6, code.bbox)])
    assert read._header_codes(page, [line], ReadSettings())[0].words[0].text == "2.11"


def test_digits_tesseract_did_not_see_are_still_counted_in_the_ink():
    """The code reader saw no digit in the crop; the ink still shows three, and the first
    pass's "2.11" placed on them reads "2.1.1"."""
    from ocr.codes import BOUNDARY, _measure, _on_ink

    digits, ink = _measure(_code_image("2.1.1"), [])
    assert digits == [] and ink.digits is not None and sum(map(len, ink.digits)) == 3
    assert _on_ink(ink, "211", 3, BOUNDARY)[0] == "2.1.1"
    assert _measure(np.full((40, 80), 255, np.uint8), []) is None  # no ink: nothing to measure


def test_a_digit_tesseract_lost_is_found_in_the_ink_and_read_alone():
    """Tesseract read "2.4.6, 4.4.1" without its 6 ("24.44.1"), and the first pass was no
    help. The ink shows six digits: the five read find their own, the sixth is read alone,
    and the patched reading wins the vote, unsure (0.6: out of context a digit is read
    less surely)."""
    from ocr._exec.tesseract import Glyph
    from ocr.codes import BOUNDARY, _gaps, _lines, _read_lost, _unread, _vote

    img = np.full((90, 560), 255, np.uint8)
    cv2.putText(img, "2.4.6, 4.4.1", (20, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    ink = _ink_of(img)
    boxes = [b for line in ink.digits for b in line]
    assert len(boxes) == 6
    read = [Glyph(ch, *b) for ch, b in zip("24_441", boxes) if ch != "_"]  # the 6 lost
    chars, lost = _unread(_lines(read, ink), ink)
    assert chars == [["2", "4", None, "4", "4", "1"]] and lost == [boxes[2]]
    (found,) = _read_lost([img], [lost], [ink.height])
    assert found == ["6"]
    patched = [[Glyph(ch or found[0], *b) for ch, b in zip(chars[0], boxes)]]
    reading = parse(*_gaps(patched, ink), levels=3, boundary=BOUNDARY)
    assert reading[0] == "2.4.6, 4.4.1"
    assert _vote([("24.44.1", 9.0)], "", r"\d+(\.\d+)+", ink=6, on_ink=[reading]) == ("2.4.6, 4.4.1", 0.6)
    # a digit read twice (two glyphs in one ink digit) cannot be placed
    assert _unread(_lines([*read, Glyph("1", *boxes[0])], ink), ink) is None


def test_a_reading_whose_every_gap_agrees_is_not_outvoted_by_a_miscounted_ink():
    """A speck as tall as a digit makes the ink show more digits than were printed; the
    reading whose every gap agreed with the grammar (cost < 1) keeps its place over one
    that fits the ink's count but needed two-digit levels, though it is not vouched for."""
    from ocr.codes import _vote

    sound = ("2.3.1, 2.3.2, 2.3.3, 2.3.4", 0.12)
    patched = ("2.23.1, 2.23.2, 2.3.33, 2.3.4", 9.0)
    assert _vote([sound], "2.3.1, 23.2, 2.3.3, 2.3.4", r"\d+(\.\d+)+", ink=15, on_ink=[patched]) == (sound[0], 0.6)
    lost = ("211.2.1, 2.1.3", 25.0)  # gaps against the grammar: the ink's count decides
    fits = ("2.1.1, 2.1.2, 2.1.3", 20.0)
    assert _vote([lost], "", r"\d+(\.\d+)+", ink=9, on_ink=[fits]) == (fits[0], 0.6)


def test_a_number_read_with_a_letter_stuck_on_is_no_label():
    """"57m" where the column holds numbers is no label like "M4": when the ink's width
    disagrees with every reading, the judged number ("5,744", read so twice) is kept,
    unsure; a label ("M4") still is kept as read."""
    from ocr.cells import _settle

    first = OcrText("57m", 0.12, BBox(0, 0, 57, 25))
    second = OcrText("5,744", 0.97, BBox(0, 0, 57, 25))
    got = _settle(0, first, {0: second}, {0: second}, True, 200.0, 12.0)  # ink far wider than either
    assert got.text == "5,744" and got.confidence < 0.9
    label = OcrText("M4", 0.9, BBox(0, 0, 30, 25))
    assert _settle(0, label, {0: OcrText("4", 0.5, label.bbox)}, {0: label}, True, 200.0, 12.0).text == "M4"


def test_a_semicolon_between_codes_is_not_counted_for_a_digit():
    """"2.4.5; 2.4.6": the dot over the comma overlap across like the pieces of a broken
    digit, and together they stand as tall as one; neither is a good part of a digit."""
    from ocr.codes import _blobs, _ink_digits

    img = np.full((90, 560), 255, np.uint8)
    cv2.putText(img, "2.4.5; 2.4.6", (20, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3, cv2.LINE_AA)
    ink = _ink_of(img)
    digits = _ink_digits(_blobs(img), ink.height, ink.width)
    assert digits is not None and sum(map(len, digits)) == 6


def test_marks_only_a_one_looks_like_are_read_as_one_among_a_columns_numbers():
    """A faxed lone "1" read "J" (the digit re-read found nothing) is a 1 among the column's
    numbers, unsure; the column's title "I" (a quarter) stays a title."""
    from ocr.cells import _settle

    box = BBox(0, 0, 12, 25)
    got = _settle(0, OcrText("J", 0.76, box), {0: OcrText("", 0.0, None)}, {0: OcrText("]", 0.76, box)},
                  True, 7.0, 12.0, lookalikes=True)
    assert got.text == "1" and got.confidence < 0.9
    title = _settle(0, OcrText("I", 0.9, box), {}, {}, True, 7.0, 12.0, lookalikes=False)
    assert title.text == "I"
    assert _settle(0, OcrText("1O", 0.6, box), {}, {}, True, 22.0, 12.0, lookalikes=True).text == "10"


def test_a_digit_broken_in_small_pieces_still_counts():
    """A fax breaks a 3 into three bands, none of them 0.4 of a digit tall; stacked in a
    digit-wide column they are still one digit (a ";" is a narrow column)."""
    from ocr.codes import _blobs, _ink_digits

    img = _code_image("4.3.1")
    ink = _ink_of(img)
    three = sorted(ink.digits[0])[1]
    x0, y0, x1, y1 = three
    h = y1 - y0
    broken = img.copy()
    for cut in (y0 + h // 3, y0 + 2 * h // 3):
        broken[cut - 1:cut + 2, x0 - 1:x1 + 1] = 255
    pieces = [b for b in _blobs(broken) if b[0] >= x0 - 1 and b[2] <= x1 + 1]
    assert len(pieces) >= 3 and max(b[3] - b[1] for b in pieces) < 0.4 * ink.height
    digits = _ink_digits(_blobs(broken), ink.height, ink.width)
    assert digits is not None and sum(map(len, digits)) == 3


def test_a_header_code_read_with_look_alikes_is_read_as_digits():
    from ocr.cells import LOOKALIKE_CAP
    from ocr.read import _header_numbers
    from ocr.types import Line

    def line(*texts):
        words = tuple(OcrText(t, 0.9, BBox(100 * i, 0, 100 * i + 80, 30)) for i, t in enumerate(texts))
        return Line(" ".join(texts), 0.9, BBox(0, 0, 100 * len(texts), 30), words)

    lines = [line("$2", "DESARROLLO", "INTEGRAL"),  # a serif 5 read "$"
             line("PROGRAMA:", "S11", "GESTION"),  # ... or "S", just after the label
             line("2O1", "DIRECCION"),
             line("UNIDAD", "EJECUTORA:", "5220)", "JEFATURA"),  # a faxed 1
             line("2.4.6", "PROMOCION"),  # dotted codes are the code reader's
             line("XXIV", "AYUNTAMIENTO"),  # no digit: a roman numeral, a word
             line("PROGRAMA", "OPERATIVO", "ANUAL", "2O23"),  # not where a code stands
             line("$2", "Y")]  # no name after it
    out = _header_numbers(lines)
    assert [ln.text for ln in out] == ["52 DESARROLLO INTEGRAL", "PROGRAMA: 511 GESTION", "201 DIRECCION",
                                       "UNIDAD EJECUTORA: 52201 JEFATURA", "2.4.6 PROMOCION", "XXIV AYUNTAMIENTO", "PROGRAMA OPERATIVO ANUAL 2O23",
                                       "$2 Y"]
    assert out[0].words[0].confidence == LOOKALIKE_CAP and out[1].words[1].confidence == LOOKALIKE_CAP
    assert out[4] is lines[4] and out[1].words[1].bbox == lines[1].words[1].bbox


def test_a_line_under_a_grey_title_a_fax_dithered_is_told_from_the_dots_and_from_print():
    """On a black-and-white scan, the line under a shaded title can be lost from the rulings
    among the dots the fax made of the grey; it is still a line where one pixel row is
    inked along most of the cell, far more than the rows above it and below it."""
    from ocr.layout import _row_ruled
    from ocr.rulings import Rulings

    rng = np.random.default_rng(3)
    h, w, y = 60, 400, 30
    found = np.zeros((h, w + 200), np.uint8)
    found[y, w:] = 255  # the ruling, found in the next cell along the same edge

    def judged(ink):
        page = np.zeros((h, w + 200), np.uint8)
        page[:, :w] = ink
        return _row_ruled(Rulings(found, np.zeros_like(found)), page, y, slice(0, w), 6, broken=True)

    dots = np.where(rng.random((h, w)) < 0.12, 255, 0).astype(np.uint8)
    line = dots.copy()
    line[y, rng.random(w) < 0.8] = 255  # a fax's broken line among the dots
    assert judged(line)
    assert not judged(dots)  # the dots alone
    shifted = dots.copy()
    shifted[y + 5, rng.random(w) < 0.8] = 255
    assert not judged(shifted)  # not where the ruling runs beside it: print, not the line
    assert not _row_ruled(Rulings(found, np.zeros_like(found)), np.pad(line, ((0, 0), (0, 200))), y,
                          slice(0, w), 6, broken=False)  # a grey scan keeps its rulings whole
    letters = np.zeros((h, w), np.uint8)  # a row of capitals standing on the edge: strokes above only
    for x in range(0, w, 24):  # "HOUNO": two stems a letter, a bar along the foot
        letters[y - 16:y + 1, x:x + 4] = 255
        letters[y - 16:y + 1, x + 12:x + 16] = 255
        letters[y - 1:y + 1, x:x + 16] = 255
    assert not judged(letters)
    through = line.copy()  # print running through it: a title centred on the edge
    for x in range(0, w, 12):
        through[y - 12:y + 12, x:x + 3] = 255
    assert not judged(through)


def test_the_levels_of_a_grey_header_a_fax_dithered_are_kept():
    """The dots a fax makes of a grey header are no print that the header's rulings cut
    through: its three levels stay rows."""
    img, geom = render_progress(sample_rows(3))
    ys, xs = geom["row_edges"], geom["col_edges"]
    shaded = img.copy()
    band = shaded[ys[0]:ys[3], xs[0]:xs[-1]]
    band[(np.random.default_rng(7).random(band.shape) < 0.12) & (band > 128)] = 0
    grid = find_grid(np.where(shaded < 128, 0, 255).astype(np.uint8), dithered=True)
    assert grid is not None and len(grid.row_edges) == len(ys)
    assert all(abs(a - b) <= 5 for a, b in zip(grid.row_edges, ys))


@pytest.mark.parametrize("density", [0.03, 0.06])
def test_a_title_over_columns_in_a_grey_header_a_fax_dithered_stays_whole(drawn, density):
    """The dots a fax makes of a grey header ink a column edge under a title as much as the
    paper beside it: no column line is drawn there, PERIODO keeps its eight columns."""
    img, geom = drawn
    ys, xs = geom["row_edges"], geom["col_edges"]
    shaded = img.copy()
    band = shaded[ys[0]:ys[3], xs[0]:xs[-1]]
    band[(np.random.default_rng(11).random(band.shape) < density) & (band > 128)] = 0
    grid = find_grid(np.where(shaded < 128, 0, 255).astype(np.uint8), dithered=True)
    assert grid is not None
    spans = _spans(grid)
    assert [spans.get((r, 4)) for r in range(3)] == [(1, 8), (1, 2), (1, 1)]


def _blurred_code(text: str) -> tuple[np.ndarray, object]:
    from ocr.codes import _measure

    img = cv2.GaussianBlur(_code_image(text), (0, 0), 2.0)
    return img, _measure(img, [])[1]


def test_a_digit_the_readings_dispute_is_told_by_the_pages_own_digits():
    """A blurred 6 read "8" by one reading: the digits the page's readings agree on are
    its templates, and the disputed digit looks like the page's 6s, not its 8s."""
    from ocr.codes import GLYPH_LEAD, _by_glyphs, _templates

    sure = [(*_blurred_code(t), t, t) for t in ("2.4.6", "8.6.1", "6.8.3", "3.8.2")]
    templates = _templates(sure)
    assert {"6", "8"} <= set(templates)
    for printed, misread in (("2.4.6", "2.4.8"), ("2.4.8", "2.4.6")):
        crop, ink = _blurred_code(printed)
        for options in ([misread, printed], [printed, misread]):
            text, lead = _by_glyphs(crop, ink, options, templates)
            assert text == printed and lead >= GLYPH_LEAD


def test_a_digit_in_dispute_never_teaches_its_own_shape():
    from ocr.codes import _by_glyphs, _templates

    crop, ink = _blurred_code("2.4.6")
    templates = _templates([(crop, ink, "2.4.8", "2.4.6")] * 3)  # the vote and the first pass differ
    assert set(templates) == {"2", "4"}
    assert _by_glyphs(crop, ink, ["2.4.8", "2.4.6"], templates) is None  # no 6 nor 8 to compare with


def test_a_header_code_two_readings_read_otherwise_takes_theirs_for_review():
    """A first pass's well-formed "2.6.5" where the print says "2.6.6": the code reader's two
    readings agree on the printed digits; theirs is taken, and sent to a reviewer."""
    from ocr.read import DISPUTED_CAP

    fixed, name = _header_code_read("2.6.6", "2.6.5", 0.93)
    assert fixed.words[0].text == "2.6.6" and fixed.words[0].confidence <= DISPUTED_CAP
    assert fixed.text == "2.6.6 MESURA" and fixed.words[1] == name


def test_the_header_code_reader_learns_the_digits_of_the_tables_sure_cells():
    from ocr.cells import sure_cells
    from ocr.types import Cell, Grid

    texts = [("1,250", 0.99), ("4.6.1, 4.6.2", 0.9), ("25%", 0.97), ("1,250", 0.6), ("NOMINA", 0.99), ("", 0.0)]
    cells = tuple(Cell(0, j, 1, 1, BBox(100 * j, 0, 100 * j + 90, 60), OcrText(t, c, None))
                  for j, (t, c) in enumerate(texts))
    grid = Grid(BBox(0, 0, 600, 60), (0, 60), tuple(range(0, 700, 100)), cells)
    got = sure_cells(grid, margin=5, pattern=r"\d+(\.\d+)+")
    assert [t for _, t in got] == ["1,250", "4.6.1, 4.6.2", "25%"]
    assert got[0][0] == BBox(5, 5, 85, 55)  # the cell's interior: its rulings left out


def test_a_specks_mark_beside_a_number_is_no_part_of_it(monkeypatch):
    """A fax's speck beside a number is read as a word of its own ("32 ."): the number is
    judged without it, as the ink shows it. Ill formed, it was kept with its mark where the
    re-reads found nothing (as a fax's digit re-reads often do: made so here)."""
    import ocr.cells
    from PIL import Image, ImageDraw, ImageFont

    from ocr._exec.tesseract import Word
    from ocr.cells import read_table
    from ocr.testing import FONT
    from ocr.types import Cell, Grid

    font = ImageFont.truetype(FONT, 30)
    printed = ["32", "145", "2,500", "17", "608"]
    read = [["32", "."], ["'", "145"], ["2,500"], ["17"], ["608"]]
    img = Image.new("L", (200, 60 * len(printed)), 255)
    draw = ImageDraw.Draw(img)
    cells, per_cell = [], []
    for r, (text, words) in enumerate(zip(printed, read)):
        box = BBox(0, 60 * r, 200, 60 * (r + 1))
        x0, y0, x1, y1 = draw.textbbox((40, 60 * r + 12), text, font=font)
        draw.text((40, 60 * r + 12), text, font=font, fill=0)
        ws = []
        for w in words:  # a mark's word sits just beside the number
            if w == text:
                ws.append(Word(w, 95.0, x0, y0, x1, y1, 1, 1, 1))
            elif w == ".":
                ws.append(Word(w, 60.0, x1 + 8, y1 - 4, x1 + 11, y1, 1, 1, 1))
            else:
                ws.append(Word(w, 60.0, x0 - 12, y0, x0 - 9, y0 + 5, 1, 1, 1))
        cells.append(Cell(r, 0, 1, 1, box, OcrText(" ".join(words), 0.0, box)))
        per_cell.append(ws)
    grid = Grid(BBox(0, 0, 200, 60 * len(printed)), tuple(range(0, 60 * len(printed) + 1, 60)), (0, 200),
                tuple(cells))
    monkeypatch.setattr(ocr.cells, "mosaic_read", lambda image, boxes, **kw: [OcrText("", 0.0, None) for _ in boxes])
    got = read_table(np.asarray(img), grid, per_cell, numeric_cols={0})
    assert [c.text.text for c in got.cells] == printed


def test_two_readings_agreeing_outvote_a_kept_reading_no_other_shares():
    """A blurred 9 read as a 0 at one scale ("3,504") with a high enough confidence to be
    kept: two other readings agreeing on "3,594" outvote it, unsure. A tie, or a majority
    the ink contradicts where the kept reading fits it, leaves the kept reading."""
    from ocr.numbers import OUTVOTED, OUTVOTED_FIT, Reading, outvote

    def r(text, conf=0.7, fits=True):
        return Reading(OcrText(text, conf), fits, True)

    kept = r("3,504", 0.8)
    got = outvote(kept, [kept, r("3,594", 0.5), r("3594", 0.9)])
    assert got.text == "3594" and got.confidence == OUTVOTED_FIT
    assert outvote(kept, [kept, r("3,594")]).text == "3,504"  # one against one
    assert outvote(kept, [kept, r("3,504"), r("3,594"), r("3,594")]).text == "3,504"  # two against two
    against_ink = [kept, r("3,594", fits=False), r("3,594", fits=False)]
    assert outvote(kept, against_ink).text == "3,504"
    unfit = Reading(OcrText("20289", 0.68), False, True)  # a comma the ink counts, lost by all
    got = outvote(unfit, [unfit, r("20389", 0.0, fits=False), r("20389", 0.0, fits=False)])
    assert got.text == "20389" and got.confidence == OUTVOTED
    garbled = Reading(OcrText("2.0389", 0.9), False, False)
    assert outvote(unfit, [unfit, garbled, garbled]).text == "20289"  # ill-formed readings have no vote


def _one_column_table(printed: list[str], first: str, fill: int = 0):
    """A table of one column of numbers, the first row's print read "first" (``fill``: its
    gray) and the others as printed: the image, its grid and the first pass's words."""
    from PIL import Image, ImageDraw, ImageFont

    from ocr._exec.tesseract import Word
    from ocr.testing import FONT
    from ocr.types import Cell, Grid

    font = ImageFont.truetype(FONT, 30)
    img = Image.new("L", (200, 60 * len(printed)), 255)
    draw = ImageDraw.Draw(img)
    cells, per_cell = [], []
    for r, text in enumerate(printed):
        box = BBox(0, 60 * r, 200, 60 * (r + 1))
        x0, y0, x1, y1 = draw.textbbox((40, 60 * r + 12), text, font=font)
        draw.text((40, 60 * r + 12), text, font=font, fill=fill if r == 0 else 0)
        read = first if r == 0 else text
        per_cell.append([Word(read, 80.0 if r == 0 else 96.0, x0, y0, x1, y1, 1, 1, 1)])
        cells.append(Cell(r, 0, 1, 1, box, OcrText(read, 0.0, box)))
    grid = Grid(BBox(0, 0, 200, 60 * len(printed)), tuple(range(0, 60 * len(printed) + 1, 60)), (0, 200),
                tuple(cells))
    return np.asarray(img), grid, per_cell


def test_a_number_two_readings_dispute_is_read_a_third_time_and_the_majority_kept(monkeypatch):
    """On faint print, the first pass read "3,504" and the digit re-read "3,594", less
    surely: the cell is read once more at another scale, and the two readings that agree
    are kept, unsure. Elsewhere the surer reading is kept, unsure too."""
    import ocr.cells
    from ocr.cells import ReadSettings, read_table

    printed = ["3,594", "145", "2,500", "17", "608"]
    img, grid, per_cell = _one_column_table(printed, "3,504")
    calls = []

    def reread(image, boxes, **kw):  # every re-read sees the print, less surely than the first pass
        calls.append(list(boxes))
        return [OcrText(printed[b.y0 // 60], 0.6, b) for b in boxes]

    monkeypatch.setattr(ocr.cells, "mosaic_read", reread)
    got = read_table(img, grid, per_cell, numeric_cols={0}, settings=ReadSettings(outvote=True))
    assert [c.text.text for c in got.cells] == printed
    assert got.cells[0].text.confidence < 0.95
    assert any(len(c) == 1 and c[0].y0 < 60 for c in calls[2:])  # the disputed cell read a third time
    calls.clear()
    kept = read_table(img, grid, per_cell, numeric_cols={0})  # crisp print: no third reading
    assert kept.cells[0].text.text == "3,504" and kept.cells[0].text.confidence < 0.95


def test_every_reading_of_a_number_votes_once_the_last_one_is_in(monkeypatch):
    """On faint print too pale for its width to be measured, four readings of "26,333" all
    differ ("26,33", "26,333", "2633", "263"): no majority, the kept one stands. The last
    reading, larger, reads "26,333" again: with it, every reading votes once more, and
    the two that agree are kept, unsure."""
    import ocr.cells
    from ocr.cells import ReadSettings, read_table

    printed = ["26,333", "145", "2,500", "17", "608"]
    img, grid, per_cell = _one_column_table(printed, "26,33", fill=190)  # too pale to measure
    # the digit re-read, the free one, the third at another scale, the last one larger
    script = [("26,333", 0.6), ("2633", 0.7), ("263", 0.6), ("26,333", 0.6)]
    calls = []

    def reread(image, boxes, **kw):
        if not boxes:
            return []
        text, conf = script[len(calls)]
        calls.append(list(boxes))
        return [OcrText(text if b.y0 < 60 else printed[b.y0 // 60], conf, b) for b in boxes]

    monkeypatch.setattr(ocr.cells, "mosaic_read", reread)
    got = read_table(img, grid, per_cell, numeric_cols={0}, settings=ReadSettings(outvote=True))
    assert len(calls) == 4  # every reading in the script was asked for
    assert got.cells[0].text.text == "26,333"
    assert got.cells[0].text.confidence <= 0.6  # two readings against three: for review
    assert [c.text.text for c in got.cells[1:]] == printed[1:]


def test_a_columns_percent_read_as_a_digit_or_lost_is_put_back_where_the_ink_fits():
    """A "%" read as a 4, or lost, in a column that prints "%": put back where exactly one
    of the two readings ("25%", "254%") fits the ink's width."""
    from ocr.cells import _with_percent
    from ocr.numbers import units

    adv = 15.0

    def read(text, printed, percent=True):
        return _with_percent(OcrText(text, 0.7, None), units(printed) * adv, adv, percent).text

    assert read("254", "25%") == "25%"  # "%" read as a 4
    assert read("25", "25%") == "25%"  # "%" lost
    assert read("254", "254%") == "254%"
    assert read("254", "25%", percent=None) == "254"  # a column not known to print "%"
    assert read("25%", "25%") == "25%" and read("2S4", "25%") == "2S4"


def test_a_black_and_white_scan_is_told_from_grey_print_on_pure_white_paper():
    """A fax or a 1-bit TIFF has its print pure black; a page rendered from text (a
    born-digital PDF) or scanned with the background suppressed has pure white paper too,
    but grey edges on its print: it is no black-and-white scan."""
    from ocr.read import _bilevel

    page = np.full((400, 600), 255, np.uint8)
    for y in range(60, 360, 50):
        cv2.putText(page, "2.1.1, 2.4.6  1,520  25%", (20, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2, cv2.LINE_AA)
    assert not _bilevel(page)
    assert _bilevel(np.where(page < 160, 0, 255).astype(np.uint8))
    assert not _bilevel(cv2.GaussianBlur(page, (0, 0), 1.5) // 2 + 100)  # a photo: no pure pixel at all


def test_a_page_rendered_from_text_is_vouched_for():
    """A born-digital page (pure white paper, grey-edged print) was taken for a fax and
    nothing on it was vouched for (every confidence capped at 0.9)."""
    from ocr.read import read_page
    from samples.generate import bundled_records
    from samples.render import render_page

    image = np.array(render_page(bundled_records()[0], seed=0).convert("L"))
    _, read = read_page(image, dpi=300)
    cells = [c for c in read.grid.cells if c.text.text]
    assert sum(c.text.confidence >= 0.95 for c in cells) >= 0.5 * len(cells)
