"""The table body of a page: which column is which (by printed titles) and its rows, as raw text (pure).

Columns are mapped by their titles, fuzzy and OCR-tolerant, never by their
place alone: a title too garbled to read is known by what its cells hold, and
on the progress form by the titles read on either side of it; each body row of
the grid becomes one raw row whose leaves are the cell text as read, with
provenance recorded in the raw record being built.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz

from reconcile.pageread import MODIFICATION, PROGRESS, RawOut, best_title, fold
from reconcile.parse import BAND_LABELS, parse_movimiento, split_number

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
# the progress form's columns left to right, as it prints them (quarters as one)
PROGRESS_PRINTED = ("lineas_accion", "descripcion", "unidad_medida", "meta_anual", "trimestres",
                    "avance_absoluto", "avance_relativo", "observaciones")
QUARTERS = ("ENE-MAR", "ABR-JUN", "JUL-SEP", "OCT-DIC")
PROGRESS_ROW = ("kind", "number", "lineas_accion", "descripcion", "unidad_medida", "meta_anual",
                "trimestres", "avance_absoluto", "avance_relativo", "observaciones")
MODIFICATION_ROW = ("movimiento", "kind", "number", "lineas_accion", "descripcion", "unidad_medida",
                    "meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada",
                    "calendario", "justificacion")
_LA_CELL = re.compile(r"\d\.\d\.\d|\d{3}\s*,\s*\d{3}\s*,")  # also "211,215," read without dots


# ---- columns --------------------------------------------------------------------------------

def _header_depth(cells: Sequence[Any], titles: Iterable[str]) -> int:
    """Number of grid rows the column titles take (cells matching a known title): as deep
    as two titles reach (one title alone reaching deeper lost the line under it, and ran
    down over the body's first rows: "MOV." over the META band and the row under it)."""
    titles = [fold(t) for t in titles] + ["PERIODO", "MODIFICACIONES", "CALENDARIO TRIMESTRE"]
    bottoms = sorted(c.row + c.row_span for c in cells
                     if c.row < 4 and c.text.text and best_title(c.text.text, titles, 80))
    return bottoms[-2] if len(bottoms) >= 2 else (bottoms[0] if bottoms else 0)


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
    hit = best_title(cell.text.text, names, 60)
    if hit is not None:
        return names.index(hit)
    order = sorted({(g.col, id(g)): g for g in groups}.values(), key=lambda g: g.col)
    return min(next(i for i, g in enumerate(order) if g is cell), len(names) - 1)


def _quarter(path: list[Any], paths: list[list[Any]], groups: list[Any]) -> int | None:
    """Which quarter a column stands under: in the printed layout, four two-column groups
    under one title over all eight (PERIODO), by their titles when all four are read, else
    by their order (a fax leaves "Ene-Mar" as "A"), and two columns a quarter where the
    lines between groups were lost ("Abr-Jun Jul-Sep Oct-Dic" over six columns) but the
    eight columns under the title stand apart; elsewhere by a group title read."""
    if len(path) < 2:
        return None
    group = path[-2]
    if len(path) >= 3 and group.col_span == 2 and path[-3].col_span == 8:
        parent = path[-3]
        siblings = sorted({id(p[-2]): p[-2] for p in paths if len(p) >= 3 and p[-3] is parent}.values(),
                          key=lambda g: g.col)
        if len(siblings) == 4 and all(g.col_span == 2 for g in siblings):
            names = [best_title(g.text.text, QUARTERS, 55) for g in siblings]
            at = siblings.index(group)
            return QUARTERS.index(names[at]) if len(set(names) - {None}) == 4 else at
    if _under_period(path, paths):
        return (path[-1].col - _period(path).col) // 2  # two columns a quarter, in order
    if best_title(group.text.text, QUARTERS, 55):
        return _group_index(group, QUARTERS, [g for g in groups if best_title(g.text.text, QUARTERS, 55)])
    return None


def _period(path: list[Any]) -> Any | None:
    """The title over eight columns just above this column's quarter title, or just above
    its leaf (the quarter titles merged with the P/A row under them: "Ene- p")."""
    return next((c for c in path[-3:-1] if c.col_span == 8), None) if len(path) >= 2 else None


def _under_period(path: list[Any], paths: list[list[Any]]) -> bool:
    """Does this column stand under a title over eight columns whose eight leaves are
    single columns, its quarter titles run together (their parting lines lost) or merged
    with the P/A row (the line under them lost)?"""
    parent = _period(path)
    if parent is None or path[-1].col_span != 1:
        return False
    leaves = [p[-1] for p in paths if _period(p) is parent]
    return len(leaves) == 8 and all(c.col_span == 1 for c in leaves)


def _programmed_or_achieved(j: int, path: list[Any], paths: list[list[Any]]) -> str:
    """P or A under a quarter: by the letter read; under a two-column group only when its
    leaves read one P and one A, else by order, P first (a P/A title left spanning both,
    their parting line faded; a fax's "AE" for "P")."""
    group, leaf = path[-2], path[-1]
    if group.col_span != 2 and _under_period(path, paths):
        return "alcanzado" if (j - _period(path).col) % 2 else "programado"
    letter = fold(leaf.text.text)[:1] if leaf.col_span == 1 else ""
    if group.col_span == 2:
        leaves = [p[-1] for p in paths[group.col:group.col + 2] if p]
        if sorted(fold(c.text.text)[:1] if c.col_span == 1 else "" for c in leaves) != ["A", "P"]:
            letter = ""
    if letter in ("A", "P"):
        return "alcanzado" if letter == "A" else "programado"
    return "alcanzado" if j > group.col else "programado"


def _title_piece(text: str) -> str | None:
    """A title read in part as its letters (and slashes), one space between words; None
    where fewer than five letters are left."""
    letters = " ".join(re.sub(r"[^A-Z/ ]", " ", fold(text)).split())
    return letters if len(letters.replace(" ", "")) >= 5 else None


def _titled(text: str, table: dict[str, str]) -> bool:
    """Is ``text`` (:func:`_title_piece`) a piece of some column key's title
    (:data:`TITLE_PIECE`): "AUMENTOS" of MODIFICACIONES AUMENTOS?"""
    piece = _title_piece(text)
    return piece is not None and any(fuzz.partial_ratio(piece, fold(t)) >= TITLE_PIECE for t in table)


def _calendar_title(cell: Any) -> bool:
    """Is this header cell the calendar's title, or a piece of it (two letters at least)?"""
    text = fold(cell.text.text)
    return len(text.replace(" ", "")) >= 2 and (fuzz.partial_ratio("CALENDARIO", text) >= 75
                                                 or fuzz.partial_ratio("TRIMESTRE", text) >= 80)


def map_columns(cells: Sequence[Any], n_cols: int, form: str) -> tuple[dict[int, str], int]:
    """Grid column -> row path suffix (``descripcion``, ``trimestres[1].alcanzado``, ...)."""
    table, order = (PROGRESS_COLUMNS, PROGRESS_ROW) if form == PROGRESS else (MODIFICATION_COLUMNS, MODIFICATION_ROW)
    depth = _header_depth(cells, table)
    paths = _column_paths(cells, depth, n_cols)
    mapping: dict[int, str] = {}
    groups = [p[-2] for p in paths if len(p) >= 2]
    # the calendar's quarters, I..IV in printed order (numerals read badly), counted over
    # every column under a calendar title: a title split by a phantom line ("CA" |
    # "ENDARIO TRIMESTRE", "CALENDARIO" | "TRIMESTRE") still has its four columns in order
    calendar = [j for j, p in enumerate(paths) if form == MODIFICATION and len(p) >= 2 and _calendar_title(p[-2])]
    if len(calendar) > len(QUARTERS):  # the calendar's title run together with the titles
        # left of it, the lines between them lost ("META ANUAL MODIFICACIONES ... CALENDARIO
        # TRIMESTRE" over seven columns): a column titled as another key is not the calendar's
        calendar = [j for j in calendar if not _titled(paths[j][-1].text.text, table)]
    for j, path in enumerate(paths):
        if not path:
            continue
        leaf = path[-1]
        q = _quarter(path, paths, groups) if form == PROGRESS else None
        if q is not None:
            mapping[j] = f"trimestres[{q}].{_programmed_or_achieved(j, path, paths)}"
        elif j in calendar:
            mapping[j] = f"calendario[{min(calendar.index(j), 3)}]"
        else:
            title = " ".join(c.text.text for c in path if c.col_span < 4 or len(path) == 1)
            key = best_title(title, table, 60) or best_title(leaf.text.text, table, 60)
            if key is not None and table[key] != "proy":
                mapping[j] = table[key]
    mapping.update(_titles_run_together(paths, depth, mapping, table, order))
    mapping.update(_left_titles(cells, depth, paths, mapping, table))
    if "lineas_accion" not in mapping.values():  # its short title ("L/A") misread
        mapping.update(_code_column(cells, depth, n_cols, mapping))
    if form == MODIFICATION and "movimiento" not in mapping.values():  # so "MOV." ("0 MOV: - E")
        mapping.update(_movement_column(cells, depth, paths, mapping, table))
    if form == MODIFICATION and "number" not in mapping.values():  # so "No." ("ent No. o", "Nós,")
        mapping.update(_number_column(cells, depth, mapping))
    if form == PROGRESS:  # a title lost whole in a fax's shading ("o 0 mesxaccs 0 e")
        mapping.update(_between_neighbours(cells, depth, n_cols, mapping, PROGRESS_PRINTED))
        mapping.update(_quarters_between(cells, depth, mapping))
    return mapping, depth


def _quarters_between(cells: Sequence[Any], depth: int, mapping: dict[int, str]) -> dict[int, str]:
    """The quarters' columns where their titles were lost (a fax's shading over PERIODO,
    the quarters and their P/A letters, its lines between them lost in part): the eight
    columns between META ANUAL and AVANCE ABSOLUTO, where the form prints the four quarters
    two columns each, P first, are taken in that order, when the columns among them already
    mapped are mapped so and every column's body cells hold numbers or nothing."""
    where = {key: j for j, key in mapping.items()}
    first, last = where.get("meta_anual"), where.get("avance_absoluto")
    if first is None or last is None or last - first - 1 != 2 * len(QUARTERS):
        return {}
    out: dict[int, str] = {}
    for k, j in enumerate(range(first + 1, last)):
        key = f"trimestres[{k // 2}].{'alcanzado' if k % 2 else 'programado'}"
        texts = _body_texts(cells, j, depth)
        if mapping.get(j, key) != key or (texts and not _holds(key, texts)):
            return {}
        if j not in mapping:
            out[j] = key
    return out


def _titles_within(text: str, table: dict[str, str]) -> list[str]:
    """The column keys one of whose titles has every word among the words of ``text``
    (titles whose lines were read run together: "META ANUAL UNIDAD MEDIDA AUTORIZADA"),
    each once; a key whose title is part of another one found is not counted."""
    words = fold(text).split()
    found: dict[str, list[str]] = {}
    for title, key in table.items():
        tw = fold(title).split()
        if all(any(fuzz.ratio(w, x) >= 80 for x in words) for w in tw) and len(tw) > len(found.get(key, [])):
            found[key] = tw
    return [k for k, tw in found.items()
            if not any(o != k and set(tw) < set(ow) for o, ow in found.items())]


def _titles_run_together(paths: list[list[Any]], depth: int, mapping: dict[int, str], table: dict[str, str],
                         order: Sequence[str]) -> dict[int, str]:
    """Columns under one title cell that names as many columns' titles as it spans (a fax
    lost the line between two titles, and the grid merged them), each given one, in the
    order the form prints them (their words are read interleaved, line by line): the
    cell's columns had all been given the same key, or none. A key another column has
    is not given again."""
    out: dict[int, str] = {}
    leaves = {(p[-1].row, p[-1].col): p[-1] for p in paths if p}
    for leaf in leaves.values():
        span = range(leaf.col, leaf.col + leaf.col_span)
        if leaf.col_span < 2 or leaf.row + leaf.row_span != depth or any(paths[j][-1] is not leaf for j in span):
            continue
        keys = _titles_within(leaf.text.text, table)
        elsewhere = {v for j, v in mapping.items() if j not in span}
        if len(keys) != leaf.col_span or elsewhere & set(keys) or len({mapping.get(j) for j in span}) > 1:
            continue
        place = {k: order.index(k) if k in order else len(order) for k in keys}
        out.update(zip(span, sorted(keys, key=place.__getitem__)))
    return out


TITLE_PIECE = 75  # a title read in part matches one column key's titles this well (partial ratio)...
TITLE_LEAD = 10  # ...and by this much more than any other key no column has taken
_BY_CONTENT = ("lineas_accion", "number", "movimiento", "proy")  # told by their cells instead


def _left_titles(cells: Sequence[Any], depth: int, paths: list[list[Any]], mapping: dict[int, str],
                 table: dict[str, str]) -> dict[int, str]:
    """Unmapped columns whose title, read in part, is a piece of the titles of one column
    key no column has taken, clearly more than of any other such key, and whose cells hold
    what that key holds (words or numbers): ``"AVANCE"`` (its second line lost in a fax's
    shading) is AVANCE ABSOLUTO once AVANCE RELATIVO is mapped; ``"O JUS MEICACION A"``
    is JUSTIFICACION."""
    taken = set(mapping.values())
    out: dict[int, str] = {}
    for j, path in enumerate(paths):
        if j in mapping or not path or path[-1].col_span != 1:
            continue
        text = _title_piece(path[-1].text.text)
        if text is None:
            continue
        scores: dict[str, float] = {}
        for title, key in table.items():
            if key not in taken and key not in _BY_CONTENT and key not in out.values():
                scores[key] = max(scores.get(key, 0.0), fuzz.partial_ratio(text, title))
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < TITLE_PIECE:
            continue
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < TITLE_LEAD:
            continue
        key = ranked[0][0]
        texts = _body_texts(cells, j, depth)
        if texts and not _holds(key, texts):
            continue  # its cells hold something else
        out[j] = key
    return out


def _holds(key: str, texts: Sequence[str]) -> bool:
    """Do a column's body cells (``texts``) mostly hold what ``key`` holds: words in a
    column of prose, numbers elsewhere?"""
    if key in _PROSE:
        held = sum(len(re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñ]", t)) >= 3 for t in texts)
    else:
        held = sum(bool(re.search(r"\d", t)) for t in texts)
    return held >= 0.5 * len(texts)


def _between_neighbours(cells: Sequence[Any], depth: int, n_cols: int, mapping: dict[int, str],
                        printed: Sequence[str]) -> dict[int, str]:
    """An unmapped column whose neighbours (or the table's edge) are mapped to the keys the
    form prints one apart (``printed``: left to right), as the key printed between them,
    where no column has it and its body cells hold what it holds: a description whose
    title a fax's shading left as specks, between the action lines and the unit."""
    base = {j: key.split("[")[0] for j, key in mapping.items()}
    out: dict[int, str] = {}
    for j in range(n_cols):
        if j in mapping:
            continue
        left = printed.index(base[j - 1]) if j > 0 and base.get(j - 1) in printed else (-1 if j == 0 else None)
        right = (printed.index(base[j + 1]) if j + 1 < n_cols and base.get(j + 1) in printed
                 else (len(printed) if j + 1 == n_cols else None))
        if left is None or right is None or right - left != 2:
            continue
        key = printed[left + 1]
        texts = _body_texts(cells, j, depth)
        if key not in base.values() and key not in out.values() and texts and _holds(key, texts):
            out[j] = key
    return out


def _body_texts(cells: Sequence[Any], j: int, depth: int) -> list[str]:
    """What the body cells of grid column ``j`` (below the titles, one column wide) read."""
    return [c.text.text for c in cells if c.col == j and c.col_span == 1 and c.row >= depth and c.text.text]


def _movement_column(cells: Sequence[Any], depth: int, paths: list[list[Any]], mapping: dict,
                     table: dict[str, str]) -> dict[int, str]:
    """The first unmapped column, under no title read as another, whose body cells that
    hold anything all hold movement codes ("T", "T/AM", "R"), as movimiento."""
    for j, path in enumerate(paths):
        title = " ".join(c.text.text for c in path)
        if j in mapping or not path or best_title(title, table, 60) is not None:
            continue
        texts = _body_texts(cells, j, depth)
        if texts and all(parse_movimiento(t).ok for t in texts):
            return {j: "movimiento"}
    return {}


_ROW_NUMBER_CELL = re.compile(r"M\s*[.,\-]?\s*[0-9OIl]{1,2}|[0-9OIl]{1,4}[.,\-]*")


def _number_column(cells: Sequence[Any], depth: int, mapping: dict) -> dict[int, str]:
    """The unmapped column just left of the descriptions whose body cells that hold anything
    mostly hold a row number (an M-number, or up to four digits), as number: the form
    prints its own column for them there, under a title too short to be read surely."""
    desc = [j for j, key in mapping.items() if key == "descripcion"]
    if not desc or desc[0] - 1 in mapping or desc[0] == 0:
        return {}
    texts = _body_texts(cells, desc[0] - 1, depth)
    if texts and sum(bool(_ROW_NUMBER_CELL.fullmatch(t.strip())) for t in texts) >= 0.6 * len(texts):
        return {desc[0] - 1: "number"}
    return {}


def _code_column(cells: Sequence[Any], depth: int, n_cols: int, mapping: dict) -> dict[int, str]:
    """The unmapped column whose body cells mostly hold dotted codes, as lineas_accion."""
    for j in range(n_cols):
        texts = _body_texts(cells, j, depth)
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


# Cells that name a row: a grid row with text in none of them cannot be a printed row of its own.
IDENTITY_KEYS = ("number", "descripcion", "lineas_accion", "movimiento")


def _get(row: dict, suffix: str) -> str | None:
    m = re.fullmatch(r"(\w+)\[(\d)\](?:\.(\w+))?", suffix)
    if m is None:
        return row.get(suffix)
    item = row[m.group(1)][int(m.group(2))]
    return item[m.group(3)] if m.group(3) else item


# Columns of free prose: a cell's text wraps over several lines there...
PROSE_KEYS = ("observaciones", "justificacion")
_WRAPS = ("descripcion", *PROSE_KEYS)  # ...as the description's does
_PROSE = (*_WRAPS, "unidad_medida")  # columns of words (a title read in part: _left_titles)


def _value(text: str | None) -> str | None:
    """A cell's text, if it holds a letter or a digit (a lone "-" or "." holds nothing)."""
    return text if text and any(ch.isalnum() for ch in text) else None


def _rest_of_row_above(row_cells: list[Any], mapping: dict[int, str], previous: dict | None,
                       spanned: bool) -> dict[str, str] | None:
    """How a grid row is the rest of the printed row above, cut off by a spurious line
    (a fax streak level with the scan): each of its filled cells' key -> "wraps" (the last
    lines of a text the row above has: joined to it) or "fills" (a cell empty above: taken
    as it is); None when it is a row of its own.

    Where a cell of the row above spans down over this grid row (``spanned``: the printed
    row is taller than the cut), the halves are complementary: this row names nothing
    (no number, líneas or movement; a description only as the rest of the one above, not
    opening with a row number), and every other cell it fills is empty above. A real row
    whose ruling was lost instead brings its own numbers where the row above has them, and
    stays a row. Elsewhere, only prose the row above has can continue."""
    if previous is None:
        return None
    filled = {mapping[c.col]: c.text.text.strip() for c in row_cells if c.col in mapping and _value(c.text.text)}
    how = {}
    for key, text in filled.items():
        if key in _WRAPS and _value(_get(previous, key)) and (key in PROSE_KEYS or split_number(None, text)[0] is None):
            how[key] = "wraps"
        elif spanned and key.split("[")[0] not in IDENTITY_KEYS and not _value(_get(previous, key)):
            how[key] = "fills"
        else:
            return None
    if not how or not spanned and any(key not in PROSE_KEYS for key in how):
        return None
    return how


BAND_WORDS = 2  # a band's label: "META", "ACCION"


def _band(row_cells: list[Any], n_cols: int) -> bool:
    """Is a grid row a band across the table (META, ACCION)? One cell over all columns but
    one at most; or (a line found in the band cut it, a fax's dots mended into one) no
    digit (a row whose column lines a fax lost still holds its numbers, and stays a row)
    and either no cell of a single column and one over half of them, or (a fax cut the
    band in several pieces) a band's label read in :data:`BAND_WORDS` words at most,
    each piece holding it over two columns or more."""
    spans = [c.col_span for c in row_cells]
    if max(spans) >= max(2, n_cols - 1):
        return True
    words = [w for c in row_cells for w in c.text.text.split()]
    if any(ch.isdigit() for w in words for ch in w):
        return False
    if min(spans) >= 2 and max(spans) * 2 > n_cols:
        return True
    # in pieces: the label's ("MET" | "A") each over two columns or more (an empty piece may be one)
    inked = [c.col_span for c in row_cells if c.text.text.strip()]
    label = re.sub(r"[^A-Z]", "", fold("".join(words)))
    return bool(inked) and min(inked) >= 2 and len(words) <= BAND_WORDS and \
        max(fuzz.ratio(label, name) for name in BAND_LABELS) >= 75


def read_table(grid: Any, form: str, out: RawOut) -> list[dict]:
    cells = list(grid.cells)
    n_cols = len(grid.col_edges) - 1
    mapping, depth = map_columns(cells, n_cols, form)
    by_row: dict[int, list[Any]] = {}
    for c in cells:
        if c.row >= depth:
            by_row.setdefault(c.row, []).append(c)
    rows, kind, span_end, fresh = [], None, 0, True  # fresh: no row since the last separator
    for r in sorted(by_row):
        row_cells = by_row[r]
        if _band(row_cells, n_cols):  # META / ACCION separator
            sep = max(row_cells, key=lambda c: (bool(c.text.text.strip()), c.col_span))  # its label's piece
            kind = sep if sep.text.text.strip() else kind
            span_end, fresh = 0, True
            continue
        if not any(c.text.text.strip() for c in row_cells if c.col in mapping):
            continue
        rest = _rest_of_row_above(row_cells, mapping, rows[-1] if rows else None, spanned=r < span_end) \
            if not fresh else None
        if rest is not None:
            i = len(rows) - 1
            for c in row_cells:
                key = mapping.get(c.col)
                if key in rest:
                    value = out.extend(f"rows[{i}].{key}", _get(rows[i], key), c) if rest[key] == "wraps" \
                        else out.cell(f"rows[{i}].{key}", c)
                    _set(rows[i], key, value)
            continue
        fresh = False
        i = len(rows)
        row = _empty_row(form)
        if form == MODIFICATION and kind is not None:
            row["kind"] = out.cell(f"rows[{i}].kind", kind)
        for c in row_cells:
            if c.col in mapping:
                _set(row, mapping[c.col], out.cell(f"rows[{i}].{mapping[c.col]}", c))
        rows.append(row)
        span_end = max(c.row + c.row_span for c in row_cells)
    return rows
