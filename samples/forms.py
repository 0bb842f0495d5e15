"""Column layouts and printed cell text of the two form types."""
from __future__ import annotations

from .style import Style
from .table import Col, Sep
from .textutil import fmt_int, fmt_pct

QUARTERS = ("Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic")
ROMAN_Q = ("I", "II", "III", "IV")
LEGEND = ("AP APERTURA   S SUPRESION   R RECALENDARIZACION   AM AUMENTO   "
          "D DISMINUCION   T TRANSFERENCIA   CUM CAMBIO DE UNIDAD DE MEDIDA")


def _jitter(style: Style, specs):
    """Apply the seed's width jitter to a list of Col specs (recursively)."""
    out, it = [], iter(style.col_jitter * 4)

    def walk(nodes):
        res = []
        for n in nodes:
            if n.children:
                res.append(Col(n.title, children=tuple(walk(n.children))))
            else:
                res.append(Col(n.title, n.key, n.weight * next(it), n.align,
                               fit_text=n.fit_text))
        return res
    out = walk(specs)
    return out


def progress_columns(style: Style) -> list[Col]:
    periods = tuple(
        Col(q, children=(Col("P", f"p{i}", 0.55), Col("A", f"a{i}", 0.55)))
        for i, q in enumerate(QUARTERS))
    return _jitter(style, [
        Col(style.la_title, "la", 1.0, fit_text="0.0.0, 0.0.0, 0.0.0,"),
        Col(style.desc_title, "desc", 4.0, "left"),
        Col("UNIDAD DE MEDIDA", "um", 1.15),
        Col("META ANUAL", "meta", 0.85),
        Col("PERIODO", children=periods),
        Col("AVANCE ABSOLUTO", "abs", 0.85),
        Col(style.rel_title, "rel", 0.85),
        Col("OBSERVACIONES", "obs", 2.4, "left"),
    ])


def modification_columns(style: Style) -> list[Col]:
    return _jitter(style, [
        Col("MOV.", "mov", 0.55),
        Col("PROY", "proy", 0.5),
        Col(style.la_title, "la", 0.95, fit_text="0.0.0, 0.0.0, 0.0.0,"),
        Col("No.", "no", 0.5),
        Col("DESCRIPCION DE LAS METAS/ACCIONES", "desc", 3.4, "left"),
        Col("UNIDAD MEDIDA", "um", 1.05),
        Col("META ANUAL AUTORIZADA", "aut", 0.9),
        Col("MODIFICACIONES", children=(Col("AUMENTOS", "aum", 0.85),
                                        Col("DISMINUCIONES", "dis", 0.95))),
        Col("META ANUAL MODIFICADA", "mod", 0.9),
        Col("CALENDARIO TRIMESTRE", children=tuple(
            Col(q, f"c{i}", 0.55) for i, q in enumerate(ROMAN_Q))),
        Col("JUSTIFICACION", "just", 2.6, "left"),
    ])


def numbered(row: dict, style: Style) -> str:
    """Row number printed with its description: "201.- TEXT", "M.2 TEXT"."""
    num, desc = row.get("number"), row.get("descripcion") or ""
    if not num:
        return desc
    if num[:1].upper() == "M":
        return f"{num} {desc}"
    return f"{num}{style.num_sep}{desc}"


def progress_cells(row: dict, style: Style) -> dict[str, str]:
    cells = {
        "la": ", ".join(row.get("lineas_accion") or []),
        "desc": numbered(row, style),
        "um": row.get("unidad_medida") or "",
        "meta": fmt_int(row.get("meta_anual")),
        "abs": fmt_int(row.get("avance_absoluto")),
        "rel": fmt_pct(row.get("avance_relativo")),
        "obs": row.get("observaciones") or "",
    }
    for i, q in enumerate(row.get("trimestres") or []):
        cells[f"p{i}"] = fmt_int(q.get("programado"))
        cells[f"a{i}"] = fmt_int(q.get("alcanzado"))
    return cells


def modification_cells(row: dict, style: Style) -> dict[str, str]:
    cells = {
        "mov": row.get("movimiento") or "",
        "proy": "",
        "la": ", ".join(row.get("lineas_accion") or []),
        "no": row.get("number") or "",
        "desc": row.get("descripcion") or "",
        "um": row.get("unidad_medida") or "",
        "aut": fmt_int(row.get("meta_anual_autorizada")),
        "aum": fmt_int(row.get("aumentos")),
        "dis": fmt_int(row.get("disminuciones")),
        "mod": fmt_int(row.get("meta_anual_modificada")),
        "just": row.get("justificacion") or "",
    }
    for i, v in enumerate(row.get("calendario") or []):
        cells[f"c{i}"] = fmt_int(v)
    return cells


def table_spec(record: dict, style: Style):
    """(columns, body rows, legend text or None) for a record."""
    rows = record.get("rows") or []
    if record.get("report_type") == "modificacion_programatica":
        body, last = [], None
        for r in rows:
            kind = r.get("kind")
            if kind != last:
                body.append(Sep("META" if kind == "meta" else "ACCION"))
                last = kind
            body.append(modification_cells(r, style))
        return modification_columns(style), body, LEGEND
    return progress_columns(style), [progress_cells(r, style) for r in rows], None
