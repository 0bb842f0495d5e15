"""Draw a ground-truth record as a printed form page (300 dpi, landscape)."""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from .fonts import font
from .forms import table_spec
from .header import draw_ops, header_plan
from .marks import draw_signatures, ink_layer, signature_height
from .style import DPI, Style, fallbacks, make_style, pt
from .table import TableGeom, draw_table, plan_table
from .textutil import INK, line_height


@dataclass
class PageLayout:
    """Where things were drawn on the clean page (pixels at 300 dpi)."""
    style: Style
    size: tuple[int, int]
    header_bottom: int
    table: TableGeom
    legend_y: int | None
    signature_top: int


def _plan(record: dict, style: Style):
    W, H = style.size
    left, top, right, bottom = style.margins
    ops, y_table = header_plan(style, record, top)
    cols, body, legend = table_spec(record, style)
    bf = font(style.family, pt(style.body_pt))
    hf = font(style.family, pt(style.body_pt), bold=True)
    tplan = plan_table(cols, body, W - left - right, bf, hf, style.pad, style.min_row,
                       balance=style.balance)
    y = y_table + tplan.height
    legend_h = line_height(bf) + 30 if legend else 0
    sig_top = y + legend_h + max(60, style.sig_gap // 2)
    total = sig_top + signature_height(style, record, W - left - right) + bottom
    return dict(ops=ops, y_table=y_table, cols=cols, body=body, legend=legend,
                tplan=tplan, bf=bf, hf=hf, sig_top=sig_top, fits=total <= H, total=total)


def layout_for(record: dict, seed: int):
    """The first style variant of this seed that fits the record on one page."""
    plan = None
    for style in fallbacks(make_style(seed)):
        plan = _plan(record, style)
        if plan["fits"]:
            return style, plan
    return style, plan


def render_page_layout(record: dict, seed: int = 0) -> tuple[Image.Image, PageLayout]:
    """Render `record` and return the page with its layout geometry."""
    style, p = layout_for(record, seed)
    W, H = style.size
    H = max(H, p["total"])  # only if nothing fits: the page grows rather than clip
    left, _, right, _ = style.margins
    page = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    draw_ops(draw, p["ops"], style.seed)
    geom = draw_table(draw, left, p["y_table"], p["tplan"], p["cols"], p["body"], p["bf"],
                      p["hf"], style.pad, style.line_w, style.outer_w,
                      shade=(style.shade,) * 3 if style.shade else None)
    legend_y = None
    if p["legend"]:
        legend_y = geom.row_edges[-1] + 15
        draw.text((left, legend_y), p["legend"], font=p["hf"], fill=INK)
    anchors = draw_signatures(draw, style, record, left, p["sig_top"], W - left - right)
    page = ink_layer(page, style, record, anchors)
    page.info["dpi"] = (DPI, DPI)
    return page, PageLayout(style, (W, H), p["y_table"], geom, legend_y, p["sig_top"])


def render_page(record: dict, seed: int = 0) -> Image.Image:
    """A clean RGB page image (300 dpi) of the record, laid out by `seed`."""
    return render_page_layout(record, seed)[0]
