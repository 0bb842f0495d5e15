"""Form understanding: a page as ``ocr/`` read it -> the raw record.

Which form it is (progress report or TMM-F009 modification) and which column
is which are decided by the printed titles (fuzzy, OCR errors tolerated),
never by position. Leaves stay the text as read; ``RawRecord.ocr`` holds each
leaf's confidence and bbox. Duck-typed on :mod:`ocr.types` attribute names
(``header``, ``grid.cells``, ``signature``): ``reconcile`` does not import ``ocr``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from rapidfuzz import fuzz

from reconcile.types import HEADER_CODE_NAMES, Provenance, RawRecord

PROGRESS, MODIFICATION = "avance_programatico", "modificacion_programatica"
LABELS = {
    "clasificacion_administrativa": "CLASIFICACION ADMINISTRATIVA", "ramo": "RAMO",
    "programa": "PROGRAMA", "unidad_ejecutora": "UNIDAD EJECUTORA", "finalidad": "FINALIDAD",
    "funcion": "FUNCION", "subfuncion": "SUBFUNCION", "lineas_accion": "LINEAS DE ACCION",
}
# column title (folded) -> row key; quarter groups are handled apart
PROGRESS_COLUMNS = {
    "L/A": "lineas_accion", "LINEA DE ACCION P.M.D.": "lineas_accion",
    "METAS Y ACCIONES": "descripcion", "DESCRIPCION DE LAS METAS/ACCIONES": "descripcion",
    "UNIDAD DE MEDIDA": "unidad_medida", "META ANUAL": "meta_anual",
    "AVANCE ABSOLUTO": "avance_absoluto", "AVANCE RELATIVO": "avance_relativo",
    "ACUMULADO RELATIVO": "avance_relativo", "OBSERVACIONES": "observaciones",
}
MODIFICATION_COLUMNS = {
    "MOV.": "movimiento", "MOVIMIENTO": "movimiento", "PROY": "proy",
    "L/A": "lineas_accion", "LINEA DE ACCION P.M.D.": "lineas_accion", "NO.": "number",
    "DESCRIPCION DE LAS METAS/ACCIONES": "descripcion", "METAS Y ACCIONES": "descripcion",
    "UNIDAD MEDIDA": "unidad_medida", "UNIDAD DE MEDIDA": "unidad_medida",
    "META ANUAL AUTORIZADA": "meta_anual_autorizada", "MODIFICACIONES AUMENTOS": "aumentos",
    "MODIFICACIONES DISMINUCIONES": "disminuciones", "META ANUAL MODIFICADA": "meta_anual_modificada",
    "JUSTIFICACION": "justificacion",
}
QUARTERS = ("ENE-MAR", "ABR-JUN", "JUL-SEP", "OCT-DIC")
ROMAN = ("I", "II", "III", "IV")
ROLES = ("ELABORO", "REVISO", "AUTORIZO")
PROGRESS_ROW = ("kind", "number", "lineas_accion", "descripcion", "unidad_medida", "meta_anual",
                "trimestres", "avance_absoluto", "avance_relativo", "observaciones")
MODIFICATION_ROW = ("movimiento", "kind", "number", "lineas_accion", "descripcion", "unidad_medida",
                    "meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada",
                    "calendario", "justificacion")
_FORM_CODE = re.compile(r"\b[A-Z]{2,4}\s?-\s?F\s?-?\s?\d{3}\b")
_LA_CODE = re.compile(r"^\d+(\.\d+)+\.?$")
_LA_CELL = re.compile(r"\d\.\d\.\d|\d{3}\s*,\s*\d{3}\s*,")  # also "211,215," read without dots


def fold(text: str) -> str:
    """Upper case, accents removed, runs of space collapsed (for matching only)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


@dataclass(frozen=True)
class Tok:
    """A word with its provenance (duck-typed from ocr.types.OcrText)."""

    text: str
    conf: float | None
    bbox: tuple[int, int, int, int] | None


def _bbox(obj: Any) -> tuple[int, int, int, int] | None:
    b = getattr(obj, "bbox", None)
    return None if b is None else (int(b.x0), int(b.y0), int(b.x1), int(b.y1))


def _tokens(line: Any) -> list[Tok]:
    words = getattr(line, "words", ()) or ()
    if words:
        return [Tok(w.text, w.confidence, _bbox(w)) for w in words if w.text.strip()]
    return [Tok(t, line.confidence, _bbox(line)) for t in line.text.split()]


def _join(toks: Sequence[Tok]) -> tuple[str | None, Provenance]:
    """Text and provenance of a run of tokens (weakest confidence, union box)."""
    if not toks:
        return None, Provenance()
    boxes = [t.bbox for t in toks if t.bbox]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
           max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else None
    confs = [t.conf for t in toks if t.conf is not None]
    return " ".join(t.text for t in toks), Provenance(min(confs) if confs else None, box)


