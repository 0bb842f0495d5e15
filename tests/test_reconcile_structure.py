"""Structural doubts and ill-formed free text are sent to review, never vouched for (one test per rule)."""
from __future__ import annotations

import copy

import pytest

from reconcile import prose
from reconcile.catalog import CatalogIndex, load_csv
from reconcile.paths import is_flagged
from reconcile.record import reconcile_json
from test_reconcile_helpers import DIF, read_jsonl


@pytest.fixture(scope="module")
def catalog() -> CatalogIndex:
    return CatalogIndex(load_csv(DIF / "catalog.csv"))


@pytest.fixture(scope="module")
def pages() -> list[dict]:
    return read_jsonl(DIF / "raw.jsonl")


def _run(raw: dict, catalog: CatalogIndex) -> tuple[dict, list[str]]:
    out = reconcile_json(raw, catalog)
    return out, out["review"]["needs_review"]


def _page(pages, n=0) -> dict:
    return copy.deepcopy(pages[n])


def test_untouched_page_flags_none_of_the_new_paths(pages, catalog):
    out, flagged = _run(_page(pages), catalog)
    for path in ("rows", "signatarios", "lineas_accion", "clasificacion_administrativa", "rows[1]",
                 f"rows[{len(out['rows'])}]", "rows[1].lineas_accion"):
        assert path not in flagged


# -- free text -----------------------------------------------------------------------------------------

def _with_note(pages, text: str, confidence: float = 0.97) -> dict:
    raw = _page(pages)
    raw["rows"][1]["observaciones"] = text
    raw.setdefault("ocr", {})["rows[1].observaciones"] = {"confidence": confidence}
    return raw


def test_confident_well_formed_note_is_auto(pages, catalog):
    _, flagged = _run(_with_note(pages, "SE CUMPLE LA META CONFORME AL CALENDARIO DEL EJERCICIO."), catalog)
    assert "rows[1].observaciones" not in flagged


@pytest.mark.parametrize("text", [
    "SE CUMPLE LA META CONFORME AL CALENDARIO DEL EJERCICIO,",  # a final comma for a period
    "SE DA SEGUIMIENTO DELGASTO CONFORME AL CALENDARIO.",  # two known words run together
    "SE TRANSFIERE PARAAMPLIAR EL SEGUIMIENTO AL GASTO.",  # "AA" inside an unknown word
    "SE CUMPLE LA META DE S SERVICIOS.",  # a lone consonant
    "SE CUMPLE LA ACCION 404PARA EL GASTO.",  # a number run into a word
    "SE CUMPLE LA META CONFORME AL. CALENDARIO DEL EJERCICIO.",  # a mark after an article
    "SE CUMPLE LA META DEBIDO ALA DEMANDA DEL EJERCICIO.",  # a preposition glued to its article
    "Nose alcanza la meta por la demanda del ejercicio.",  # two short words run together
    "SE CUMPLE El CALENDARIO DEL EJERCICIO.",  # lower case inside upper-case text
    "Se cumple la meta en servicios médicos. dentales y del ejercicio.",  # a full stop before lower case
    "SE D'SMINUYE LA META DEL EJERCICIO.",  # a mark inside a word
    "SE CUMPLE LA META CONFORME AL CALENDARIO DEL",  # no full stop: the end may be lost
])
def test_confident_but_ill_formed_note_goes_to_review(pages, catalog, text):
    out, flagged = _run(_with_note(pages, text), catalog)
    assert "rows[1].observaciones" in flagged
    assert any(c["rule"] == "prose_well_formed" for c in out["fields"]["rows[1].observaciones"]["checks"])


def test_glued_needs_both_halves_known_and_one_long():
    vocab = prose.vocabulary(["LA ACCION DE GASTO"])
    assert prose.glued("LAACCION", vocab) == "LA ACCION"
    assert prose.glued("SEDE", vocab) is None  # SE + DE: both short, a word of its own
    assert prose.problems("SE ENTREGA LA ACCION.", vocab) == []


# -- header --------------------------------------------------------------------------------------------

def test_unread_header_pair_the_catalog_has_is_flagged(pages, catalog):
    raw = _page(pages)
    raw["clasificacion_administrativa"] = {"code": None, "name": None}
    out, flagged = _run(raw, catalog)
    assert out["clasificacion_administrativa"] is None
    assert "clasificacion_administrativa" in flagged


def test_header_line_that_swallowed_the_next_one_flags_the_list(pages, catalog):
    raw = _page(pages)
    first, second = raw["lineas_accion"][0], raw["lineas_accion"][1]
    first["name"] = f"{first['name']} a 4..6.2 {second['name']}"  # the next line's code unreadable
    del raw["lineas_accion"][1]
    _, flagged = _run(raw, catalog)
    assert "lineas_accion" in flagged


