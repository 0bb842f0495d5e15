"""A ruled table with a multi-level header (merged cells), measured then drawn."""
from __future__ import annotations

from dataclasses import dataclass, field

from .textutil import INK, draw_in_box, line_height, wrap


@dataclass(frozen=True)
class Col:
    """A header node: a leaf column (with `key`) or a group over `children`."""
    title: str
    key: str | None = None
    weight: float = 1.0
    align: str = "center"
    children: tuple["Col", ...] = ()
    fit_text: str = ""  # when squeezing a long table: make this text fit on one line


@dataclass(frozen=True)
class Sep:
    """A full-width body row with one merged cell (e.g. "META", "ACCION")."""
    text: str


def leaves(nodes) -> list[Col]:
    out: list[Col] = []
    for n in nodes:
        out.extend(leaves(n.children) if n.children else [n])
    return out


def depth(nodes) -> int:
    return max((1 + depth(n.children) if n.children else 1) for n in nodes)


@dataclass
class TablePlan:
    widths: list[int]
    header_heights: list[int]
    row_heights: list[int]

    @property
    def height(self) -> int:
        return sum(self.header_heights) + sum(self.row_heights)


@dataclass
class TableGeom:
    """Pixel geometry of a drawn table (page coordinates before scanning)."""
    x_edges: list[int]
    header_edges: list[int]
    row_edges: list[int]
    merged_rows: list[int] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return (self.x_edges[0], self.header_edges[0], self.x_edges[-1], self.row_edges[-1])


def _split_widths(nodes, total: int) -> list[int]:
    ws = [c.weight for c in leaves(nodes)]
    s = sum(ws)
    edges = [round(total * sum(ws[:i]) / s) for i in range(len(ws) + 1)]
    return [b - a for a, b in zip(edges, edges[1:])]


def _spans(nodes, start=0, level=0, out=None):
    """Yield (node, first_leaf, last_leaf_exclusive, level) for every node."""
    out = [] if out is None else out
    i = start
    for n in nodes:
        n_leaves = len(leaves(n.children)) if n.children else 1
        out.append((n, i, i + n_leaves, level))
        if n.children:
            _spans(n.children, i, level + 1, out)
        i += n_leaves
    return out


def _min_widths(nodes, rows, body_font, head_font, pad):
    """Per leaf: the widest unbreakable word of its title and of its cells."""
    out = []
    for col in leaves(nodes):
        words = col.title.split() + [w for r in rows if not isinstance(r, Sep)
                                     for w in r.get(col.key, "").split()[:1]]
        widest = max([head_font.getlength(w) for w in col.title.split()]
                     + [body_font.getlength(w) for w in words[len(col.title.split()):]] + [0])
        out.append(int(widest) + 2 * pad + 4)
    return out


def _enforce_min(widths, mins, donors):
    """Widen narrow columns, taking the pixels from the donor (text) columns."""
    widths = list(widths)
    for i, m in enumerate(mins):
        lack = m - widths[i]
        if lack > 0 and donors:
            widths[i] += lack
            for j in donors:
                widths[j] -= lack // len(donors) + 1
    return widths


def _rows_height(rows, keys, widths, font, pad):
    lh = line_height(font)
    total = 0
    for row in rows:
        if not isinstance(row, Sep):
            total += max(len(wrap(row.get(k, ""), font, w - 2 * pad)) for k, w in zip(keys, widths))
    return total * lh


def _balance(widths, donors, rows, keys, font, pad):
    """Share the text columns' width so that the rows come out shortest."""
    if len(donors) != 2:
        return widths
    a, b = donors
    both = widths[a] + widths[b]
    best = None
    for share in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        trial = list(widths)
        trial[a], trial[b] = int(both * share), both - int(both * share)
        h = _rows_height(rows, keys, trial, font, pad)
        if best is None or h < best[0]:
            best = (h, trial)
    return best[1]


