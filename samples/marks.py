"""Signature block, hand-drawn signatures and rubber stamps."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from .fonts import font
from .style import Style, prefix_for, pt
from .textutil import INK, line_height, wrap

ROLE_LABELS = {"elaboro": "ELABORÓ", "reviso": "REVISÓ", "autorizo": "AUTORIZÓ"}
SIG_BLUE = (25, 45, 150)
STAMP_PURPLE = (120, 50, 150)


def _fonts(style: Style):
    return (font(style.family, pt(style.head_pt), bold=True),
            font(style.family, pt(style.head_pt)))


def signature_height(style: Style, record: dict, width: int) -> int:
    bold, reg = _fonts(style)
    lh = line_height(reg)
    col_w = width // 3
    cargo_lines = max([len(wrap(s.get("cargo") or "", reg, col_w - 40))
                       for s in record.get("signatarios") or []] + [1])
    label = lh if style.sig_labels else 0
    return label + style.sig_gap + 10 + lh + cargo_lines * lh + 10


def draw_signatures(draw, style: Style, record: dict, x0: int, y0: int, width: int):
    """Print the three signature columns; returns the anchor of each signature line."""
    bold, reg = _fonts(style)
    lh = line_height(reg)
    sigs = record.get("signatarios") or []
    col_w = width // max(3, len(sigs))
    anchors = []
    for i, s in enumerate(sigs):
        cx = x0 + col_w * i + col_w // 2
        y = y0
        if style.sig_labels:
            label = ROLE_LABELS.get(s.get("rol"), "")
            draw.text((cx - bold.getlength(label) / 2, y), label, font=bold, fill=INK)
            y += lh
        y += style.sig_gap
        half = int(col_w * 0.34)
        draw.line((cx - half, y, cx + half, y), fill=INK, width=max(2, style.line_w))
        y += 10
        name = s.get("nombre") or ""
        if name:
            name = f"{prefix_for(style.seed, name)} {name}"
        draw.text((cx - bold.getlength(name) / 2, y), name, font=bold, fill=INK)
        anchors.append((cx, y0 + (lh if style.sig_labels else 0) + style.sig_gap, half))
        y += lh
        for ln in wrap(s.get("cargo") or "", reg, col_w - 40):
            draw.text((cx - reg.getlength(ln) / 2, y), ln, font=reg, fill=INK)
            y += lh
    return anchors


def scribble(draw, cx: float, cy: float, half: int, rng: np.random.Generator) -> None:
    """A looping pen stroke across (cx +- half, cy)."""
    w = half * rng.uniform(1.0, 1.6)
    n = int(rng.integers(5, 9))
    t = np.linspace(0, 1, 220)
    amp = rng.uniform(40, 90)
    freq = rng.uniform(n * 0.8, n * 1.3)
    xs = cx - w / 2 + w * t + 30 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6))
    ys = cy + amp * np.sin(2 * np.pi * freq * t * 0.5) * np.exp(-1.5 * t) \
        - 25 * t + rng.normal(0, 2, t.size).cumsum() * 0.3
    pts = list(zip(xs.tolist(), ys.tolist()))
    draw.line(pts, fill=SIG_BLUE, width=int(rng.integers(3, 6)), joint="curve")
    y_tail = cy + rng.uniform(10, 30)
    draw.line((xs[-1], ys[-1], xs[-1] + rng.uniform(60, 140), y_tail), fill=SIG_BLUE, width=3)


def _ring_text(layer: Image.Image, cx, cy, radius, text, fnt, color) -> None:
    n = max(1, len(text))
    span = min(2 * math.pi * 0.9, fnt.getlength(text) * 1.15 / radius)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        size = int(fnt.size * 1.6)
        tile = Image.new("L", (size, size), 0)
        ImageDraw.Draw(tile).text((size / 2, size / 2), ch, font=fnt, fill=255, anchor="mm")
        tile = tile.rotate(-math.degrees(a) - 90, resample=Image.BILINEAR)
        px, py = cx + radius * math.cos(a), cy + radius * math.sin(a)
        ink = Image.new("RGB", tile.size, color)
        layer.paste(ink, (int(px - size / 2), int(py - size / 2)), tile)


def stamp(layer: Image.Image, cx, cy, r, ring_text: str, center: str, style: Style,
          rng: np.random.Generator) -> None:
    d = ImageDraw.Draw(layer)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=STAMP_PURPLE, width=7)
    d.ellipse((cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72),
              outline=STAMP_PURPLE, width=4)
    fit = 2 * math.pi * r * 0.86 * 0.85 / (max(1, len(ring_text[:48])) * 0.7)
    f_ring = font(style.family, int(min(r * 0.16, fit)), bold=True)
    _ring_text(layer, cx, cy, r * 0.86, ring_text[:48], f_ring, STAMP_PURPLE)
    f_c = font(style.family, int(r * 0.22), bold=True)
    d.text((cx, cy), center, font=f_c, fill=STAMP_PURPLE, anchor="mm")


def ink_layer(page: Image.Image, style: Style, record: dict, anchors) -> Image.Image:
    """Blue signatures and (on some seeds) a purple stamp, multiplied onto the page."""
    rng = np.random.default_rng([style.seed, 0x51C])
    if not anchors:
        return page
    top = max(0, int(min(a[1] for a in anchors)) - 320)  # the marks live in this band
    band = (0, top, page.width, page.height)
    layer = Image.new("RGB", (page.width, page.height - top), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    for cx, cy, half in anchors:
        if rng.random() < 0.92:
            scribble(d, cx + rng.uniform(-60, 60), cy - top - rng.uniform(0, 40) + 30, half, rng)
    if style.stamp:
        cx, cy, half = anchors[int(rng.integers(len(anchors)))]
        r = int(rng.uniform(150, 210))
        sx, sy = cx + half + r * rng.uniform(-0.4, 0.6), cy - top
        ring = (record.get("ramo") or {}).get("name") or ""
        big = Image.new("RGB", layer.size, (255, 255, 255))
        stamp(big, sx, sy, r, ring, str(record.get("ejercicio", "")), style, rng)
        angle = rng.uniform(-25, 25)
        big = big.rotate(angle, center=(sx, sy), fillcolor=(255, 255, 255))
        layer = ImageChops.multiply(layer, big)
    page.paste(ImageChops.multiply(page.crop(band), layer), band[:2])
    return page
