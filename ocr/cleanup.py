"""Page cleanup: colour ink suppressed, upright (0/90/180/270), keystone undone, deskewed, flattened.

:func:`cleanup` returns the grayscale image that every later bbox refers to
and that reviewers see.
"""
from __future__ import annotations

import cv2
import numpy as np

from ocr._exec import tesseract
from ocr.geometry import background_mask, ruled_lines, warp
from ocr.types import CleanPage

_WORK_WIDTH = 1100  # pixels: measurements (orientation, skew) run on a reduced copy


def to_gray(image: np.ndarray) -> np.ndarray:
    """Grayscale; coloured ink (blue signatures, purple stamps) is removed, black print
    under and beside it kept. Paper tint is neutralised first (white balance)."""
    if image.ndim == 2:
        return image.astype(np.uint8, copy=False)
    rgb = image[:, :, :3]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = rgb[::8, ::8].reshape(-1, 3)
    paper = np.maximum(np.percentile(small, 90, axis=0), 1.0)
    chans = [cv2.convertScaleAbs(rgb[:, :, i], alpha=255.0 / paper[i]) for i in range(3)]
    hi = cv2.max(cv2.max(chans[0], chans[1]), chans[2])
    lo = cv2.min(cv2.min(chans[0], chans[1]), chans[2])
    colored = cv2.bitwise_and(cv2.threshold(cv2.subtract(hi, lo), 28, 1, cv2.THRESH_BINARY)[1],
                              cv2.threshold(hi, 60, 1, cv2.THRESH_BINARY)[1])
    if not colored.any():
        return gray
    # the blurred fringe of a stroke, but never the black print under or beside it
    fringe = cv2.bitwise_and(cv2.dilate(colored, np.ones((5, 5), np.uint8)), cv2.threshold(gray, 110, 1, cv2.THRESH_BINARY)[1])
    return _mend(gray, colored | fringe)