def plan_table(nodes, rows, width: int, body_font, head_font, pad: int,
               min_row: int, balance: bool = False) -> TablePlan:
    keys = [c.key for c in leaves(nodes)]
    donors = [i for i, c in enumerate(leaves(nodes)) if c.align == "left"]
    mins = _min_widths(nodes, rows, body_font, head_font, pad)
    widths = _enforce_min(_split_widths(nodes, width), mins, donors)
    if balance:  # squeeze the number columns towards their minimum
        for i, w in enumerate(widths):
            if i not in donors:
                fit = leaves(nodes)[i].fit_text
                fit_w = body_font.getlength(fit) + 2 * pad + 4 if fit else 0
                widths[i] = max(mins[i], int(w * 0.7), int(fit_w))
    spare = width - sum(widths)
    for j in donors or [len(widths) - 1]:
        widths[j] += spare // len(donors or [0])
    widths[-1] += width - sum(widths)
    if balance:
        widths = _balance(widths, donors, rows, keys, body_font, pad)
    d = depth(nodes)
    lh_h = line_height(head_font)
    heights = [lh_h + 2 * pad] * d
    spans = _spans(nodes)
    for n, a, b, lvl in spans:
        if n.children:
            need = len(wrap(n.title, head_font, sum(widths[a:b]) - 2 * pad)) * lh_h + 2 * pad
            heights[lvl] = max(heights[lvl], need)
    for n, a, b, lvl in spans:
        if not n.children:
            need = len(wrap(n.title, head_font, sum(widths[a:b]) - 2 * pad)) * lh_h + 2 * pad
            have = sum(heights[lvl:])
            if need > have:
                heights[-1] += need - have
    lh_b = line_height(body_font)
    row_heights = []
    for row in rows:
        if isinstance(row, Sep):
            row_heights.append(lh_b + 2 * pad)
            continue
        n_lines = max(len(wrap(row.get(k, ""), body_font, w - 2 * pad)) for k, w in zip(keys, widths))
        row_heights.append(max(min_row, n_lines * lh_b + 2 * pad))
    return TablePlan(widths, heights, row_heights)


def draw_table(draw, x0: int, y0: int, plan: TablePlan, nodes, rows, body_font,
               head_font, pad: int, line_w: int, outer_w: int,
               shade=None) -> TableGeom:
    xs = [x0]
    for w in plan.widths:
        xs.append(xs[-1] + w)
    hy = [y0]
    for h in plan.header_heights:
        hy.append(hy[-1] + h)
    for n, a, b, lvl in _spans(nodes):
        box = (xs[a], hy[lvl], xs[b], hy[lvl + 1] if n.children else hy[-1])
        if shade is not None:
            draw.rectangle(box, fill=shade)
        draw.rectangle(box, outline=INK, width=line_w)
        draw_in_box(draw, box, n.title, head_font, align="center", pad=pad)
    ry = [hy[-1]]
    for h in plan.row_heights:
        ry.append(ry[-1] + h)
    cols = leaves(nodes)
    merged = []
    for i, row in enumerate(rows):
        top, bot = ry[i], ry[i + 1]
        if isinstance(row, Sep):
            merged.append(i)
            draw.rectangle((xs[0], top, xs[-1], bot), outline=INK, width=line_w)
            draw_in_box(draw, (xs[0], top, xs[-1], bot), row.text, head_font,
                        align="center", pad=pad)
            continue
        for j, col in enumerate(cols):
            box = (xs[j], top, xs[j + 1], bot)
            draw.rectangle(box, outline=INK, width=line_w)
            draw_in_box(draw, box, row.get(col.key, ""), body_font, align=col.align,
                        valign="middle" if col.align != "left" else "top", pad=pad)
    if outer_w > line_w:
        draw.rectangle((xs[0], y0, xs[-1], ry[-1]), outline=INK, width=outer_w)
    return TableGeom(xs, hy, ry, merged)
