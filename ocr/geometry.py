"""Page geometry of photographed pages: background slivers whitened, keystone undone.

A phone photo is taken with the camera not quite square to the sheet: ruled
lines that are parallel on paper converge (keystone), so no single rotation
makes them all horizontal and the long-kernel morphology of :mod:`ocr.layout`
breaks them. Here the long ruled lines are found on a reduced copy, each
fitted as a straight line; the horizontal ones meet at one vanishing point and
the vertical ones at another. The homography that sends both vanishing
points back to infinity, along the x and y axes, straightens every ruling at
once (and removes the skew). Pages whose lines are already parallel (flatbed
scans) are left for :func:`ocr.cleanup.find_skew`, which is more precise.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_WORK = 2000  # pixels: lines are found on a copy this wide
_MIN_KEYSTONE = 0.25  # degrees of convergence or shear worth a warp (flatbed scans measure < 0.2)


def background_mask(image: np.ndarray) -> np.ndarray | None:
    """Dark slivers of desk or scanner lid along the frame's edge (255), or None.

    A sliver is darker than the paper near it, touches the frame and runs along it (or
    is a large dark area, a desk); a ruling that runs off the frame is across it and kept.
    Found on luminance before colour handling (a coloured desk is not ink)."""
    lum = cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    scale = min(1.0, 2000 / max(lum.shape))
    small = cv2.resize(lum, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    k = max(15, max(h, w) // 6) | 1
    paper = cv2.blur(cv2.dilate(small, np.ones((k, k), np.uint8)), (k, k)).astype(np.float32)
    dark = (small.astype(np.float32) < 0.6 * paper).astype(np.uint8)  # paper in shade is not this dark
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh = stats[i, :4]
        along_rows = (y == 0 or y + bh == h) and bw >= 3 * bh  # a wedge along the top/bottom edge
        along_cols = (x == 0 or x + bw == w) and bh >= 3 * bw
        desk = (x == 0 or y == 0 or x + bw == w or y + bh == h) and stats[i, cv2.CC_STAT_AREA] >= 0.02 * h * w
        keep[i] = along_rows or along_cols or desk  # a ruling running off the frame is across it: kept
    if not keep.any():
        return None
    out = keep[labels].astype(np.uint8) * 255
    out = cv2.dilate(out, np.ones((3, 3), np.uint8))
    return cv2.resize(out, (lum.shape[1], lum.shape[0]), interpolation=cv2.INTER_NEAREST)


Segment = tuple[np.ndarray, float, np.ndarray]  # homogeneous line, length, centroid


def _segments(mask: np.ndarray, horizontal: bool, min_len: float) -> list[Segment]:
    """Long straight ink lines of one direction, each fitted to its pixels."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    size = mask.shape[0] if horizontal else mask.shape[1]
    out = []
    for i in range(1, n):
        x, y, bw, bh = stats[i, :4]
        length, across = (bw, bh) if horizontal else (bh, bw)
        if length < min_len or across > 0.08 * length + 6:
            continue
        mid = y + bh / 2 if horizontal else x + bw / 2
        if mid < 0.02 * size or mid > 0.98 * size:
            continue  # the frame's own edge (a sliver of background), not a ruling
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        vx, vy, px, py = cv2.fitLine(pts, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        line = np.cross([px, py, 1.0], [px + vx, py + vy, 1.0])
        line = line / np.linalg.norm(line[:2])
        if line[1 if horizontal else 0] < 0:  # one sign per family: the normal points down / right
            line = -line
        out.append((line, float(length), np.array([px, py])))
    return out


def _off_angle(seg: Segment, v: np.ndarray) -> float:
    """Degrees between a segment and the line from its centroid to the point ``v``."""
    line, _, (cx, cy) = seg
    to_v = np.array([v[0] - cx * v[2], v[1] - cy * v[2]])
    along = np.array([line[1], -line[0]])
    cos = abs(float(to_v @ along)) / max(1e-12, float(np.linalg.norm(to_v)))
    return float(np.degrees(np.arccos(min(1.0, cos))))


def _tolerance(seg: Segment) -> float:
    """Degrees a segment may be off a vanishing point and still be one of its lines
    (a short segment's own direction is less precise)."""
    return max(0.05, 8.0 / seg[1])


def _vanishing(segs: list[Segment], norm: np.ndarray) -> tuple[np.ndarray, list[Segment]] | None:
    """The point the ruled lines meet at (homogeneous, pixels) and the lines that do.

    Candidates are the crossings of pairs of the longest segments; the one that most
    line length passes near wins (fax streaks and underlines, straight but at another
    angle, are left out), then it is refitted by weighted least squares on its lines."""
    if len(segs) < 3:
        return None
    longest = sorted(segs, key=lambda sg: -sg[1])[:12]
    best, best_score = None, 0.0
    for i in range(len(longest)):
        for j in range(i + 1, len(longest)):
            v = np.cross(longest[i][0], longest[j][0])
            if not np.any(v):
                continue
            score = sum(sg[1] for sg in segs if _off_angle(sg, v) <= _tolerance(sg))
            if score > best_score:
                best, best_score = v, score
    if best is None:
        return None
    inliers = [sg for sg in segs if _off_angle(sg, best) <= _tolerance(sg)]
    if len(inliers) < 3:
        return None
    inv = np.linalg.inv(norm)
    ls = np.array([inv.T @ ln for ln, _, _ in inliers])  # normalised coordinates: well conditioned
    ls /= np.linalg.norm(ls[:, :2], axis=1, keepdims=True)
    wts = np.sqrt(np.array([length for _, length, _ in inliers]))
    _, _, vt = np.linalg.svd(ls * wts[:, None])
    return inv @ vt[-1], inliers


def _convergence(v: np.ndarray, segs: list[Segment], horizontal: bool) -> float:
    """Degrees between the lines through ``v`` at the two extreme inlier segments."""
    key = (lambda sg: sg[2][1]) if horizontal else (lambda sg: sg[2][0])

    def angle(sg: Segment) -> float:
        cx, cy = sg[2]
        d = np.array([v[0] - cx * v[2], v[1] - cy * v[2]])
        return float(np.degrees(np.arctan2(d[1], d[0]) if horizontal else np.arctan2(d[0], d[1])))

    diff = abs(angle(min(segs, key=key)) - angle(max(segs, key=key))) % 180
    return min(diff, 180 - diff)


def _shear(vh: np.ndarray, vv: np.ndarray, at: tuple[float, float]) -> float:
    """Degrees by which the two families of lines are not perpendicular at ``at``."""
    cx, cy = at
    dh = np.array([vh[0] - cx * vh[2], vh[1] - cy * vh[2]])
    dv = np.array([vv[0] - cx * vv[2], vv[1] - cy * vv[2]])
    cos = abs(float(dh @ dv)) / max(1e-12, float(np.linalg.norm(dh) * np.linalg.norm(dv)))
    return float(np.degrees(np.arcsin(min(1.0, cos))))


def _line_masks(small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical line pixels; thin dark lines by local contrast, so faint
    grey rulings count as well as black ones."""
    dark = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, np.ones((7, 7), np.uint8))
    ink = cv2.threshold(dark, 28, 255, cv2.THRESH_BINARY)[1]
    ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))
    k = max(21, small.shape[1] // 60)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    return horiz, vert


@dataclass(frozen=True)
class RuledLines:
    """What the page's long ruled lines say of its geometry."""

    homography: np.ndarray | None  # undoes a keystone (None: the lines are parallel already)
    skew: float | None  # degrees (counter-clockwise positive, as cv2) of the horizontal rulings


LEVEL = 0.02  # degrees: a line this close to the scan's rows is level with them
STREAK_TURN = 0.2  # degrees the rulings turn (both ways) beyond which level lines are the scan's


def _tilt(seg: Segment, horizontal: bool) -> float:
    """Degrees a segment turns from its axis (counter-clockwise positive, as cv2), the
    same for a horizontal and a vertical line of one page turned."""
    a, b = seg[0][0], seg[0][1]
    return float(np.degrees(np.arctan2(-a, b) if horizontal else np.arctan2(b, a)))


def _weighted_median(values: list[float], weights: list[float]) -> float:
    order = np.argsort(values)
    cum = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(values)[order][np.searchsorted(cum, cum[-1] / 2)])


def _without_level_streaks(hs: list[Segment], vs: list[Segment]) -> list[Segment]:
    """The horizontal lines less those level with the scan's rows where the page's are
    turned (by :data:`STREAK_TURN` at least, the vertical rulings and the other horizontal
    ones agreeing within it): a fax's or a scanner's streaks run along its rows, the
    paper's rulings turned with the paper. Left in, they outweigh the rulings (a fax
    draws them solid, its dithered rulings break), and the two directions seem sheared."""
    if not vs:
        return hs
    tilts = [_tilt(sg, True) for sg in hs]
    turned = [(sg, t) for sg, t in zip(hs, tilts) if abs(t) >= LEVEL]
    if not turned or len(turned) == len(hs):
        return hs
    v = _weighted_median([_tilt(sg, False) for sg in vs], [sg[1] for sg in vs])
    h = _weighted_median([t for _, t in turned], [sg[1] for sg, _ in turned])
    return [sg for sg, _ in turned] if abs(v) >= STREAK_TURN and abs(h - v) < STREAK_TURN else hs


def _skew(segs: list[Segment]) -> float:
    """Length-weighted median angle of the horizontal rulings, in degrees."""
    return _weighted_median([_tilt(sg, True) for sg in segs], [sg[1] for sg in segs])


def ruled_lines(gray: np.ndarray) -> RuledLines:
    """The homography that makes the page's ruled lines parallel to the axes (None when
    they already are parallel to each other) and the rulings' skew (None when too few
    long lines were found to tell)."""
    scale = min(1.0, _WORK / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    horiz, vert = _line_masks(small)
    s = 2.0 / max(h, w)
    norm = np.array([[s, 0, -s * w / 2], [0, s, -s * h / 2], [0, 0, 1]])
    vs = _segments(vert, False, 0.08 * h)
    fh = _vanishing(_without_level_streaks(_segments(horiz, True, 0.12 * w), vs), norm)
    fv = _vanishing(vs, norm)
    if fh is None:
        return RuledLines(None, None)
    skew = _skew(fh[1])
    if fv is None:
        return RuledLines(None, skew)
    (vh, hs), (vv, vs) = fh, fv
    bent = max(_convergence(vh, hs, True), _convergence(vv, vs, False), _shear(vh, vv, (w / 2, h / 2)))
    if bent < _MIN_KEYSTONE:
        return RuledLines(None, skew)  # a plain rotation at most
    horizon = np.cross(norm @ vh, norm @ vv)  # in normalised coordinates (well conditioned)
    if abs(horizon[2]) < 1e-12:
        return RuledLines(None, skew)
    p = np.array([[1, 0, 0], [0, 1, 0], horizon / horizon[2]])  # vanishing points to infinity
    dh, dv = (p @ norm @ vh)[:2], (p @ norm @ vv)[:2]
    dh = dh / np.linalg.norm(dh) * (1 if dh[0] > 0 else -1)
    dv = dv / np.linalg.norm(dv) * (1 if dv[1] > 0 else -1)
    a = np.eye(3)
    a[:2, :2] = np.linalg.inv(np.stack([dh, dv], axis=1))  # their directions to the axes
    full = norm @ np.diag([scale, scale, 1.0])
    return RuledLines(np.linalg.inv(full) @ (a @ p) @ full, None)


def keystone(gray: np.ndarray) -> np.ndarray | None:
    """The homography of :func:`ruled_lines` alone."""
    return ruled_lines(gray).homography


def warp(gray: np.ndarray, homography: np.ndarray) -> np.ndarray:
    """The page through ``homography``, recentred and scaled to keep the page's size."""
    h, w = gray.shape
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    centre = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2]]]), homography).reshape(2)
    sx = w / max(1.0, float(np.linalg.norm(moved[1] - moved[0]) + np.linalg.norm(moved[2] - moved[3])) / 2)
    sy = h / max(1.0, float(np.linalg.norm(moved[3] - moved[0]) + np.linalg.norm(moved[2] - moved[1])) / 2)
    k = (sx + sy) / 2
    fit = np.array([[k, 0, w / 2 - k * centre[0]], [0, k, h / 2 - k * centre[1]], [0, 0, 1]])
    return cv2.warpPerspective(gray, fit @ homography, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)