class _Out:
    """The raw record being built: data plus provenance per leaf path."""

    def __init__(self, page_no: int):
        self.page_no = page_no
        self.ocr: dict[str, Provenance] = {}

    def leaf(self, path: str, text: str | None, prov: Provenance) -> str | None:
        if text is not None:
            self.ocr[path] = Provenance(prov.confidence, prov.bbox, self.page_no)
        return text

    def toks(self, path: str, toks: Sequence[Tok]) -> str | None:
        return self.leaf(path, *_join(toks))

    def cell(self, path: str, cell: Any) -> str | None:
        if cell is None or not cell.text.text.strip():
            return None
        t = cell.text
        box = _bbox(t) or _bbox(cell)
        return self.leaf(path, t.text.strip(), Provenance(t.confidence, box))


# ---- header -------------------------------------------------------------------------------

def _label_of(toks: Sequence[Tok]) -> tuple[str | None, int]:
    """(field, tokens used by the label) when the line starts with a printed label."""
    best, used, score = None, 0, 0.0
    for n in range(1, min(4, len(toks)) + 1):
        head = fold(" ".join(t.text for t in toks[:n])).rstrip(":;.").strip()
        for key, label in LABELS.items():
            s = fuzz.ratio(head, label)
            if s > score and s >= 82:
                best, used, score = key, n, s
    return best, used


def _split_side(lines: Sequence[Any], width: int) -> list[list[Tok]]:
    """Header lines as token lists; a "LINEAS DE ACCION" column beside the codes becomes
    its own lines (below the left block) so the list parses the same either way."""
    rows = [_tokens(ln) for ln in lines]
    cut = top = None
    for toks in rows:
        for i in range(len(toks)):
            key, n = _label_of(toks[i:])
            if key == "lineas_accion" and toks[i].bbox and toks[i].bbox[0] > width * 0.3:
                cut, top = toks[i].bbox[0] - 25, toks[i].bbox[1] - 10
    if cut is None:
        return rows

    def side(t: Tok) -> bool:  # beside and below the label: the list's column
        return t.bbox is not None and t.bbox[0] >= cut and t.bbox[1] >= top

    left = [[t for t in r if not side(t)] for r in rows]
    right = [[t for t in r if side(t)] for r in rows]
    return [r for r in left if r] + [r for r in right if r]


def _titles(data: dict, out: _Out, rows: list[list[Tok]]) -> list[list[Tok]]:
    """Fill formato, ayuntamiento, ejercicio, report_type; return the remaining lines."""
    rest = []
    for toks in rows:
        text = " ".join(t.text for t in toks)
        f = fold(text)
        code = _FORM_CODE.search(f)
        if code and data["formato"] is None:
            hit = [t for t in toks if fold(t.text) in code.group(0) or code.group(0) in fold(t.text)]
            data["formato"] = out.leaf("formato", code.group(0).replace(" ", ""), _join(hit or toks)[1])
            toks = [t for t in toks if t not in hit]
            f = fold(" ".join(t.text for t in toks))
            if not toks:
                continue
        if data["ayuntamiento"] is None and fuzz.partial_ratio("AYUNTAMIENTO", f) >= 80:
            data["ayuntamiento"] = out.toks("ayuntamiento", toks)
        elif data["ejercicio"] is None and fuzz.partial_ratio("PROGRAMA OPERATIVO ANUAL", f) >= 85:
            data["ejercicio"] = out.toks("ejercicio", toks)
        elif data["report_type"] is None and _title_kind(f):
            data["report_type"] = out.toks("report_type", toks)
            if _title_kind(f) == PROGRESS:
                data["trimestre"] = out.toks("trimestre", toks)
        else:
            rest.append(toks)
    return rest


def _has_word(words: Sequence[str], target: str) -> bool:
    return any(fuzz.ratio(w, target) >= 78 for w in words)


def _title_kind(folded: str) -> str | None:
    """Which form a title line names ("PRIMER AVANCE PROGRAMATICO", "MODIFICACIONES ...")."""
    words = folded.split()
    if len(words) > 6 or not _has_word(words, "PROGRAMATICO"):
        return None
    if _has_word(words, "MODIFICACIONES"):
        return MODIFICATION
    if _has_word(words, "AVANCE"):
        return PROGRESS
    return None


def _code_name(out: _Out, path: str, toks: Sequence[Tok]) -> dict | None:
    if not toks:
        return None
    return {"code": out.toks(f"{path}.code", toks[:1]), "name": out.toks(f"{path}.name", toks[1:])}


