"""Small synthetic pages for tests and for development (not used in production).

Draws a progress-report-like page: header lines, a ruled table with a
three-level header (PERIODO > quarter > P/A, merged titles) and a
three-column signature block. Returns a grayscale numpy image at 300 dpi.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"

# (title, weight, children)
PROGRESS_COLUMNS = (
    ("L/A", 1.3, ()), ("METAS Y ACCIONES", 5.0, ()), ("UNIDAD DE MEDIDA", 1.6, ()),
    ("META ANUAL", 1.1, ()),
    ("PERIODO", 0, (("Ene-Mar", ("P", "A")), ("Abr-Jun", ("P", "A")),
                    ("Jul-Sep", ("P", "A")), ("Oct-Dic", ("P", "A")))),
    ("AVANCE ABSOLUTO", 1.1, ()), ("AVANCE RELATIVO", 1.1, ()), ("OBSERVACIONES", 2.2, ()),
)
HEADER = (
    "24 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA",
    "PROGRAMA OPERATIVO ANUAL 2023",
    "PRIMER AVANCE PROGRAMATICO",
)
LABELS = (
    "CLASIFICACION ADMINISTRATIVA: 3121 ENTIDADES PARAMUNICIPALES",
    "RAMO: 52 DESARROLLO INTEGRAL DE LA FAMILIA",
    "PROGRAMA: 511 GESTION ADMINISTRATIVA",
    "UNIDAD EJECUTORA: 52102 JEFATURA DEL DEPARTAMENTO ADMINISTRATIVO",
    "FINALIDAD: 2 DESARROLLO SOCIAL",
    "FUNCION: 6 PROTECCION SOCIAL",
    "SUBFUNCION: 9 OTROS DE SEGURIDAD SOCIAL",
)
SIGNERS = (("ELABORÓ", "C.P. RAMONA MARTINEZ ACOSTA", "JEFE DE DEPTO. ADMINISTRATIVO"),
           ("REVISÓ", "LIC. PEDRO LOPEZ DIAZ", "RESPONSABLE DEL RAMO"),
           ("AUTORIZÓ", "DRA. JUANA CORNEJO ARMINIO", "DIRECTORA"))
W, H = 3300, 2550
M = 120


def _font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, px)


def _centered(draw, box, text, fnt):
    x0, y0, x1, y1 = box
    lines = _wrap(text, fnt, x1 - x0 - 10)
    lh = fnt.size + 6
    y = (y0 + y1) / 2 - lh * len(lines) / 2
    for ln in lines:
        draw.text(((x0 + x1) / 2 - fnt.getlength(ln) / 2, y), ln, font=fnt, fill=0)
        y += lh


def _wrap(text, fnt, width):
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if fnt.getlength(trial) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    return lines + ([cur] if cur else [])


def leaf_titles(columns=PROGRESS_COLUMNS) -> list[str]:
    out = []
    for title, _, children in columns:
        if not children:
            out.append(title)
        for q, subs in children:
            out.extend(f"{q} {s}" for s in subs)
    return out


def _column_edges(columns, x0, x1):
    weights = []
    for _, w, children in columns:
        weights.extend([w] if not children else [0.75] * sum(len(s) for _, s in children))
    total = sum(weights)
    edges, acc = [x0], 0.0
    for w in weights:
        acc += w
        edges.append(int(round(x0 + (x1 - x0) * acc / total)))
    return edges


def _draw_header_cells(draw, columns, xs, y0, hs, fnt, lw):
    y = [y0, y0 + hs, y0 + 2 * hs, y0 + 3 * hs]
    i = 0
    for title, _, children in columns:
        if not children:
            box = (xs[i], y[0], xs[i + 1], y[3])
            draw.rectangle(box, outline=0, width=lw)
            _centered(draw, box, title, fnt)
            i += 1
            continue
        n = sum(len(s) for _, s in children)
        draw.rectangle((xs[i], y[0], xs[i + n], y[1]), outline=0, width=lw)
        _centered(draw, (xs[i], y[0], xs[i + n], y[1]), title, fnt)
        for q, subs in children:
            draw.rectangle((xs[i], y[1], xs[i + len(subs)], y[2]), outline=0, width=lw)
            _centered(draw, (xs[i], y[1], xs[i + len(subs)], y[2]), q, fnt)
            for s in subs:
                draw.rectangle((xs[i], y[2], xs[i + 1], y[3]), outline=0, width=lw)
                _centered(draw, (xs[i], y[2], xs[i + 1], y[3]), s, fnt)
                i += 1
    return y[3]


def render_progress(rows: list[list[str]], *, columns=PROGRESS_COLUMNS, lw: int = 3,
                    signers=SIGNERS, row_h: int = 110) -> tuple[np.ndarray, dict]:
    """A page with ``rows`` (lists of leaf cell texts); returns (image, geometry)."""
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    big, small, cell = _font(40, True), _font(30), _font(30)
    y = M
    for text in HEADER:
        draw.text((W / 2 - big.getlength(text) / 2, y), text, font=big, fill=0)
        y += 55
    draw.text((W - M - small.getlength("TMM-F004"), M), "TMM-F004", font=small, fill=0)
    for text in LABELS:
        draw.text((M, y), text, font=small, fill=0)
        y += 40
    y += 20
    xs = _column_edges(columns, M, W - M)
    top = y
    y = _draw_header_cells(draw, columns, xs, y, 60, _font(26, True), lw)
    row_edges = [top, top + 60, top + 120, y]
    for row in rows:
        for j, text in enumerate(row):
            box = (xs[j], y, xs[j + 1], y + row_h)
            draw.rectangle(box, outline=0, width=lw)
            _centered(draw, box, text, cell)
        y += row_h
        row_edges.append(y)
    y += 150
    third = (W - 2 * M) / 3
    for k, lines in enumerate(signers):
        cx = M + third * (k + 0.5)
        for i, text in enumerate(lines):
            yy = y + (0 if i == 0 else 120 + 45 * i)
            draw.text((cx - small.getlength(text) / 2, yy), text, font=small, fill=0)
    return np.array(img), {"col_edges": xs, "row_edges": row_edges}


def sample_rows(n: int = 4) -> list[list[str]]:
    rows = []
    for i in range(n):
        p = [str(13 + 7 * i), "1,105", "846", "0", "1", "2,718", "5", ""]
        rows.append(["4.6.1", f"20{i + 1}.- SEGUIMIENTO AL GASTO", "NÓMINA", f"{52 + i:,}",
                     *p, p[1], "25%", ""])
    return rows


def number_column(printed, *, row_h: int = 60, width: int = 240):
    """A column of numbers printed in bold, one per row: the image, each row's box (5 px
    inside it) and each row's ink width."""
    from ocr.numbers import ink_width
    from ocr.types import BBox

    font = ImageFont.truetype(BOLD, 34)
    img = Image.new("L", (width, row_h * len(printed)), 255)
    draw = ImageDraw.Draw(img)
    for r, text in enumerate(printed):
        draw.text((60, r * row_h + 12), text, font=font, fill=0)
    gray = np.asarray(img)
    boxes = {r: BBox(5, r * row_h + 5, width - 5, (r + 1) * row_h - 5) for r in range(len(printed))}
    ink = {r: (m[0] if (m := ink_width(gray[b.y0:b.y1, b.x0:b.x1])) else None) for r, b in boxes.items()}
    return gray, boxes, ink
