"""The header block of a form page: logo, titles, form code, classification, lines."""
from __future__ import annotations

import math

import numpy as np

from .fonts import font
from .style import Style, council_line, pt
from .textutil import INK, line_height, wrap

ORDINALS = {1: "PRIMER", 2: "SEGUNDO", 3: "TERCER", 4: "CUARTO"}
LABELS = (("clasificacion_administrativa", "CLASIFICACION ADMINISTRATIVA:"),
          ("ramo", "RAMO:"), ("programa", "PROGRAMA:"),
          ("unidad_ejecutora", "UNIDAD EJECUTORA:"), ("finalidad", "FINALIDAD:"),
          ("funcion", "FUNCION:"), ("subfuncion", "SUBFUNCION:"))


def form_title(record: dict) -> str:
    if record.get("report_type") == "modificacion_programatica":
        return "MODIFICACIONES PROGRAMÁTICAS"
    return f"{ORDINALS.get(record.get('trimestre'), 'PRIMER')} AVANCE PROGRAMATICO"


def _code_name_ops(x, y, width, label, item, fonts, tab):
    """Ops for one "LABEL: CODE NAME" line, wrapping the name under itself."""
    bold, reg = fonts
    lh = line_height(reg)
    ops = [("text", (x, y), label, bold)]
    cx = x + (tab if tab else bold.getlength(label) + reg.getlength(" "))
    text = f"{item['code']} {item['name']}"
    lines = wrap(text, reg, max(200, x + width - cx))
    for i, ln in enumerate(lines):
        ops.append(("text", (cx, y + i * lh), ln, reg))
    return ops, max(1, len(lines)) * lh


def _block_ops(x, y, width, record, fonts, tab, with_lines):
    ops, y0 = [], y
    for key, label in LABELS:
        if record.get(key):
            o, h = _code_name_ops(x, y, width, label, record[key], fonts, tab)
            ops += o
            y += h
    if with_lines:
        o, h = _lines_ops(x, y, width, record, fonts)
        ops += o
        y += h
    return ops, y - y0


def _lines_ops(x, y, width, record, fonts):
    bold, reg = fonts
    lh = line_height(reg)
    ops, y0 = [("text", (x, y), "LINEAS DE ACCION:", bold)], y
    y += lh
    for la in record.get("lineas_accion") or []:
        for i, ln in enumerate(wrap(f"{la['code']} {la['name']}", reg, width - 30)):
            ops.append(("text", (x + 30 + (40 if i else 0), y), ln, reg))
            y += lh
    return ops, y - y0


def header_plan(style: Style, record: dict, top: int):
    """Drawing ops for the header and the y where the table may start."""
    W, _ = style.size
    left, _, right, _ = style.margins
    rng = np.random.default_rng([style.seed, 0x4EAD])
    tf = font(style.family, pt(style.title_pt), bold=True)
    bold = font(style.family, pt(style.head_pt), bold=True)
    reg = font(style.family, pt(style.head_pt))
    logo = int(rng.integers(190, 290))
    if style.balance:  # compact layout for a long record
        logo = min(logo, 200)
    ops = [("logo", (left, top, logo), None, None)]
    if record.get("formato"):
        code = record["formato"]
        ops.append(("text", (W - right - tf.getlength(code), top), code, tf))
    y = top
    ayto = council_line(record["ayuntamiento"], style.numeral)
    for text in (ayto, f"PROGRAMA OPERATIVO ANUAL {record['ejercicio']}", form_title(record)):
        ops.append(("text", ((W - tf.getlength(text)) / 2, y), text, tf))
        y += int(line_height(tf) * 1.1)
    y = max(y, top + logo) + int(rng.integers(20, 60))
    width = W - left - right
    tab = bold.getlength("CLASIFICACION ADMINISTRATIVA:") + 25 if rng.random() < 0.5 else 0
    if style.header_side and record.get("lineas_accion"):
        split = int(width * rng.uniform(0.52, 0.6))
        o1, h1 = _block_ops(left, y, split - 40, record, (bold, reg), tab, False)
        o2, h2 = _lines_ops(left + split, y, width - split, record, (bold, reg))
        ops += o1 + o2
        y += max(h1, h2)
    else:
        o, h = _block_ops(left, y, width, record, (bold, reg), tab, True)
        ops += o
        y += h
    return ops, y + int(rng.integers(25, 60))


def draw_logo(draw, x, y, size, seed: int) -> None:
    """A simple emblem: ring, inner figure and rays, in dark ink and one colour."""
    rng = np.random.default_rng([seed, 0x1060])
    accent = tuple(int(v) for v in rng.choice([(30, 90, 160), (150, 30, 60), (20, 120, 90)]))
    r = size / 2
    cx, cy = x + r, y + r
    draw.ellipse((x, y, x + size, y + size), outline=INK, width=max(4, size // 40))
    draw.ellipse((cx - r * 0.78, cy - r * 0.78, cx + r * 0.78, cy + r * 0.78),
                 outline=accent, width=max(3, size // 60))
    for k in range(int(rng.integers(8, 16))):
        a = 2 * math.pi * k / 12
        draw.line((cx + r * 0.82 * math.cos(a), cy + r * 0.82 * math.sin(a),
                   cx + r * 0.95 * math.cos(a), cy + r * 0.95 * math.sin(a)), fill=INK, width=3)
    h = r * 0.16
    for dx in (-0.3, 0.0, 0.3):
        px = cx + dx * r
        draw.ellipse((px - h, cy - r * 0.45 - h, px + h, cy - r * 0.45 + h), fill=accent)
        draw.polygon([(px - h * 1.6, cy + r * 0.45), (px, cy - r * 0.25), (px + h * 1.6, cy + r * 0.45)],
                     fill=accent if dx else INK)


def draw_ops(draw, ops, seed: int) -> None:
    for kind, pos, text, fnt in ops:
        if kind == "logo":
            draw_logo(draw, pos[0], pos[1], pos[2], seed)
        else:
            draw.text(pos, text, font=fnt, fill=INK)