def _mend(gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Masked (coloured) pixels become paper, of the tone the paper round them has (pure
    white on a photo's grey paper, a signature left a bright ghost that darkened the
    names under it once the page was flattened). Black print under colour ink stays
    black on a scan (ink does not hide toner), so nothing is painted back."""
    out = gray.copy()
    out[mask > 0] = _paper(gray)[mask > 0]
    return out


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary ink mask (255 = ink) by Otsu on the page."""
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def _reduced(gray: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, _WORK_WIDTH / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return small, scale


def line_energy(mask: np.ndarray) -> tuple[float, float]:
    """Amount of long horizontal and long vertical ink (tolerant to a few degrees of skew)."""
    thick = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    n = max(mask.shape) // 25
    horiz = cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    vert = cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    return float(horiz.sum()), float(vert.sum())


def rotate_right_angle(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by 0/90/180/270."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees % 360 == 0 else cv2.rotate(image, codes[degrees % 360])


def _text_confidence(gray: np.ndarray) -> float:
    words = tesseract.image_to_data(gray, psm=6, timeout=30)
    good = [w.conf * len(w.text) for w in words if sum(c.isalnum() for c in w.text) >= 2]
    return sum(good) / max(1, sum(len(w.text) for w in words))


def upside_down(gray: np.ndarray) -> bool:
    """0 vs 180: the top band read as is (the header, when upright) against the
    bottom band turned over; the second read only happens when the first is weak."""
    h = gray.shape[0]

    def band(part: np.ndarray) -> np.ndarray:
        return cv2.resize(part, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)

    upright = _text_confidence(band(gray[: h // 4]))
    if upright >= 70:
        return False
    flipped = _text_confidence(cv2.rotate(band(gray[-(h // 4):]), cv2.ROTATE_180))
    return flipped > upright * 1.15 + 2


def find_rotation(gray: np.ndarray, *, flip: bool = True) -> int:
    """Clockwise degrees (0/90/180/270) that make the landscape form upright; with
    ``flip=False`` only 0 or 90 (whether it is upside down is left to the caller)."""
    small, _ = _reduced(gray)
    horiz, vert = line_energy(ink_mask(small))
    quarter = 0
    if vert > horiz * 1.3 or (vert * 1.3 >= horiz and gray.shape[0] > gray.shape[1]):
        quarter = 90
    if not flip:
        return quarter
    turned = rotate_right_angle(gray, quarter)
    return (quarter + (180 if upside_down(turned) else 0)) % 360


def _profile_score(mask: np.ndarray, angle: float) -> float:
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST)
    prof = rot.sum(axis=1, dtype=np.float64)
    return float((prof ** 2).sum())


def find_skew(gray: np.ndarray) -> float:
    """Skew in degrees (counter-clockwise positive, as cv2) from the horizontal rulings."""
    scale = min(1.0, 1800 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    mask = ink_mask(small)
    # keep mostly horizontal structure (rulings, text lines), drop isolated specks
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, 9), np.uint8))
    best, step = 0.0, 0.5
    candidates = np.arange(-6.0, 6.01, step)
    for _ in range(3):
        scores = [_profile_score(mask, a) for a in candidates]
        best = float(candidates[int(np.argmax(scores))])
        step /= 5
        candidates = np.arange(best - 5 * step, best + 5.01 * step, step)
    return best


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.02:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _paper(gray: np.ndarray) -> np.ndarray:
    """The paper's tone under the print, everywhere on the page (print closed over at low
    resolution, smoothed): the light falling on it, the paper's own grey."""
    small, scale = _reduced(gray)
    k = max(5, int(31 * scale * 2) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    return cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)


def flatten(gray: np.ndarray) -> np.ndarray:
    """Divide by the estimated paper background: uneven light and gray paper become white."""
    return cv2.divide(gray, np.maximum(_paper(gray), 1), scale=255)


_SPECK_AREA = 16  # pixels at 300 dpi: a fax or photocopy speck, smaller than any period
_SPECK_REACH = 10  # pixels: a period or a comma sits this close to its digits
_SPECKS_ONE_BY_ONE = 4000  # up to this many small blobs, each is looked at in its own window


def specks_of(stats: np.ndarray) -> np.ndarray:
    """Which blobs (rows of ``cv2.connectedComponentsWithStats``' stats, the background
    first) are no bigger than a speck."""
    small = ((stats[:, cv2.CC_STAT_AREA] <= _SPECK_AREA) & (stats[:, cv2.CC_STAT_WIDTH] <= 6)
             & (stats[:, cv2.CC_STAT_HEIGHT] <= 6))
    small[0] = False
    return small


def despeckle(gray: np.ndarray) -> np.ndarray:
    """Isolated specks of toner or fax noise (and halftone dots of shaded cells) become paper.

    A speck is a tiny ink blob with no larger ink within reach; periods, commas and the
    dots of codes ("4.6.1") sit right beside their digits and are kept."""
    mask = ink_mask(gray)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return gray
    small = specks_of(stats)
    if not small.any():
        return gray
    x0 = np.clip(stats[:, 0] - _SPECK_REACH, 0, gray.shape[1])
    y0 = np.clip(stats[:, 1] - _SPECK_REACH, 0, gray.shape[0])
    x1 = np.clip(stats[:, 0] + stats[:, 2] + _SPECK_REACH, 0, gray.shape[1])
    y1 = np.clip(stats[:, 1] + stats[:, 3] + _SPECK_REACH, 0, gray.shape[0])
    ids = np.flatnonzero(small)
    if len(ids) > _SPECKS_ONE_BY_ONE:
        big = ~small
        big[0] = False
        # larger ink within reach of each small blob, by an integral image of the larger ink
        sums = cv2.integral(big[labels].astype(np.uint8))
        near = (sums[y1, x1] - sums[y0, x1] - sums[y1, x0] + sums[y0, x0]) > 0
        specks = small & ~near
        if not specks.any():
            return gray
        out = gray.copy()
        halo = cv2.dilate(specks[labels].astype(np.uint8), np.ones((5, 5), np.uint8))  # the blurred rim too
        out[halo > 0] = 255
        return out
    # few small blobs (most pages): each looked at in its own window, no full-page passes
    big = mask.copy()
    for i in ids:
        x, y, w, h = stats[i, :4]
        box = big[y:y + h, x:x + w]
        box[labels[y:y + h, x:x + w] == i] = 0
    specks = [i for i in ids if not big[y0[i]:y1[i], x0[i]:x1[i]].any()]
    if not specks:
        return gray
    out = gray.copy()
    hh, ww = gray.shape
    for i in specks:  # the speck and its blurred rim (2 px) become paper
        x, y, w, h = stats[i, :4]
        ya, yb, xa, xb = max(0, y - 2), min(hh, y + h + 2), max(0, x - 2), min(ww, x + w + 2)
        own = (labels[ya:yb, xa:xb] == i).astype(np.uint8)
        out[ya:yb, xa:xb][cv2.dilate(own, np.ones((5, 5), np.uint8)) > 0] = 255
    return out


def cleanup(image: np.ndarray, *, rotation: int | None = None, flip: bool = True) -> CleanPage:
    """Upright, deskewed, flattened grayscale page (colour ink suppressed first).

    ``rotation`` forces the clockwise right-angle turn (skips detection); ``flip=False``
    detects only a quarter turn (the caller decides 0 or 180 from the layout). A photographed
    page (dark slivers of desk at the frame's edge, ruled lines converging) is
    straightened by a homography before the residual skew is measured.
    """
    back = background_mask(image)
    if back is not None:
        image = image.copy()
        image[back > 0] = 255
    gray = to_gray(image)
    gray = flatten(gray)
    rot = find_rotation(gray, flip=flip) if rotation is None else rotation % 360
    gray = rotate_right_angle(gray, rot)
    lines = ruled_lines(gray)
    if lines.homography is not None:
        gray = warp(gray, lines.homography)
    # the rulings' own angle when there are enough of them (precise and cheap), else the
    # angle that sharpens the rows of ink most
    skew = lines.skew if lines.skew is not None else find_skew(gray)
    gray = deskew(gray, skew)
    return CleanPage(image=gray, rotation=rot, skew=skew)