def _labelled(data: dict, out: _Out, rows: list[list[Tok]]) -> None:
    """LABEL: CODE NAME lines (names may wrap) and the header's lineas de accion list."""
    current, parts, las = None, {}, []
    for toks in rows:
        key, n = _label_of(toks)
        if key is not None:
            current = key
            if key != "lineas_accion":
                parts[key] = list(toks[n:])
            elif toks[n:]:
                las.append(list(toks[n:]))
            continue
        if current == "lineas_accion":
            if toks and _LA_CODE.match(toks[0].text) or not las:
                las.append(list(toks))
            else:
                las[-1].extend(toks)
        elif current is not None:
            parts[current].extend(toks)
    for key, toks in parts.items():
        data[key] = _code_name(out, key, toks)
    data["lineas_accion"] = [_code_name(out, f"lineas_accion[{i}]", t) for i, t in enumerate(las)]


def read_header(data: dict, out: _Out, lines: Sequence[Any], width: int) -> None:
    rows = _split_side(lines, width)
    _labelled(data, out, _titles(data, out, rows))


# ---- table --------------------------------------------------------------------------------

def _best(text: str, choices: Iterable[str], cutoff: float = 70) -> str | None:
    scored = [(fuzz.ratio(fold(text), c), c) for c in choices]
    score, choice = max(scored, default=(0, None))
    return choice if score >= cutoff else None


def _header_depth(cells: Sequence[Any], titles: Iterable[str]) -> int:
    """Number of grid rows the column titles take (cells matching a known title)."""
    titles = [fold(t) for t in titles] + ["PERIODO", "MODIFICACIONES", "CALENDARIO TRIMESTRE"]
    depth = 0
    for c in cells:
        if c.row < 4 and c.text.text and _best(c.text.text, titles, 80):
            depth = max(depth, c.row + c.row_span)
    return depth


def _column_paths(cells: Sequence[Any], depth: int, n_cols: int) -> list[list[Any]]:
    """For each grid column, the header cells above it, top to bottom."""
    paths: list[list[Any]] = [[] for _ in range(n_cols)]
    for c in sorted(cells, key=lambda c: c.row):
        if c.row < depth:
            for j in range(c.col, c.col + c.col_span):
                paths[j].append(c)
    return paths


def _group_index(cell: Any, names: Sequence[str], groups: list[Any]) -> int:
    """Which quarter a group title is: by its text, else by its order among the groups."""
    hit = _best(cell.text.text, names, 60)
    if hit is not None:
        return names.index(hit)
    order = sorted({(g.col, id(g)): g for g in groups}.values(), key=lambda g: g.col)
    return min(next(i for i, g in enumerate(order) if g is cell), len(names) - 1)


def map_columns(cells: Sequence[Any], n_cols: int, form: str) -> tuple[dict[int, str], int]:
    """Grid column -> row path suffix (``descripcion``, ``trimestres[1].alcanzado``, ...)."""
    table = PROGRESS_COLUMNS if form == PROGRESS else MODIFICATION_COLUMNS
    depth = _header_depth(cells, table)
    paths = _column_paths(cells, depth, n_cols)
    mapping: dict[int, str] = {}
    groups = [p[-2] for p in paths if len(p) >= 2]
    for j, path in enumerate(paths):
        if not path:
            continue
        leaf = path[-1]
        if form == PROGRESS and len(path) >= 2 and _best(path[-2].text.text, QUARTERS, 55):
            q = _group_index(path[-2], QUARTERS, [g for g in groups if _best(g.text.text, QUARTERS, 55)])
            pa = fold(leaf.text.text)[:1]
            sub = "alcanzado" if pa == "A" or (pa != "P" and j > path[-2].col) else "programado"
            mapping[j] = f"trimestres[{q}].{sub}"
        elif form == MODIFICATION and len(path) >= 2 and fuzz.partial_ratio("CALENDARIO", fold(path[-2].text.text)) >= 75:
            q = j - path[-2].col  # I..IV in printed order (numerals read badly)
            mapping[j] = f"calendario[{min(q, 3)}]"
        else:
            title = " ".join(c.text.text for c in path if c.col_span < 4 or len(path) == 1)
            key = _best(title, table, 60) or _best(leaf.text.text, table, 60)
            if key is not None and table[key] != "proy":
                mapping[j] = table[key]
    if "lineas_accion" not in mapping.values():  # its short title ("L/A") misread
        mapping.update(_code_column(cells, depth, n_cols, mapping))
    return mapping, depth


def _code_column(cells: Sequence[Any], depth: int, n_cols: int, mapping: dict) -> dict[int, str]:
    """The unmapped column whose body cells mostly hold dotted codes, as lineas_accion."""
    for j in range(n_cols):
        texts = [c.text.text for c in cells if c.col == j and c.col_span == 1 and c.row >= depth and c.text.text]
        if j not in mapping and texts and sum(bool(_LA_CELL.search(t)) for t in texts) >= 0.6 * len(texts):
            return {j: "lineas_accion"}
    return {}


