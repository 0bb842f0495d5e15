"""A number cell holding one digit, read as a letter or a mark ("K" for a lone 8), told
by the page's own digits (ocr/lonedigits.py): a drawn column, the texts as a reader
misread them, no tesseract."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.codes import PageDigits
from ocr.lonedigits import LONE_CAP, judge_lone_digits
from ocr.numbers import ink_width
from ocr.testing import BOLD
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
