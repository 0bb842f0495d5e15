"""reconcile.forms.understand on constructed PageReads (no images, no tesseract)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ocr.types import BBox, Cell, Grid, Line, OcrText, PageRead
from reconcile.forms import MODIFICATION, PROGRESS, detect_form, understand
from reconcile.paths import leaves

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "tests" / "data" / "dif-2023" / "raw.jsonl"
W = 100  # width of one grid column in the fake page


def _line(text: str, y: int, x: int = 100, conf: float = 0.9) -> Line:
    words, cx = [], x
    for w in text.split():
        words.append(OcrText(w, conf, BBox(cx, y, cx + 12 * len(w), y + 20)))
        cx += 12 * len(w) + 12
    return Line(text, conf, BBox(x, y, cx, y + 20), tuple(words))


def _grid(header: list[tuple[int, int, int, int, str]], body: list[list[str]], n_cols: int,
          full_rows: dict[int, str] | None = None) -> Grid:
    depth = max(r + rs for r, _, rs, _, _ in header)
    n_rows = depth + len(body)
    rows = tuple(500 + 40 * i for i in range(n_rows + 1))
    cols = tuple(50 + W * j for j in range(n_cols + 1))

    def cell(r, c, rs, cs, text):
        box = BBox(cols[c], rows[r], cols[c + cs], rows[r + rs])
        return Cell(r, c, rs, cs, box, OcrText(text, 0.95 if text else 0.0, box if text else None))

    cells = [cell(*h) for h in header]
    for i, values in enumerate(body):
        r = depth + i
        if full_rows and i in full_rows:
            cells.append(cell(r, 0, 1, n_cols, full_rows[i]))
            continue
        cells.extend(cell(r, j, 1, 1, v) for j, v in enumerate(values))
    return Grid(BBox(cols[0], rows[0], cols[-1], rows[-1]), rows, cols, tuple(cells))


HEADER = (
    "24 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA", "PROGRAMA OPERATIVO ANUAL 2023",
    "SEGUNDO AVANCE PROGRAMATICO",
    "CLASIFICACION ADMINISTRATIVA: 3121 ENTIDADES PARAMUNICIPALES",
    "RAMO: 52 DESARROLLO INTEGRAL", "PROGRAMA: 511 GESTION ADMINISTRATIVA",
    "UNIDAD EJECUTORA: 52102 JEFATURA DEL DEPARTAMENTO", "ADMINISTRATIVO Y CONTABLE",
    "FINALIDAD: 2 DESARROLLO SOCIAL", "FUNCION: 6 PROTECCION SOCIAL",
    "SUBFUNCI0N: 9 OTROS DE SEGURIDAD SOCIAL", "LINEAS DE ACCION:",
    "4.6.1 MESURA EN EL EJERCICIO", "DE LOS RECURSOS PUBLICOS", "4.6.2 RACIONALIZACION DEL GASTO",
)
SIGNATURE = (
    ("ELABORÓ", "C.P. RAMONA MARTINEZ ACOSTA", "JEFE DE DEPTO. ADMINISTRATIVO", "Y CONTABLE"),
    ("REVISÓ", "LIC. PEDRO LOPEZ", "RESPONSABLE DEL RAMO"),
    ("AUTORIZO", "DRA. JUANA CORNEJO", "DIRECTORA"),
)


def _page(grid: Grid, header=HEADER, signature=SIGNATURE) -> PageRead:
    lines = tuple(_line(t, 40 + 30 * i) for i, t in enumerate(header))
    sig = tuple(tuple(_line(t, 1500 + 30 * i, 100 + 900 * k) for i, t in enumerate(col))
                for k, col in enumerate(signature))
    return PageRead(width=3300, height=2550, rotation=0, skew=0.0, header=lines, grid=grid, signature=sig)


def _progress_grid(order: list[str]) -> Grid:
    """Progress table whose top-level columns come in ``order`` (PERIODO is one group)."""
    header, body_cols, c = [], [], 0
    values = {"la": "4.6.1, 4.6.2", "desc": "201.-SEGUIMIENTO AL GASTO", "um": "NÓMINA", "meta": "52",
              "abs": "26", "rel": "50%", "obs": "SIN NOVEDAD"}
    titles = {"la": "L/A", "desc": "DESCRIPCION DE LAS METAS/ACCIONES", "um": "UNIDAD DE MEDIDA",
              "meta": "META ANUAL", "abs": "AVANCE ABSOLUTO", "rel": "ACUMULADO RELATIVO",
              "obs": "OBSERVACIONES"}
    for key in order:
        if key == "periodo":
            header.append((0, c, 1, 8, "PERIODO"))
            for q, name in enumerate(("Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic")):
                header.append((1, c + 2 * q, 1, 2, name))
                header.append((2, c + 2 * q, 1, 1, "P"))
                header.append((2, c + 2 * q + 1, 1, 1, "A"))
                body_cols += [str(10 + q), str(20 + q) if q < 2 else ""]
            c += 8
        else:
            header.append((0, c, 3, 1, titles[key]))
            body_cols.append(values[key])
            c += 1
    return _grid(header, [body_cols], c)


EXPECTED_ROW = {
    "kind": None, "number": None, "lineas_accion": "4.6.1, 4.6.2", "descripcion": "201.-SEGUIMIENTO AL GASTO",
    "unidad_medida": "NÓMINA", "meta_anual": "52",
    "trimestres": [{"programado": "10", "alcanzado": "20"}, {"programado": "11", "alcanzado": "21"},
                   {"programado": "12", "alcanzado": None}, {"programado": "13", "alcanzado": None}],
    "avance_absoluto": "26", "avance_relativo": "50%", "observaciones": "SIN NOVEDAD",
}


@pytest.mark.parametrize("order", [
    ["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"],
    ["obs", "rel", "periodo", "desc", "abs", "la", "meta", "um"],
    ["meta", "periodo", "um", "obs", "la", "rel", "desc", "abs"],
])
def test_columns_are_mapped_by_their_titles_in_any_order(order):
    raw = understand(_page(_progress_grid(order)), source={"file": "x.pdf", "page": 1})
    assert raw.data["rows"] == [EXPECTED_ROW]
    assert list(raw.data["rows"][0]) == list(EXPECTED_ROW)  # contract key order


def test_header_fields_and_provenance():
    raw = understand(_page(_progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])),
                     page_no=2, source="scan.pdf")
    d = raw.data
    assert d["source"] == {"file": "scan.pdf", "page": 2, "sha256": None}
    assert d["ayuntamiento"] == "24 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA"
    assert d["ejercicio"] == "PROGRAMA OPERATIVO ANUAL 2023"
    assert d["report_type"] == d["trimestre"] == "SEGUNDO AVANCE PROGRAMATICO"
    assert d["ramo"] == {"code": "52", "name": "DESARROLLO INTEGRAL"}
    assert d["unidad_ejecutora"] == {"code": "52102", "name": "JEFATURA DEL DEPARTAMENTO ADMINISTRATIVO Y CONTABLE"}
    assert d["subfuncion"] == {"code": "9", "name": "OTROS DE SEGURIDAD SOCIAL"}  # label read "SUBFUNCI0N"
    assert d["funcion"]["code"] == "6" and d["programa"]["code"] == "511"
    assert d["lineas_accion"] == [{"code": "4.6.1", "name": "MESURA EN EL EJERCICIO DE LOS RECURSOS PUBLICOS"},
                                  {"code": "4.6.2", "name": "RACIONALIZACION DEL GASTO"}]
    assert d["signatarios"] == [
        {"rol": "ELABORÓ", "nombre": "C.P. RAMONA MARTINEZ ACOSTA", "cargo": "JEFE DE DEPTO. ADMINISTRATIVO Y CONTABLE"},
        {"rol": "REVISÓ", "nombre": "LIC. PEDRO LOPEZ", "cargo": "RESPONSABLE DEL RAMO"},
        {"rol": "AUTORIZO", "nombre": "DRA. JUANA CORNEJO", "cargo": "DIRECTORA"},
    ]
    # every leaf read from the page has its provenance, on page 2, with a box
    for path, value in leaves(d).items():
        if value is not None and not path.startswith("source"):
            prov = raw.ocr[path]
            assert prov.page == 2 and prov.bbox is not None and 0 < prov.confidence <= 1, path
    assert raw.ocr["rows[0].trimestres[1].alcanzado"].bbox[0] == 50 + W * 7


@pytest.mark.parametrize("label", ["LIT AD DE ACUIUN:", None])
def test_the_list_of_lineas_is_found_by_its_codes_when_its_label_is_lost(label):
    header = [t for t in HEADER if t != "LINEAS DE ACCION:"]
    at = header.index("4.6.1 MESURA EN EL EJERCICIO")
    if label:
        header.insert(at, label)
    d = understand(_page(_progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"]),
                         header=tuple(header)), source="scan.pdf").data
    assert d["subfuncion"] == {"code": "9", "name": "OTROS DE SEGURIDAD SOCIAL"}  # no label text in the name
    assert d["lineas_accion"] == [{"code": "4.6.1", "name": "MESURA EN EL EJERCICIO DE LOS RECURSOS PUBLICOS"},
                                  {"code": "4.6.2", "name": "RACIONALIZACION DEL GASTO"}]


def test_p_and_a_read_as_one_title_over_both_columns_go_by_order():
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    cells = []
    for c in grid.cells:  # the P | A parting line faded: "P A" spans both leaf columns
        if c.row == 2 and 4 <= c.col < 12:
            if c.text.text == "P":
                cells.append(Cell(2, c.col, 1, 2, BBox(c.bbox.x0, c.bbox.y0, c.bbox.x1 + W, c.bbox.y1),
                                  OcrText("P A", 0.9, c.bbox)))
            continue
        cells.append(c)
    raw = understand(_page(Grid(grid.bbox, grid.row_edges, grid.col_edges, tuple(cells))), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]


def test_quarters_unread_on_a_fax_go_by_their_order_under_the_period():
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    garbled = {"Ene-Mar": "A", "Abr-Jun": "Abri. O.", "Jul-Sep": "z mia A a", "Oct-Dic": "Ca", "P": "AE"}
    cells = tuple(Cell(c.row, c.col, c.row_span, c.col_span, c.bbox,
                       OcrText(garbled.get(c.text.text, c.text.text), 0.3, c.text.bbox)) if c.row in (1, 2) else c
                  for c in grid.cells)
    raw = understand(_page(Grid(grid.bbox, grid.row_edges, grid.col_edges, cells)), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]


def test_quarter_titles_run_together_go_two_columns_a_quarter_under_the_period():
    """The lines between three quarter titles lost in a fax: "Abr-Jun Jul-Sep Oct-Dic" over
    six columns, and its P | A titles read as anything; under PERIODO's eight columns,
    each quarter is two of them, P first."""
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    cells, first = [], min(c.col for c in grid.cells if c.text.text == "Abr-Jun")
    for c in grid.cells:
        if c.row == 1 and c.col > first and c.col < first + 6:
            continue
        if c.row == 1 and c.col == first:
            c = Cell(1, first, 1, 6, BBox(c.bbox.x0, c.bbox.y0, c.bbox.x0 + 6 * W, c.bbox.y1),
                     OcrText("Abr-Jun Jul-Sep Oct-Dic", 0.5, c.bbox))
        elif c.row == 2 and c.col >= first:
            c = Cell(2, c.col, 1, 1, c.bbox, OcrText("Pp", 0.3, c.bbox))
        cells.append(c)
    raw = understand(_page(Grid(grid.bbox, grid.row_edges, grid.col_edges, tuple(cells))), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]


def test_quarters_under_a_period_title_lost_in_shading_go_by_their_place_between_meta_and_advance():
    """A fax's shading over PERIODO, the quarters and their letters, with some of the lines
    between them lost: PERIODO left over five columns, "Abr-Jun" cut in two, and nothing
    read as a title. The eight columns between META ANUAL and AVANCE ABSOLUTO are the
    quarters, two a quarter, P first, as the form prints them."""
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    shaded = [(0, 4, 1, 5, "MA AO RRTODO,"), (0, 9, 1, 3, ""), (1, 4, 1, 2, "ERE"), (1, 6, 1, 1, "¿bae"),
              (1, 7, 1, 1, "Fu"), (1, 8, 1, 2, "AOS"), (1, 10, 1, 2, "o O DE:"),
              *[(2, j, 1, 1, t) for j, t in zip(range(4, 12), ("Pe", "A", "", "A", "ARA", "", "e.", "CAS"))]]
    cells = [c for c in grid.cells if not (c.row < 3 and 4 <= c.col < 12)]
    for r, c, rs, cs, text in shaded:
        box = BBox(grid.col_edges[c], grid.row_edges[r], grid.col_edges[c + cs], grid.row_edges[r + rs])
        cells.append(Cell(r, c, rs, cs, box, OcrText(text, 0.2, box if text else None)))
    raw = understand(_page(replace(grid, cells=tuple(cells))), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]
    # a column of words among them is no quarter: none is taken by its place
    words = tuple(replace(c, text=replace(c.text, text="SIN NOVEDAD")) if c.col == 6 and c.row >= 3 else c
                  for c in cells)
    row = understand(_page(replace(grid, cells=words)), source="x.pdf").data["rows"][0]
    assert all(q == {"programado": None, "alcanzado": None} for q in row["trimestres"])


def _retitled(grid: Grid, titles: dict[str, str]) -> Grid:
    cells = tuple(Cell(c.row, c.col, c.row_span, c.col_span, c.bbox,
                       OcrText(titles.get(c.text.text, c.text.text), 0.3, c.text.bbox)) if c.row == 0 else c
                  for c in grid.cells)
    return Grid(grid.bbox, grid.row_edges, grid.col_edges, cells)


def test_a_title_half_lost_goes_to_the_one_column_it_can_still_be():
    """ "AVANCE" alone (its second line lost in a fax's shading) is AVANCE ABSOLUTO once the
    relative advance has its column; read so under both, it is neither."""
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    raw = understand(_page(_retitled(grid, {"AVANCE ABSOLUTO": ": AVANCE >"})), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]
    raw = understand(_page(_retitled(grid, {"AVANCE ABSOLUTO": "AVANCE", "ACUMULADO RELATIVO": "AVANCE"})),
                     source="x.pdf")
    row = raw.data["rows"][0]
    assert row["avance_absoluto"] is None and row["avance_relativo"] is None
    assert row["meta_anual"] == "52" and row["observaciones"] == "SIN NOVEDAD"


@pytest.mark.parametrize("lost", [("DESCRIPCION DE LAS METAS/ACCIONES",), ("AVANCE ABSOLUTO",), ("OBSERVACIONES",),
                                  ("L/A", "AVANCE ABSOLUTO")])
def test_a_title_lost_whole_goes_to_the_column_between_the_two_the_form_prints_round_it(lost):
    """A fax's shading left a title as specks ("o 0 mesxaccs 0 e"): the one column between
    two columns whose keys the progress form prints one apart (or the table's edge) is the
    key printed between them, when its cells hold what that key holds."""
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    raw = understand(_page(_retitled(grid, {t: "o 0 mesxaccs 0 e" for t in lost})), source="x.pdf")
    assert raw.data["rows"] == [EXPECTED_ROW]


def test_a_title_lost_whole_is_left_unmapped_where_the_cells_or_the_neighbours_say_otherwise():
    grid = _progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])
    # the column between the action lines and the unit holds numbers: no description
    cells = tuple(replace(c, text=replace(c.text, text="1,520")) if c.col == 1 and c.row >= 3 else c
                  for c in grid.cells)
    row = understand(_page(_retitled(replace(grid, cells=cells), {"DESCRIPCION DE LAS METAS/ACCIONES": "o 0 e"})),
                     source="x.pdf").data["rows"][0]
    assert row["descripcion"] is None and row["unidad_medida"] == "NÓMINA"
    # two titles lost side by side: neither column is known by its neighbours
    row = understand(_page(_retitled(grid, {"AVANCE ABSOLUTO": "o 0 e", "ACUMULADO RELATIVO": "a e 0"})),
                     source="x.pdf").data["rows"][0]
    assert row["avance_absoluto"] is None and row["avance_relativo"] is None and row["observaciones"] == "SIN NOVEDAD"


@pytest.mark.parametrize("justification, taken", [("SE AMPLIA", "SE AMPLIA"), ("12", None)])
def test_a_title_garbled_in_part_is_known_by_what_is_left_and_by_its_cells(justification, taken):
    """ "o : 7 JUS MEICACION A" is JUSTIFICACION (no other key comes near) where its cells hold
    words; over cells of numbers it is left unmapped."""
    header = [(*h[:4], "o : 7 JUS MEICACION A" if h[4] == "JUSTIFICACION" else h[4]) for h in MOD_HEADER]
    body = [["T", "4.6.1", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "4", "5", "4", justification]]
    row = understand(_page(_grid(header, body, 14), header=TITLE)).data["rows"][0]
    assert row["justificacion"] == taken and row["meta_anual_modificada"] == "16"


def test_same_top_level_keys_as_the_corpus_raw_records():
    corpus = json.loads(RAW.read_text().splitlines()[0])
    raw = understand(_page(_progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"])))
    assert list(raw.data) == list(corpus)
    assert list(raw.data["rows"][0]) == list(corpus["rows"][0])


def _separated_grid(justificacion: str) -> Grid:
    """A modification table with a META band, a goal row, an ACCION band and an action row."""
    header = [(0, 0, 2, 1, "MOV."), (0, 1, 2, 1, "PROY"), (0, 2, 2, 1, "LINEA DE ACCION P.M.D."),
              (0, 3, 2, 1, "No."), (0, 4, 2, 1, "DESCRIPCION DE LAS METAS/ACCIONES"),
              (0, 5, 2, 1, "UNIDAD MEDIDA"), (0, 6, 2, 1, "META ANUAL AUTORIZADA"),
              (0, 7, 1, 2, "MODIFICACIONES"), (1, 7, 1, 1, "AUMENTOS"), (1, 8, 1, 1, "DISMINUCIONES"),
              (0, 9, 2, 1, "META ANUAL MODIFICADA"), (0, 10, 1, 4, "CALENDARIO TRIMESTRE"),
              (1, 10, 1, 1, "I"), (1, 11, 1, 1, '"'), (1, 12, 1, 1, "111"), (1, 13, 1, 1, "IV"),
              (0, 14, 2, 1, "JUSTIFICACION")]
    body = [[], ["", "", "4.6.1", "M.2", "ADMINISTRAR", "INFORME", "4", "", "", "4", "1", "1", "1", "1", ""],
            [], ["AM", "", "4.6.1", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "3", "5", "5",
                 justificacion]]
    return _grid(header, body, 15, full_rows={0: "META", 2: "ACCION"})


def test_modification_form_with_separator_rows():
    grid = _separated_grid("SE INCREMENTA")
    title = ("24 AYUNTAMIENTO DE MEXICALI", "PROGRAMA OPERATIVO ANUAL 2023", "MODIFICACIONES PROGRAMÁTICAS", "TMM-F009")
    raw = understand(_page(grid, header=title))
    d = raw.data
    assert d["report_type"] == "MODIFICACIONES PROGRAMÁTICAS" and d["trimestre"] is None
    assert d["formato"] == "TMM-F009"
    assert len(d["rows"]) == 2
    first, second = d["rows"]
    assert list(first) == ["movimiento", "kind", "number", "lineas_accion", "descripcion", "unidad_medida",
                           "meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada",
                           "calendario", "justificacion"]
    assert first["kind"] == "META" and second["kind"] == "ACCION"
    assert first["number"] == "M.2" and first["movimiento"] is None
    assert second["movimiento"] == "AM" and second["aumentos"] == "4" and second["disminuciones"] is None
    assert second["calendario"] == ["3", "3", "5", "5"]  # numerals misread: columns by position
    assert second["justificacion"] == "SE INCREMENTA"


def test_a_separator_band_cut_in_two_by_a_phantom_line_is_still_a_band():
    """A column line found inside the META band (a fax's dotted column ruling mended across
    it) cuts the band in two cells: no cell of one column, one over most of them."""
    from dataclasses import replace as _replace
    grid = _separated_grid("")
    cells = []
    for c in grid.cells:
        if c.col_span == 15 and c.text.text == "META":
            left = _replace(c, col_span=12, bbox=BBox(c.bbox.x0, c.bbox.y0, grid.col_edges[12], c.bbox.y1))
            right = _replace(c, col=12, col_span=3, text=OcrText("", 0.0, None),
                             bbox=BBox(grid.col_edges[12], c.bbox.y0, c.bbox.x1, c.bbox.y1))
            cells += [left, right]
        else:
            cells.append(c)
    title = ("PROGRAMA OPERATIVO ANUAL 2023", "MODIFICACIONES PROGRAMÁTICAS")
    rows = understand(_page(_replace(grid, cells=tuple(cells)), header=title)).data["rows"]
    assert [(r["kind"], r["number"], r["movimiento"]) for r in rows] == [("META", "M.2", None), ("ACCION", "207", "AM")]
    # a row of wide cells that holds numbers (its column lines lost) is a row, not a band
    last = max(c.row for c in cells)
    merged = [c for c in cells if c.row != last] + [
        Cell(last, 0, 1, 12, BBox(grid.col_edges[0], grid.row_edges[last], grid.col_edges[12], grid.row_edges[last + 1]),
             OcrText("AM 4.6.1 207 GESTIONAR SUMINISTROS 12 4 16 3 3", 0.9, None)),
        Cell(last, 12, 1, 3, BBox(grid.col_edges[12], grid.row_edges[last], grid.col_edges[15], grid.row_edges[last + 1]),
             OcrText("5 5", 0.9, None))]
    rows = understand(_page(_replace(grid, cells=tuple(merged)), header=title)).data["rows"]
    assert len(rows) == 2 and rows[1]["kind"] == "ACCION"


MODIFICATION_TITLE = ("PROGRAMA OPERATIVO ANUAL 2023", "MODIFICACIONES PROGRAMÁTICAS")


def _rows_of(grid: Grid, cells) -> list[dict]:
    from dataclasses import replace as _replace
    return understand(_page(_replace(grid, cells=tuple(cells)), header=MODIFICATION_TITLE)).data["rows"]


@pytest.mark.parametrize("pieces", [
    ((0, 6, ""), (6, 2, "META"), (8, 4, ""), (12, 3, "")),  # no piece over half the columns
    ((0, 1, ""), (1, 6, "MET"), (7, 5, "A"), (12, 3, "")),  # the word cut too, an empty piece of one column
])
def test_a_band_a_fax_cut_in_pieces_is_still_a_band(pieces):
    """The META band cut by column lines a fax's dots mended across it."""
    from dataclasses import replace as _replace
    grid = _separated_grid("")

    def cut(c, parts):
        out = []
        for col, span, text in parts:
            box = BBox(grid.col_edges[col], c.bbox.y0, grid.col_edges[col + span], c.bbox.y1)
            out.append(_replace(c, col=col, col_span=span, bbox=box,
                                text=OcrText(text, 0.9 if text else 0.0, box if text else None)))
        return out

    cells = [p for c in grid.cells for p in (cut(c, pieces) if c.col_span == 15 and c.text.text == "META" else [c])]
    rows = _rows_of(grid, cells)
    assert [r["number"] for r in rows] == ["M.2", "207"] and rows[1]["kind"] == "ACCION"
    # the last words of a description cut off by a streak, their cell over two columns, are no band
    words = [(0, 1, ""), (1, 1, ""), (2, 1, ""), (3, 1, ""), (4, 2, "VULNERABLES."), *((j, 1, "") for j in range(6, 15))]
    cells = [p for c in grid.cells for p in (cut(c, words) if c.col_span == 15 and c.text.text == "META" else [c])]
    assert len(_rows_of(grid, cells)) == 3


def test_two_titles_whose_parting_line_was_lost_each_take_their_column():
    """UNIDAD MEDIDA and META ANUAL AUTORIZADA in one title cell over both columns, their
    lines read interleaved: each column gets one, in the form's order."""
    from dataclasses import replace as _replace
    grid = _separated_grid("")
    cells = [c for c in grid.cells if not (c.row == 0 and c.col in (5, 6))]
    box = BBox(grid.col_edges[5], grid.row_edges[0], grid.col_edges[7], grid.row_edges[2])
    cells.append(Cell(0, 5, 2, 2, box, OcrText("META ANUAL UNIDAD MEDIDA AUTORIZADA", 0.9, box)))
    rows = _rows_of(grid, cells)
    assert [(r["unidad_medida"], r["meta_anual_autorizada"]) for r in rows] == [("INFORME", "4"), ("SUMINISTROS", "12")]
    # a title over two columns that names one of them takes neither by this rule
    cells[-1] = _replace(cells[-1], text=OcrText("META ANUAL AUTORIZADA", 0.9, box))
    assert [r["unidad_medida"] for r in _rows_of(grid, cells)] == [None, None]


def test_a_title_running_down_over_the_first_rows_leaves_them_in_the_body():
    """MOV.'s line under it lost: its cell runs down over the META band and the first row,
    which are still the body's (the other titles end above them)."""
    from dataclasses import replace as _replace
    grid = _separated_grid("")
    cells = []
    for c in grid.cells:
        if c.row == 0 and c.col == 0:
            cells.append(_replace(c, row_span=4, bbox=BBox(c.bbox.x0, c.bbox.y0, c.bbox.x1, grid.row_edges[4])))
        elif c.row == 2 and c.col_span == 15:  # the band, less its first column
            cells.append(_replace(c, col=1, col_span=14, bbox=BBox(grid.col_edges[1], c.bbox.y0, c.bbox.x1, c.bbox.y1)))
        elif not (c.row == 3 and c.col == 0):
            cells.append(c)
    rows = _rows_of(grid, cells)
    assert [(r["kind"], r["number"], r["unidad_medida"]) for r in rows] == [("META", "M.2", "INFORME"),
                                                                           ("ACCION", "207", "SUMINISTROS")]


def test_quarter_titles_merged_with_the_letters_under_them_are_read_in_order():
    """The line between the quarters' titles and their P/A letters lost, and the titles cut
    by the column lines ("Ene- P", "Mar A"): eight columns under PERIODO, two a quarter."""
    header = [(0, 0, 3, 1, "L/A"), (0, 1, 3, 1, "DESCRIPCION DE LAS METAS/ACCIONES"),
              (0, 2, 3, 1, "UNIDAD DE MEDIDA"), (0, 3, 3, 1, "META ANUAL"), (0, 4, 1, 8, "PERIODO")]
    for j, text in enumerate(("Ene- P", "Mar A", "Abr P", "Jun A", "Jul P", "Sep A", "Oct P", "Dic A")):
        header.append((1, 4 + j, 2, 1, text))
    header += [(0, 12, 3, 1, "AVANCE ABSOLUTO"), (0, 13, 3, 1, "ACUMULADO RELATIVO"), (0, 14, 3, 1, "OBSERVACIONES")]
    body = ["4.6.1, 4.6.2", "201.-SEGUIMIENTO AL GASTO", "NÓMINA", "52", "10", "20", "11", "21", "12", "", "13", "",
            "26", "50%", "SIN NOVEDAD"]
    row = understand(_page(_grid(header, [body], 15))).data["rows"][0]
    assert row["trimestres"] == EXPECTED_ROW["trimestres"]


@pytest.mark.parametrize("pieces", [
    [(0, 9, 1, 1, "CA"), (0, 10, 1, 3, ".ENDARIO TRIMESTRE")],  # a phantom line through the word
    [(0, 9, 1, 2, "2 AERDARIO"), (0, 11, 1, 2, "ARIMESTRE")],  # ... between the words, both misread
])
def test_a_calendar_title_split_in_two_keeps_its_four_quarters_in_order(pieces):
    header = [h for h in MOD_HEADER if h[4] != "CALENDARIO TRIMESTRE"] + pieces
    body = [["AM", "4.6.1", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "4", "5", "4", "SE INCREMENTA"]]
    d = understand(_page(_grid(header, body, 14), header=TITLE)).data
    assert d["rows"][0]["calendario"] == ["3", "4", "5", "4"]
    assert d["rows"][0]["meta_anual_modificada"] == "16" and d["rows"][0]["justificacion"] == "SE INCREMENTA"


def test_a_calendar_title_run_together_with_the_titles_left_of_it_keeps_only_its_own_columns():
    """A fax lost the column lines through the top row of titles from META ANUAL
    AUTORIZADA to the calendar: one title over all of them, "META ANUAL MODIFICACIONES
    META ANUAL CALENDARIO TRIMESTRE", and under it the second lines of the titles
    (AUTORIZADA, AUMENTOS, DISMINUCIONES, MODIFICADA) and the quarters. The columns titled
    as another column are not the calendar's."""
    top = (0, 5, 1, 8, "META ANUAL MODIFICACIONES META ANUAL CALENDARIO TRIMES'")
    header = [h for h in MOD_HEADER if not (h[0] == 0 and 5 <= h[1] <= 9)] + [
        top, (1, 5, 1, 1, "AUTORIZADA"), (1, 8, 1, 1, "MODIFICADA")]
    body = [["AM", "4.6.1", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "4", "5", "4", "SE INCREMENTA"]]
    row = understand(_page(_grid(header, body, 14), header=TITLE)).data["rows"][0]
    assert row["calendario"] == ["3", "4", "5", "4"]
    assert (row["meta_anual_autorizada"], row["aumentos"], row["disminuciones"], row["meta_anual_modificada"]) == (
        "12", "4", None, "16")


def test_a_movement_column_whose_title_is_unreadable_is_known_by_its_codes():
    header = [("0 MOV: - E" if h[4] == "MOV." else h[4]) for h in MOD_HEADER]
    header = [(*h[:4], t) for h, t in zip(MOD_HEADER, header)]
    body = [["T", "4.6.1", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "4", "5", "4", "SE AMPLIA"],
            ["T/AM", "4.6.2", "208", "REVISAR", "INFORMES", "2", "", "", "2", "1", "0", "0", "1", ""],
            ["", "4.6.3", "209", "ENTREGAR", "INFORMES", "1", "", "", "1", "0", "0", "1", "0", ""]]
    rows = understand(_page(_grid(header, body, 14), header=TITLE)).data["rows"]
    assert [r["movimiento"] for r in rows] == ["T", "T/AM", None]
    assert [r["number"] for r in rows] == ["207", "208", "209"]  # the numbers' column is not taken for it


@pytest.mark.parametrize("title", ["ent No. o", "Nós,", ""])  # specks of a fax's shading read as letters
def test_a_number_column_whose_title_is_unreadable_is_known_by_its_numbers(title):
    header = [(*h[:4], title if h[4] == "No." else h[4]) for h in MOD_HEADER]
    body = [["T", "4.6.1", "M.2", "ADMINISTRAR", "INFORME", "4", "", "", "4", "1", "1", "1", "1", ""],
            ["T/AM", "4.6.2", "207", "GESTIONAR", "SUMINISTROS", "12", "4", "", "16", "3", "4", "5", "4", "SE AMPLIA"],
            ["R", "4.6.3", "204.", "ACTUALIZAR", "PADRON", "2", "", "", "2", "1", "0", "0", "1", "SE RECALENDARIZA"]]
    rows = understand(_page(_grid(header, body, 14), header=TITLE)).data["rows"]
    assert [r["number"] for r in rows] == ["M.2", "207", "204."]  # as read
    assert [r["meta_anual_autorizada"] for r in rows] == ["4", "12", "2"]  # numbers elsewhere stay theirs


def test_form_detection_tolerates_ocr_errors():
    assert detect_form("PRIMER AVANGE PROGRAMATIC0") == PROGRESS
    assert detect_form("MODIFICACI0NES PROGRAMATlCAS") == MODIFICATION
    assert detect_form("PROGRAMA: 511 GESTION ADMINISTRATIVA\nPROGRAMA OPERATIVO ANUAL 2023",
                       "MOV. PROY AUMENTOS DISMINUCIONES") == MODIFICATION


MOD_HEADER = [(0, 0, 2, 1, "MOV."), (0, 1, 2, 1, "L/A"), (0, 2, 2, 1, "No."),
              (0, 3, 2, 1, "DESCRIPCION DE LAS METAS/ACCIONES"), (0, 4, 2, 1, "UNIDAD MEDIDA"),
              (0, 5, 2, 1, "META ANUAL AUTORIZADA"), (0, 6, 1, 2, "MODIFICACIONES"), (1, 6, 1, 1, "AUMENTOS"),
              (1, 7, 1, 1, "DISMINUCIONES"), (0, 8, 2, 1, "META ANUAL MODIFICADA"),
              (0, 9, 1, 4, "CALENDARIO TRIMESTRE"), (1, 9, 1, 1, "I"), (1, 10, 1, 1, "II"),
              (1, 11, 1, 1, "III"), (1, 12, 1, 1, "IV"), (0, 13, 2, 1, "JUSTIFICACION")]
TITLE = ("PROGRAMA OPERATIVO ANUAL 2031", "MODIFICACIONES PROGRAMÁTICAS")


def _cut_grid(second_half: dict[int, str], top_half: dict[int, str], cut: range = range(4, 8)) -> Grid:
    """A modification table whose one printed row was cut in two grid rows in the columns ``cut``
    (a spurious ruling): the other columns' cells span both grid rows."""
    cols = tuple(50 + W * j for j in range(15))
    rows = tuple(500 + 40 * i for i in range(5))
    cells = []

    def cell(r, c, rs, cs, text):
        box = BBox(cols[c], rows[r], cols[c + cs], rows[r + rs])
        cells.append(Cell(r, c, rs, cs, box, OcrText(text, 0.95 if text else 0.0, box if text else None)))

    for h in MOD_HEADER:
        cell(*h)
    spanning = {0: "AM", 1: "7.3.1", 2: "708", 3: "REVISAR EXPEDIENTES", 8: "9", 9: "2", 10: "2", 11: "2",
                12: "3", 13: "SE AMPLIA"}
    for c in range(14):
        if c in cut:
            cell(2, c, 1, 1, top_half.get(c, ""))
            cell(3, c, 1, 1, second_half.get(c, ""))
        else:
            cell(2, c, 2, 1, spanning[c])
    return Grid(BBox(cols[0], rows[0], cols[-1], rows[-1]), rows, cols, tuple(cells))


def test_row_cut_by_a_spurious_ruling_is_one_row():
    raw = understand(_page(_cut_grid({4: "EXPEDIENTE", 5: "6", 6: "3"}, {}), header=TITLE))
    assert len(raw.data["rows"]) == 1
    row = raw.data["rows"][0]
    assert (row["number"], row["unidad_medida"], row["meta_anual_autorizada"], row["aumentos"]) == \
        ("708", "EXPEDIENTE", "6", "3")
    assert row["meta_anual_modificada"] == "9" and row["calendario"] == ["2", "2", "2", "3"]
    assert raw.ocr["rows[0].aumentos"].bbox is not None


def test_the_last_lines_of_a_justification_cut_off_by_a_spurious_line_stay_with_their_row():
    """A fax streak level with the scan ran across the table between two lines of the last
    row's justification: the grid row under it holds only their last line."""
    body = [["T", "2.4.1", "404", "BRINDAR PROGRAMAS", "ACTIVIDAD", "117", "", "17", "100", "33", "30", "24", "13",
             "SE TRANSFIEREN 17 ACTIVIDADES"],
            ["R", "2.1.1", "406", "FOMENTAR", "GESTIONES", "48", "", "", "48", "12", "12", "10", "14",
             "SE RECALENDARIZAN LAS GESTIONES"],
            [""] * 13 + ["DECEMBRINA."]]
    raw = understand(_page(_grid(MOD_HEADER, body, 14), header=TITLE))
    rows = raw.data["rows"]
    assert [r["number"] for r in rows] == ["404", "406"]
    assert rows[1]["justificacion"] == "SE RECALENDARIZAN LAS GESTIONES DECEMBRINA."
    assert rows[0]["justificacion"] == "SE TRANSFIEREN 17 ACTIVIDADES"
    box = raw.ocr["rows[1].justificacion"].bbox  # both pieces, for the reviewer's crop
    assert box[1] == 500 + 40 * 3 and box[3] == 500 + 40 * 5
    # a row of its own brings what names it, or numbers: it stays a row
    body[2] = [""] * 5 + ["7"] + [""] * 7 + ["DECEMBRINA."]
    assert len(understand(_page(_grid(MOD_HEADER, body, 14), header=TITLE)).data["rows"]) == 3
    # and prose the row above lacks is no tail of it
    body[1][13], body[2] = "", [""] * 13 + ["DECEMBRINA."]
    assert len(understand(_page(_grid(MOD_HEADER, body, 14), header=TITLE)).data["rows"]) == 3


def test_a_row_cut_between_the_lines_of_its_description_is_one_row():
    """A fax streak level with the scan ran through a row between the two lines of its
    description and along its numbers' tops: the upper grid row holds the description's
    first line (and a speck of a digit read "-"), the lower one its last line and the numbers."""
    top = {3: "708.-REVISAR LOS EXPEDIENTES", 9: "-"}
    rest = {3: "DEL PERSONAL", 4: "EXPEDIENTE", 5: "6", 6: "3", 9: "2", 10: "2", 11: "2", 12: "3"}
    raw = understand(_page(_cut_grid(rest, top, cut=range(3, 13)), header=TITLE))
    assert len(raw.data["rows"]) == 1
    row = raw.data["rows"][0]
    assert row["descripcion"] == "708.-REVISAR LOS EXPEDIENTES DEL PERSONAL"
    assert (row["unidad_medida"], row["meta_anual_autorizada"], row["calendario"]) == ("EXPEDIENTE", "6", ["2", "2", "2", "3"])
    # a lower half whose description opens with a row number is a row of its own
    rest[3] = "709.-ARCHIVAR"
    assert len(understand(_page(_cut_grid(rest, top, cut=range(3, 13)), header=TITLE)).data["rows"]) == 2


def test_halves_that_overlap_are_not_merged():
    # the lower grid row fills a cell the upper one also has: two readings of one cell, or two rows
    raw = understand(_page(_cut_grid({4: "EXPEDIENTE", 5: "6"}, {5: "6"}), header=TITLE))
    assert len(raw.data["rows"]) == 2


def test_a_short_line_of_marks_is_not_taken_for_a_title():
    """A fax speck read "MÁ" above the title matches inside "PROGRAMA" (partial ratio 100):
    it is no title, and the year's line is still found."""
    header = ("24 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA", "TMM-F009", "MÁ", *HEADER[1:])
    raw = understand(_page(_progress_grid(["la", "desc", "um", "meta", "periodo", "abs", "rel", "obs"]), header=header),
                     source="scan.pdf")
    assert raw.data["ejercicio"] == "PROGRAMA OPERATIVO ANUAL 2023"
    assert raw.data["ayuntamiento"] == "24 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA"
