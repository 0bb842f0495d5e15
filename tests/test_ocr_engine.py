"""ocr._exec.tesseract: the in-process engine (tesserocr) reads exactly what the CLI reads."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr._exec import tesseract

pytestmark = pytest.mark.skipif(tesseract.tesserocr is None, reason="tesserocr not installed")


@pytest.fixture
def both():
    def read(fn, image, **kw):
        out = {}
        for name in ("cli", "tesserocr"):
            tesseract.use_engine(name)
            out[name] = fn(image, **kw)
        return out
    yield read
    tesseract.use_engine("auto")


def _page() -> np.ndarray:
    img = np.full((160, 900), 255, np.uint8)
    cv2.putText(img, "PROGRAMA 511 GESTION", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2, cv2.LINE_AA)
    cv2.putText(img, "1,105  846  25%", (20, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2, cv2.LINE_AA)
    return img


def test_words_are_the_same(both):
    got = both(tesseract.image_to_data, _page(), psm=6)
    assert [w.text for w in got["cli"]][:3] == ["PROGRAMA", "511", "GESTION"]
    assert got["cli"] == got["tesserocr"]  # texts, confidences, boxes, block/line numbers


def test_whitelisted_characters_are_the_same(both):
    got = both(tesseract.image_to_boxes, _page(), psm=6, whitelist="0123456789,%")
    assert "".join(g.char for g in got["cli"]).endswith("1,10584625%")
    assert got["cli"] == got["tesserocr"]


def test_engine_is_reported():
    assert tesseract.engine() == "tesserocr"
    tesseract.use_engine("cli")
    try:
        assert tesseract.engine() == "cli"
    finally:
        tesseract.use_engine("auto")


def test_a_whitelist_does_not_stick_to_the_next_call():
    page = _page()
    tesseract.image_to_data(page, psm=6, whitelist="0123456789")
    words = [w.text for w in tesseract.image_to_data(page, psm=6)]
    assert "PROGRAMA" in words