def _empty_row(form: str) -> dict:
    if form == PROGRESS:
        row = {k: None for k in PROGRESS_ROW}
        row["trimestres"] = [{"programado": None, "alcanzado": None} for _ in range(4)]
    else:
        row = {k: None for k in MODIFICATION_ROW}
        row["calendario"] = [None] * 4
    return row


def _set(row: dict, suffix: str, value: str | None) -> None:
    m = re.fullmatch(r"(\w+)\[(\d)\](?:\.(\w+))?", suffix)
    if m is None:
        row[suffix] = value
    elif m.group(3):
        row[m.group(1)][int(m.group(2))][m.group(3)] = value
    else:
        row[m.group(1)][int(m.group(2))] = value


def read_table(grid: Any, form: str, out: _Out) -> list[dict]:
    cells = list(grid.cells)
    n_cols = len(grid.col_edges) - 1
    mapping, depth = map_columns(cells, n_cols, form)
    by_row: dict[int, list[Any]] = {}
    for c in cells:
        if c.row >= depth:
            by_row.setdefault(c.row, []).append(c)
    rows, kind = [], None
    for r in sorted(by_row):
        row_cells = by_row[r]
        if any(c.col_span >= max(2, n_cols - 1) for c in row_cells):  # META / ACCION separator
            sep = next(c for c in row_cells if c.col_span >= max(2, n_cols - 1))
            kind = sep if sep.text.text.strip() else kind
            continue
        if not any(c.text.text.strip() for c in row_cells if c.col in mapping):
            continue
        i = len(rows)
        row = _empty_row(form)
        if form == MODIFICATION and kind is not None:
            row["kind"] = out.cell(f"rows[{i}].kind", kind)
        for c in row_cells:
            if c.col in mapping:
                _set(row, mapping[c.col], out.cell(f"rows[{i}].{mapping[c.col]}", c))
        rows.append(row)
    return rows


# ---- signatures and assembly ----------------------------------------------------------------

def _is_noise(line: Any) -> bool:
    text = line.text.strip()
    alnum = sum(ch.isalnum() for ch in text)
    return alnum < 2 or alnum < 0.5 * len(text.replace(" ", "")) or line.confidence < 0.3


def read_signatures(columns: Sequence[Sequence[Any]], out: _Out) -> list[dict]:
    sigs = []
    for lines in columns:
        lines = [ln for ln in lines if not _is_noise(ln)]
        if not lines:
            continue
        i = len(sigs)
        rol = None
        for k, line in enumerate(lines[:2]):
            if _best(line.text, ROLES, 70):
                rol = out.toks(f"signatarios[{i}].rol", _tokens(line))
                lines = lines[k + 1:]
                break
        nombre = out.toks(f"signatarios[{i}].nombre", _tokens(lines[0])) if lines else None
        cargo = out.toks(f"signatarios[{i}].cargo", [t for ln in lines[1:] for t in _tokens(ln)])
        sigs.append({"rol": rol, "nombre": nombre, "cargo": cargo})
    return sigs


def detect_form(header_text: str, grid_text: str = "") -> str:
    kind = None
    for line in header_text.splitlines():
        kind = kind or _title_kind(fold(line))
    if kind is None:
        g = fold(grid_text)
        kind = MODIFICATION if fuzz.partial_ratio("DISMINUCIONES", g) >= 85 else PROGRESS
    return kind


def _source(source: Mapping[str, Any] | str | None, page_no: int) -> dict:
    base = {"file": None, "page": page_no, "sha256": None}
    if isinstance(source, str):
        base["file"] = source
    elif source:
        base.update({k: source[k] for k in source if k in ("file", "page", "sha256")})
    return base


def understand(page: Any, *, page_no: int = 1, source: Mapping[str, Any] | str | None = None) -> RawRecord:
    """The raw record of a page read by ``ocr`` (a ``PageRead``-shaped object)."""
    out = _Out(page_no)
    grid = getattr(page, "grid", None)
    grid_text = " ".join(c.text.text for c in grid.cells if c.row < 4) if grid is not None else ""
    form = detect_form("\n".join(ln.text for ln in page.header), grid_text)
    data: dict[str, Any] = {"source": _source(source, page_no), "report_type": None, "formato": None,
                            "ayuntamiento": None, "ejercicio": None, "trimestre": None}
    data.update({k: None for k in HEADER_CODE_NAMES})
    data["lineas_accion"] = []
    read_header(data, out, page.header, int(getattr(page, "width", 0) or 0))
    data["rows"] = read_table(grid, form, out) if grid is not None else []
    data["signatarios"] = read_signatures(getattr(page, "signature", ()) or (), out)
    return RawRecord(data=data, ocr=out.ocr)
