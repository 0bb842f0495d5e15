"""Text helpers: number formatting, word wrapping, drawing text in a box."""
from __future__ import annotations

import functools

from PIL import ImageDraw, ImageFont

INK = (20, 20, 20)


def fmt_int(value: int | None) -> str:
    """`121568` -> `"121,568"`; None -> empty cell."""
    return "" if value is None else f"{value:,}"


def fmt_pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def line_height(fnt: ImageFont.FreeTypeFont, spacing: float = 1.18) -> int:
    asc, desc = fnt.getmetrics()
    return int(round((asc + desc) * spacing))


def _split_long(word: str, fnt, width: float) -> list[str]:
    parts, cur = [], ""
    for ch in word:
        if cur and fnt.getlength(cur + ch) > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    return parts + ([cur] if cur else [])


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap of `text` to lines no wider than `width` pixels."""
    if not text:
        return []
    return list(_wrap(text, fnt, int(width)))


@functools.lru_cache(maxsize=20000)
def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> tuple[str, ...]:
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split():
            trial = f"{cur} {word}" if cur else word
            if fnt.getlength(trial) <= width:
                cur = trial
                continue
            if cur:
                lines.append(cur)
            if fnt.getlength(word) <= width:
                cur = word
            else:
                *full, cur = _split_long(word, fnt, width)
                lines.extend(full)
        if cur:
            lines.append(cur)
    return tuple(lines)


def draw_in_box(draw: ImageDraw.ImageDraw, box, text: str, fnt, align: str = "left",
                valign: str = "middle", pad: int = 4, fill=INK) -> None:
    """Wrap `text` inside box (x0, y0, x1, y1) and draw it."""
    x0, y0, x1, y1 = box
    lines = wrap(text, fnt, max(1, x1 - x0 - 2 * pad))
    if not lines:
        return
    lh = line_height(fnt)
    total = lh * len(lines)
    if valign == "top":
        y = y0 + pad
    else:
        y = y0 + max(pad, (y1 - y0 - total) // 2)
    asc = fnt.getmetrics()[0]
    for ln in lines:
        w = fnt.getlength(ln)
        if align == "center":
            x = x0 + (x1 - x0 - w) / 2
        elif align == "right":
            x = x1 - pad - w
        else:
            x = x0 + pad
        draw.text((x, y + (lh - asc) // 3), ln, font=fnt, fill=fill)
        y += lh
