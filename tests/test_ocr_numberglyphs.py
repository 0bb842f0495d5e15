"""A number whose readings differ in a digit ("2,380" against "3,380"), told by the
page's own digits (ocr/cells.judge_by_page_digits): a drawn column, the readings as a
reader gave them, no tesseract."""
from __future__ import annotations


from ocr.cells import GLYPH_JUDGED, judge_by_page_digits
from ocr.codes import PageDigits
from ocr.numbers import advance, assess
from ocr.testing import number_column
from ocr.types import OcrText

ROW_H, WIDTH = 60, 240
SURE = ("3,285", "2,380", "1,523", "3,332", "2,230", "8,013")
PRINTED = (*SURE, "3,380", "2,830", "5,467")


def _column():
    return number_column(PRINTED, row_h=ROW_H, width=WIDTH)


def _judge(kept: dict[int, str], others: dict[int, list[str]], sure: tuple[str, ...] = SURE):
    gray, boxes, ink = _column()
    texts = [OcrText(kept.get(r, t), 0.6 if r in kept else 0.99, boxes[r]) for r, t in enumerate(PRINTED)]
    adv = advance([(t.text, ink[r]) for r, t in enumerate(texts)])
    seen = {r: [OcrText(t, 0.7, boxes[r]) for t in ts] for r, ts in others.items()}
    digits = PageDigits(gray, [(boxes[r], t) for r, t in enumerate(PRINTED) if t in sure], scale=1.0)
    return judge_by_page_digits({r: boxes[r] for r in others}, texts, seen, digits,
                                lambda r, t: assess(t, ink[r], adv))


def test_a_digit_two_readings_dispute_is_told_by_the_pages_own_digits():
    got = _judge({6: "2,380", 7: "3,830"}, {6: ["2,380", "3,380"], 7: ["2,830", "3,830"]})
    assert got[6].text == "3,380"  # the kept reading's 2 looks like the page's 3s
    assert got[7].text == "2,830"  # and the other way round
    assert got[6].confidence == GLYPH_JUDGED  # told by the ink: a reviewer may still look
    assert got[0].text == "3,285" and got[0].confidence == 0.99  # a number read surely is left


def test_readings_that_agree_or_a_digit_with_no_template_leave_the_number_as_read():
    assert _judge({6: "2,380"}, {6: ["2,380", "2,380"]})[6].text == "2,380"  # nothing in dispute
    # the page has no sure 4 nor 6 to compare the disputed digit with
    assert _judge({8: "5,487"}, {8: ["5,467", "5,487"]})[8].text == "5,487"
    # no sure digits at all
    assert _judge({6: "2,380"}, {6: ["3,380"]}, sure=())[6].text == "2,380"
