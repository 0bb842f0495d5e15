"""A number cell holding one digit, read as a letter or a mark ("K" for a lone 8), told
by the page's own digits (ocr/lonedigits.py): a drawn column, the texts as a reader
misread them, no tesseract."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.codes import PageDigits
from ocr.lonedigits import LONE_CAP, judge_lone_digits
from ocr.numbers import ink_width
from ocr.testing import BOLD, number_column
from ocr.types import BBox, OcrText

ROW_H, WIDTH = 60, 220
PRINTED = ("1,285", "8", "3,480", "24", "6,890", "8", ".")


def _column():
    font = ImageFont.truetype(BOLD, 34)
    img = Image.new("L", (WIDTH, ROW_H * len(PRINTED)), 255)
    draw = ImageDraw.Draw(img)
    for r, text in enumerate(PRINTED):
        if text == ".":  # a speck, read as a mark
            draw.ellipse((60, r * ROW_H + 36, 64, r * ROW_H + 40), fill=0)
        else:
            draw.text((60, r * ROW_H + 12), text, font=font, fill=0)
    gray = np.asarray(img)
    boxes = {r: BBox(5, r * ROW_H + 5, WIDTH - 5, (r + 1) * ROW_H - 5) for r in range(len(PRINTED))}
    sure = [(boxes[r], t) for r, t in enumerate(PRINTED) if "," in t]
    height = ink_width(gray[boxes[0].y0:boxes[0].y1, boxes[0].x0:boxes[0].x1])[1]
    return gray, boxes, sure, height


def _judge(read: dict[int, str], sure_too: bool = True) -> list[OcrText]:
    gray, boxes, sure, height = _column()
    texts = [OcrText(read.get(r, t), 0.4 if r in read else 0.97, boxes[r]) for r, t in enumerate(PRINTED)]
    return judge_lone_digits(boxes, texts, digits=PageDigits(gray, sure if sure_too else [], scale=1.0),
                             height=height)


def test_a_lone_digit_read_as_a_letter_or_a_mark_is_told_by_the_pages_own_digits():
    got = _judge({1: "K", 5: "»"})
    assert [got[1].text, got[5].text] == ["8", "8"]
    assert got[1].confidence == LONE_CAP  # told by the ink alone: for review
    assert got[0].text == "1,285" and got[0].confidence == 0.97  # numbers read as such are left


def test_two_glyphs_a_speck_or_no_sure_digits_leave_the_reading_as_it_was():
    got = _judge({3: "zm", 6: "."})
    assert got[3].text == "zm"  # two glyphs: not one digit
    assert got[6].text == "."  # a speck is no digit
    assert _judge({1: "K"}, sure_too=False)[1].text == "K"  # no digit of the page's to compare with


MARKED_PRINTED = ("5,285", "8,350", "2,585", "3,858", "52", "82", "52")


def _marked(read: dict[int, str], sure_rows=range(4)):
    from ocr.lonedigits import judge_marked_numbers
    from ocr.numbers import advance, assess

    gray, boxes, ink = number_column(MARKED_PRINTED, row_h=ROW_H, width=WIDTH)
    adv = advance([(t, ink[r]) for r, t in enumerate(MARKED_PRINTED)])
    texts = [OcrText(read.get(r, t), 0.5 if r in read else 0.97, boxes[r]) for r, t in enumerate(MARKED_PRINTED)]
    digits = PageDigits(gray, [(boxes[r], MARKED_PRINTED[r]) for r in sure_rows], scale=1.0)
    return judge_marked_numbers(boxes, texts, digits=digits, assessed=lambda r, t: assess(t, ink[r], adv))


def test_a_letter_among_a_numbers_digits_is_read_as_the_page_digit_it_looks_like():
    """"s2" and "$2": the letter's glyph is told by the page's 5s and 8s, whichever the ink
    is; not by the letter read."""
    got = _marked({4: "s2", 5: "$2", 6: "$2"})
    assert [got[4].text, got[5].text, got[6].text] == ["52", "82", "52"]
    assert got[4].confidence == LONE_CAP
    assert got[0].text == "5,285" and got[0].confidence == 0.97


def test_a_letter_the_page_cannot_tell_or_a_miscounted_ink_leaves_the_reading():
    assert _marked({4: "s2"}, sure_rows=())[4].text == "s2"  # no digit of the page's to compare with
    assert _marked({4: "ss2"})[4].text == "ss2"  # three characters on two glyphs
    assert _marked({4: "sZ"})[4].text == "sZ"  # a Z may be a 2 or a 7: the page shows no 7 to compare with