def test_speck_before_an_embedded_code_is_dropped(pages, catalog):
    raw = _page(pages)
    lines = raw["lineas_accion"]
    raw["lineas_accion"] = [{"code": ":", "name": f". . {lines[0]['code'].replace('.', ',', 1)} {lines[0]['name']}"}] + lines[1:]
    out, _ = _run(raw, catalog)
    assert [l["code"] for l in out["lineas_accion"]] == [l["code"] for l in lines]


# -- signatories ---------------------------------------------------------------------------------------

def test_a_lost_signature_block_flags_the_block_list(pages, catalog):
    raw = _page(pages)
    raw["signatarios"] = raw["signatarios"][:2]
    _, flagged = _run(raw, catalog)
    assert "signatarios" in flagged


def test_another_persons_title_under_a_name_is_flagged(pages, catalog):
    raw = _page(pages)
    raw["signatarios"][1]["cargo"] = raw["signatarios"][2]["cargo"]
    out, flagged = _run(raw, catalog)
    if out["signatarios"][1]["nombre"] != out["signatarios"][2]["nombre"]:
        assert is_flagged("signatarios[1].cargo", flagged)


# -- rows ----------------------------------------------------------------------------------------------

def _blank_numbers(row: dict) -> None:
    for key in ("meta_anual", "avance_absoluto", "avance_relativo"):
        row[key] = None
    row["trimestres"] = [{"programado": None, "alcanzado": None} for _ in range(4)]


def test_row_with_its_numbers_unread_is_flagged_whole(pages, catalog):
    raw = _page(pages)
    _blank_numbers(raw["rows"][2])
    _, flagged = _run(raw, catalog)
    assert "rows[2]" in flagged


def test_fragment_row_is_flagged(pages, catalog):
    raw = _page(pages)
    raw["rows"].append({"kind": None, "number": None, "descripcion": None, "observaciones": "CONTINUACION DE TEXTO"})
    _, flagged = _run(raw, catalog)
    assert f"rows[{len(raw['rows']) - 1}]" in flagged


def test_several_fragment_rows_flag_the_table(pages, catalog):
    raw = _page(pages)
    for row in raw["rows"][3:]:
        row["number"] = row["descripcion"] = None
        _blank_numbers(row)
    _, flagged = _run(raw, catalog)
    assert "rows" in flagged


def test_catalog_acciones_after_the_last_row_flag_a_missing_row(pages, catalog):
    raw = _page(pages)
    raw["rows"] = raw["rows"][:-2]
    out, flagged = _run(raw, catalog)
    assert len(out["rows"]) == len(raw["rows"])
    assert f"rows[{len(out['rows'])}]" in flagged  # "a row may follow here"
    assert "rows" not in flagged


def test_catalog_acciones_before_the_first_row_put_every_row_in_doubt(pages, catalog):
    """The first row lost (the line under the titles lost, it was read as a title): every
    row read stands one place up, and the last place is empty."""
    raw = _page(pages)
    raw["rows"] = raw["rows"][1:]
    out, flagged = _run(raw, catalog)
    assert len(out["rows"]) == len(raw["rows"])
    assert all(f"rows[{i}]" in flagged for i in range(len(out["rows"])))
    assert f"rows[{len(out['rows'])}]" in flagged
    _, flagged = _run(_page(pages), catalog)  # all rows read: none of this
    assert not any(f"rows[{i}]" in flagged for i in range(len(out["rows"]) + 2))


@pytest.mark.parametrize("cell", ["4.6.1, 4.6.2,", "4.6.14.6.2", "4.6.1, 4.6.1"])
def test_row_lineas_in_doubt_flag_the_whole_list(pages, catalog, cell):
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = cell
    raw.setdefault("ocr", {})["rows[2].lineas_accion"] = {"confidence": 0.97}
    _, flagged = _run(raw, catalog)
    assert "rows[2].lineas_accion" in flagged


def test_a_lineas_cell_the_reader_was_unsure_of_flags_the_whole_list(pages, catalog):
    """Every code it reads is in the header, but the reader asked for a look: its ink may
    hold a code no reading placed (a fax lost a digit of "2.6.7" and the reading dropped it)."""
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = "4.6.1, 4.6.2"
    raw.setdefault("ocr", {})["rows[2].lineas_accion"] = {"confidence": 0.6}
    out, flagged = _run(raw, catalog)
    assert out["rows"][2]["lineas_accion"] == ["4.6.1", "4.6.2"] and "rows[2].lineas_accion" in flagged
    raw["ocr"]["rows[2].lineas_accion"] = {"confidence": 0.9}
    _, flagged = _run(raw, catalog)
    assert "rows[2].lineas_accion" not in flagged


