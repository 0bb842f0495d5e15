"""ocr.cleanup on small synthetic pages: orientation, deskew, colour ink."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.cleanup import cleanup, find_rotation, find_skew, rotate_right_angle, to_gray
from ocr.testing import render_progress, sample_rows


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    img, _ = render_progress(sample_rows(3))
    return img


def _rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=255)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_rotated_page_is_put_upright(page, turn):
    scanned = rotate_right_angle(page, (360 - turn) % 360)  # turned anticlockwise by `turn`
    assert find_rotation(scanned) == turn
    upright = cleanup(scanned)
    assert upright.rotation == turn
    assert upright.image.shape == page.shape


def test_upright_page_stays(page):
    assert find_rotation(page) == 0


@pytest.mark.parametrize("angle", [-2.4, -0.7, 0.35, 1.8])
def test_skewed_page_is_deskewed(page, angle):
    skewed = _rotate(page, angle)
    found = find_skew(skewed)
    assert abs(found + angle) < 0.1  # the correction undoes the skew
    residual = find_skew(cleanup(skewed, rotation=0).image)
    assert abs(residual) < 0.2


def test_colour_ink_is_removed_but_black_print_kept():
    rgb = np.full((200, 600, 3), 255, np.uint8)
    cv2.putText(rgb, "ACOSTA", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 0), 5)
    pts = np.array([[20, 150], [150, 60], [300, 140], [450, 50], [580, 130]], np.int32)
    cv2.polylines(rgb, [pts], False, (150, 45, 25), 6)  # blue pen (RGB)
    cv2.circle(rgb, (480, 100), 70, (150, 50, 120), 5)  # purple stamp ring
    gray = to_gray(rgb)
    # the stroke is gone where it ran over paper...
    assert gray[60:70, 145:155].min() > 200
    assert gray[30, 480] > 200
    # ...and the black letters are still there
    assert (gray[70:125, 40:400] < 100).sum() > 1500


def test_colour_ink_on_grey_paper_leaves_no_ghost_once_the_page_is_flattened():
    """On a photo's grey paper the ink removed becomes paper of that grey: painted pure
    white, a signature left a bright ghost, and flattening the page darkened the name
    under it as if the paper there were in shadow."""
    from ocr.cleanup import flatten

    rgb = np.full((300, 900, 3), 170, np.uint8)  # paper in poor light
    cv2.putText(rgb, "RAMONA MARTINEZ", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 3)
    for k in range(12):  # a dense blue scribble over the name
        pts = np.array([[30 + 70 * k, 260], [70 + 70 * k, 120], [100 + 70 * k, 250]], np.int32)
        cv2.polylines(rgb, [pts], False, (60, 60, 150), 9)
    flat = flatten(to_gray(rgb))
    letters = np.zeros(flat.shape, bool)
    cv2.putText(letters.view(np.uint8), "RAMONA MARTINEZ", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 1, 3)
    around = cv2.dilate(letters.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~cv2.dilate(
        letters.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert np.median(flat[around]) > 235  # the paper round the letters white, as elsewhere
    assert np.median(flat[letters]) < 80  # the letters themselves dark
