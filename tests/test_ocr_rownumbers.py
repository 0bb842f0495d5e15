"""Row numbers read as look-alike letters ("MA" for M4) judged by the page's own digits
(ocr/rownumbers.py): a drawn table, the words as a reader misread them, no tesseract."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr._exec.tesseract import Word
from ocr.codes import PageDigits
from ocr.rownumbers import NUMBER_CAP, judge_row_numbers
from ocr.testing import BOLD
from ocr.types import BBox, Cell, Grid, OcrText

COLS = (0, 420, 560, 700)
ROW_H = 60
# what is printed: a description column opening with row numbers, two columns of numbers
PRINTED = (("DESCRIPCION", "META", "AVANCE"),
           ("M4 FOMENTAR", "1234", "7890"),
           ("101 REVISAR", "5678", "4321"),
           ("102 CUIDAR", "9012", "8765"),
           ("M3 GESTIONAR", "3456", "2109"))


def _table(read: dict[tuple[int, int], str]):
    """The drawn page, its grid, the first pass's words per cell and the texts: as printed
    unless ``read`` says how a cell was misread (its words keep the printed boxes)."""
    font = ImageFont.truetype(BOLD, 34)
    img = Image.new("L", (COLS[-1], ROW_H * len(PRINTED)), 255)
    draw = ImageDraw.Draw(img)
    cells, per_cell, texts = [], [], []
    for r, row in enumerate(PRINTED):
        for c, printed in enumerate(row):
            box = BBox(COLS[c], r * ROW_H, COLS[c + 1], (r + 1) * ROW_H)
            x, y = box.x0 + 12, box.y0 + 14
            draw.text((x, y), printed, font=font, fill=0)
            shown = read.get((r, c), printed)
            words, wx = [], x
            for printed_word, shown_word in zip(printed.split(), shown.split()):
                x0, y0, x1, y1 = draw.textbbox((wx, y), printed_word, font=font)
                words.append(Word(shown_word, 60.0, x0, y0, x1, y1, 1, 1, 1))
                wx = x1 + font.getlength(" ")
            cells.append(Cell(r, c, 1, 1, box, OcrText(shown, 0.85, box)))
            per_cell.append(words)
            texts.append(OcrText(shown, 0.85, box))
    grid = Grid(BBox(0, 0, COLS[-1], ROW_H * len(PRINTED)), tuple(range(0, ROW_H * len(PRINTED) + 1, ROW_H)),
                COLS, tuple(cells))
    sure = [(BBox(c.bbox.x0 + 5, c.bbox.y0 + 5, c.bbox.x1 - 5, c.bbox.y1 - 5), c.text.text)
            for c in cells if c.col > 0 and c.row > 0]
    return np.asarray(img), grid, per_cell, texts, sure


def _judge(read, numeric=(1, 2)):
    gray, grid, per_cell, texts, sure = _table(read)
    out = judge_row_numbers(grid, per_cell, texts, set(), set(numeric), 1, digits=PageDigits(gray, sure, scale=1.0))
    return {(c.row, c.col): t for c, t in zip(grid.cells, out)}


def test_a_row_numbers_digit_read_as_a_letter_is_told_by_the_pages_own_digits():
    got = _judge({(1, 0): "MA FOMENTAR", (4, 0): "MI GESTIONAR"})
    assert got[1, 0].text == "M4 FOMENTAR"
    # the letter's own digit is not assumed: the ink of a 3 read as "I" is a 3
    assert got[4, 0].text == "M3 GESTIONAR"
    assert got[1, 0].confidence <= NUMBER_CAP
    assert got[2, 0].text == "101 REVISAR" and got[2, 0].confidence == 0.85


@pytest.mark.parametrize("misread", ["10l", "10L"])
def test_a_row_numbers_one_read_as_an_l_is_told_whatever_its_case(misread):
    """"301.-" read "30L-": the 1 and its stop read as one letter, an l in either case."""
    got = _judge({(2, 0): f"{misread} REVISAR"})
    assert got[2, 0].text == "101 REVISAR" and got[2, 0].confidence <= NUMBER_CAP


def test_a_word_opening_a_column_that_holds_no_row_numbers_is_left_as_read():
    got = _judge({(1, 0): "MA FOMENTAR", (2, 0): "EL REVISAR", (3, 0): "LA CUIDAR", (4, 0): "MI GESTIONAR"})
    assert got[1, 0].text == "MA FOMENTAR" and got[4, 0].text == "MI GESTIONAR"


@pytest.mark.parametrize("misread", ["ma 34", "MA"])
def test_in_a_column_of_numbers_only_an_m_number_standing_alone_is_judged(misread):
    got = _judge({(1, 1): misread})
    assert got[1, 1].text == misread  # the ink there shows "1234", neither an M-number nor a look-alike's


def test_no_sure_digits_no_judgement():
    gray, grid, per_cell, texts, _ = _table({(1, 0): "MA FOMENTAR"})
    out = judge_row_numbers(grid, per_cell, texts, set(), {1, 2}, 1, digits=PageDigits(gray, [], scale=1.0))
    assert out[3].text == "MA FOMENTAR"