def test_dots_lost_inside_single_codes_do_not_flag_the_list(pages, catalog):
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = "4.61, 462, 4.6.3"
    out, flagged = _run(raw, catalog)
    assert out["rows"][2]["lineas_accion"] == ["4.6.1", "4.6.2", "4.6.3"]
    assert "rows[2].lineas_accion" not in flagged


def test_unknown_code_no_other_row_cites_is_flagged(pages, catalog):
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = "4.6.1, 9.9.9"
    raw.setdefault("ocr", {})["rows[2].lineas_accion"] = {"confidence": 0.97}
    _, flagged = _run(raw, catalog)
    assert is_flagged("rows[2].lineas_accion[1]", flagged)
    assert not is_flagged("rows[2].lineas_accion[0]", flagged)


# -- later rules: lists, notes, movements ---------------------------------------------------------------

def test_unknown_item_in_the_header_list_flags_the_list(pages, catalog):
    raw = _page(pages)
    raw["lineas_accion"].insert(0, {"code": "4", "name": None})  # a speck read as a line shifts the rest
    _, flagged = _run(raw, catalog)
    assert "lineas_accion" in flagged


def test_one_row_read_flags_the_table(pages, catalog):
    raw = _page(pages)
    raw["rows"] = raw["rows"][:1]
    _, flagged = _run(raw, catalog)
    assert "rows" in flagged


def test_rows_after_a_fragment_are_in_doubt(pages, catalog):
    raw = _page(pages)
    raw["rows"].insert(2, {"kind": None, "number": None, "descripcion": None, "unidad_medida": "INFORME",
                           "meta_anual": "4"})
    _, flagged = _run(raw, catalog)
    assert "rows[2]" in flagged and f"rows[{len(raw['rows']) - 1}]" in flagged and "rows[1]" not in flagged


def test_rows_after_a_row_without_a_number_are_in_doubt(pages, catalog):
    """A fax streak between two lines of a row's print can split it in two: the second piece
    has a description but no number, and every row after it stands one place off."""
    raw = _page(pages)
    piece = copy.deepcopy(raw["rows"][1])
    piece["descripcion"] = "ASISTENCIA, PROTECCION Y PARTICIPACION SOCIAL"
    raw["rows"].insert(2, piece)
    _, flagged = _run(raw, catalog)
    assert "rows[2]" in flagged and "rows[3]" in flagged and f"rows[{len(raw['rows']) - 1}]" in flagged
    assert "rows[1]" in flagged  # it may have lost the piece's lines
    assert "rows[0]" not in flagged


def test_a_first_row_without_a_number_puts_no_row_in_doubt(pages, catalog):
    raw = _page(pages)
    raw["rows"][0]["descripcion"] = "ADMINISTRAR EFICIENTEMENTE"  # its "M.2" lost: no row above to be a piece of
    _, flagged = _run(raw, catalog)
    assert "rows[1]" not in flagged and f"rows[{len(raw['rows']) - 1}]" not in flagged


def test_unknown_code_in_an_unsure_cell_flags_the_list(pages, catalog):
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = "4.6.1, 4.0.2"  # 4.6.2, 4.6.3 run together and misread?
    raw.setdefault("ocr", {})["rows[2].lineas_accion"] = {"confidence": 0.6}
    _, flagged = _run(raw, catalog)
    assert "rows[2].lineas_accion" in flagged


def test_unsure_cell_does_not_vouch_for_a_sibling_of_a_header_line(pages, catalog):
    raw = _page(pages)
    raw["rows"][2]["lineas_accion"] = "4.6.1, 4.6.2"  # 4.6.3 one digit away is in the header, not here
    raw.setdefault("ocr", {})["rows[2].lineas_accion"] = {"confidence": 0.3}
    _, flagged = _run(raw, catalog)
    assert is_flagged("rows[2].lineas_accion[1]", flagged)
    raw["ocr"]["rows[2].lineas_accion"] = {"confidence": 0.9}  # fair, not sure: one digit decides
    _, flagged = _run(raw, catalog)
    assert is_flagged("rows[2].lineas_accion[1]", flagged)
    raw["ocr"]["rows[2].lineas_accion"] = {"confidence": 0.97}
    _, flagged = _run(raw, catalog)
    assert not is_flagged("rows[2].lineas_accion[1]", flagged)


def test_empty_note_on_a_row_off_its_programme_is_flagged(pages, catalog):
    raw = _page(pages)
    row = raw["rows"][2]  # 4 = 1+1+1+1, one done, 25 %: on programme, no note
    _, flagged = _run(raw, catalog)
    assert "rows[2].observaciones" not in flagged
    row["meta_anual"], row["trimestres"][0]["programado"], row["avance_relativo"] = "5", "2", "20%"
    out, flagged = _run(raw, catalog)
    assert "rows[2].observaciones" in flagged
    assert out["fields"]["rows[2].observaciones"]["checks"][0]["rule"] == "note_where_off_programme"
