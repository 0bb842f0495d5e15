"""Simulated scanning of a clean 300 dpi page: resolution, skew, light, noise, artefacts.

`scan_page(page, profile, rng)` returns a PIL image whose `info["dpi"]` is the
scan resolution.  Every random choice comes from the numpy Generator passed in.
"""
from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

SOURCE_DPI = 300
PROFILES = ("clean300", "office200", "photocopy", "fax150", "phone")
PAPER = 255


def _resize(a: np.ndarray, dpi: float) -> np.ndarray:
    if abs(dpi - SOURCE_DPI) < 1e-6:
        return a
    f = dpi / SOURCE_DPI
    h, w = a.shape[:2]
    return cv2.resize(a, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


def _border(a: np.ndarray):
    return (PAPER,) * (3 if a.ndim == 3 else 1)


def rotate(a: np.ndarray, degrees: float, fill=None) -> np.ndarray:
    """Rotate about the centre, keeping the page size (skew on the glass)."""
    h, w = a.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill or _border(a))


def perspective(a: np.ndarray, rng: np.random.Generator, frac: float, fill) -> np.ndarray:
    """A camera not quite square to the page: move each corner a little."""
    h, w = a.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-frac, frac, size=(4, 2)) * np.float32([w, h])
    dst = (src + jitter).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(a, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def light_field(shape, rng: np.random.Generator, strength: float, vignette: float = 0.0):
    """A smooth multiplicative illumination field in (0, 1]."""
    h, w = shape[:2]
    gy, gx = np.mgrid[0:1:24j, 0:1:24j]
    ang = rng.uniform(0, 2 * np.pi)
    field = np.cos(ang) * gx + np.sin(ang) * gy
    for _ in range(3):
        cx, cy, s = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.2, 0.6)
        field += rng.uniform(-0.5, 0.5) * np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / s ** 2)
    field = (field - field.min()) / max(1e-6, np.ptp(field))
    out = 1.0 - strength * field
    if vignette:
        r2 = (gx - 0.5) ** 2 + (gy - 0.5) ** 2
        out *= 1.0 - vignette * r2 / 0.5
    return cv2.resize(out.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def _apply_light(a: np.ndarray, field: np.ndarray, cast=None) -> np.ndarray:
    """Multiply by the light field (and a per-channel colour cast), in uint8."""
    f8 = np.clip(field * 255, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        return cv2.multiply(a, f8, scale=1 / 255)
    cast = np.ones(3) if cast is None else np.asarray(cast) / max(1.0, float(np.max(cast)))
    chans = [f8 if c == 1 else cv2.convertScaleAbs(f8, alpha=float(c)) for c in cast]
    return cv2.multiply(a, cv2.merge(chans), scale=1 / 255)


def noise(a: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Sensor grain: gaussian noise drawn at half resolution (fast, slightly correlated)."""
    h, w = a.shape[:2]
    small = rng.standard_normal(size=((h + 1) // 2, (w + 1) // 2), dtype=np.float32) * sigma
    n = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST).astype(np.int16)
    if a.ndim == 3:
        n = n[..., None]
    out = a.astype(np.int16)
    out += n
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def speckle(a: np.ndarray, rng: np.random.Generator, density: float, max_r: int = 2,
            value: int = 20) -> np.ndarray:
    """Toner dots: `density` dots per pixel of area, radius up to `max_r`."""
    h, w = a.shape[:2]
    n = int(h * w * density)
    mask = np.zeros((h, w), np.uint8)
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    rs = rng.integers(0, max_r + 1, n)
    for y, x, r in zip(ys.tolist(), xs.tolist(), rs.tolist()):
        cv2.circle(mask, (x, y), r, 255, -1)
    out = a.copy()
    out[mask > 0] = value
    return out


def jpeg(a: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG to get its block and ringing artefacts."""
    img = Image.fromarray(a)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert(img.mode))


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(a, (0, 0), sigma) if sigma > 0 else a


def darken_text(a: np.ndarray, px: int) -> np.ndarray:
    """Toner spread: thicker strokes (grey-level erosion)."""
    if px <= 0:
        return a
    return cv2.erode(a, np.ones((px + 1, px + 1), np.uint8))


def _clean300(a, rng):
    a = rotate(a, rng.uniform(-0.5, 0.5))
    return noise(a, rng, 2.0), 300


def _office200(a, rng):
    a = _resize(a, 200)
    a = rotate(a, rng.uniform(-1.5, 1.5))
    a = blur(a, rng.uniform(0.5, 0.8))
    a = _apply_light(a, light_field(a.shape, rng, rng.uniform(0.05, 0.12)))
    a = noise(a, rng, 3.0)
    return jpeg(a, int(rng.integers(70, 80))), 200


def _photocopy(a, rng):
    g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    g = darken_text(g, int(rng.integers(1, 3)))
    lut = (np.linspace(0, 1, 256) ** rng.uniform(1.4, 1.9) * 255).astype(np.uint8)
    g = lut[g]
    bg = rng.uniform(0.80, 0.90)
    g = cv2.convertScaleAbs(g, alpha=bg)
    g = rotate(g, rng.uniform(-2, 2), fill=(int(255 * bg * 0.6),))
    g = _apply_light(g, light_field(g.shape, rng, rng.uniform(0.1, 0.2)))
    g = speckle(g, rng, rng.uniform(2e-5, 5e-5), 2, int(rng.integers(10, 50)))
    return noise(g, rng, 6.0), 300


def _fax150(a, rng):
    g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    g = _resize(g, 150)
    g = rotate(g, rng.uniform(-1, 1))
    g = noise(g, rng, 18.0)
    h, w = g.shape
    for _ in range(int(rng.integers(4, 12))):  # horizontal streaks and drop-outs
        y, t = int(rng.integers(0, h)), int(rng.integers(1, 3))
        x0 = int(rng.integers(0, w // 2))
        x1 = int(rng.integers(x0 + w // 8, w))
        g[y:y + t, x0:x1] = 0 if rng.random() < 0.6 else 255
    g = speckle(g, rng, rng.uniform(1e-5, 3e-5), 1, 0)
    thr = int(rng.integers(140, 175))
    soft = np.clip((g.astype(np.int16) - thr) * 3 + 128, 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(soft).convert("1", dither=Image.Dither.FLOYDSTEINBERG)), 150


def _phone(a, rng):
    dpi = int(rng.integers(200, 251))
    a = _resize(a, dpi)
    fill = tuple(int(v) for v in rng.integers(40, 110, 3))
    a = rotate(a, rng.uniform(-3, 3), fill=fill)
    a = perspective(a, rng, 0.015, fill)
    a = blur(a, rng.uniform(0.8, 1.3))
    field = light_field(a.shape, rng, rng.uniform(0.25, 0.4), vignette=0.35)
    a = _apply_light(a, field, cast=rng.uniform(0.86, 1.0, 3))
    a = noise(a, rng, 5.0)
    return jpeg(a, int(rng.integers(55, 65))), dpi


SCANNERS = {"clean300": _clean300, "office200": _office200, "photocopy": _photocopy,
            "fax150": _fax150, "phone": _phone}


def scan_page(page: Image.Image, profile: str, rng: np.random.Generator,
              quarter_turns: int = 0) -> Image.Image:
    """Scan a clean 300 dpi RGB page with `profile`.

    quarter_turns: 1 = fed sideways (90 deg counter-clockwise), 2 = upside down,
    3 = sideways (270 deg).  The result carries `info["dpi"]`.
    """
    if profile not in SCANNERS:
        raise ValueError(f"unknown scan profile {profile!r}; choose from {', '.join(PROFILES)}")
    a = np.asarray(page.convert("RGB"))
    out, dpi = SCANNERS[profile](a, rng)
    if quarter_turns % 4:
        out = np.ascontiguousarray(np.rot90(out, quarter_turns % 4))
    img = Image.fromarray(out)
    if profile == "fax150":
        img = img.convert("1")
    img.info["dpi"] = (dpi, dpi)
    return img
