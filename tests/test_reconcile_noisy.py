"""Raw records as a scanner's OCR would give them: both forms, misread digits, empty cells, shifted values."""
from __future__ import annotations

import copy
import random

import pytest

from records.compare import compare, compare_all
from reconcile.catalog import CatalogIndex, load_csv
from reconcile.paths import iter_leaves, split
from reconcile.record import reconcile_json, reconcile_record
from reconcile.types import Provenance, RawRecord
from test_reconcile_helpers import DIF, RECONCILE, read_jsonl, to_raw

CATALOG = CatalogIndex(load_csv(RECONCILE / "samples_catalog.csv"))
PROGRESS = read_jsonl(DIF / "ground_truth.jsonl")
MODIFICATIONS = read_jsonl(RECONCILE / "modificaciones_truth.jsonl")


def _truth(t: dict) -> dict:
    return {k: v for k, v in t.items() if k != "source"}


def _run(raw: dict, truth: dict):
    record = reconcile_json(raw, CATALOG)
    return record, compare(record, _truth(truth))


@pytest.mark.parametrize("i", range(len(MODIFICATIONS)))
def test_modification_form_from_clean_reading(i):
    record, result = _run(to_raw(MODIFICATIONS[i]), MODIFICATIONS[i])
    assert result.wrong == [] and record["trimestre"] is None
    assert record["rows"][0]["calendario"] == MODIFICATIONS[i]["rows"][0]["calendario"]
    # without the reader's confidence nothing vouches for free text, for a unit one letter from
    # another (INFORME / INFORMES), or for a line code outside the catalog one digit from one inside:
    # only those wait for a person
    for path in record["review"]["needs_review"]:
        assert path.endswith(("justificacion", "unidad_medida")) or ".lineas_accion[" in path, path


def test_ocr_confidence_decides_free_text_and_weak_numbers():
    truth = MODIFICATIONS[0]
    raw = to_raw(truth)
    ocr = {f"rows[{i}].{key}": Provenance(0.97, (10, 20, 30, 40), 1)
           for i in range(len(raw["rows"])) for key in ("justificacion", "unidad_medida")}
    ocr["rows[1].calendario[2]"] = Provenance(0.41, (1, 2, 3, 4), 1)  # a shaky read that the arithmetic confirms
    record = reconcile_record(RawRecord(raw, ocr), CATALOG).to_json()
    assert record["review"]["needs_review"] == []
    f = record["fields"]["rows[1].calendario[2]"]
    assert f["status"] == "auto" and f["bbox"] == [1, 2, 3, 4] and f["page"] == 1
    raw["rows"][1]["justificacion"] = "SE lNCREMENTA LA META"
    ocr["rows[1].justificacion"] = Provenance(0.35, None, 1)
    record = reconcile_record(RawRecord(raw, ocr), CATALOG).to_json()
    assert record["review"]["needs_review"] == ["rows[1].justificacion"]


def test_misread_header_codes_are_outvoted_by_the_rest():
    truth = PROGRESS[0]
    raw = to_raw(truth)
    raw["unidad_ejecutora"]["code"] = "S2I02"
    raw["ramo"]["code"] = "5Z"
    raw["programa"]["name"] = "GESTI0N ADMlNISTRATIVA"
    record, result = _run(raw, truth)
    assert result.wrong == [] and result.silent == []
    assert record["fields"]["unidad_ejecutora.code"]["status"] == "auto"


def test_signatures_without_labels_take_roles_from_position():
    truth = PROGRESS[2]
    raw = to_raw(truth)
    for s in raw["signatarios"]:
        s["rol"] = None
    record, result = _run(raw, truth)
    assert [s["rol"] for s in record["signatarios"]] == ["elaboro", "reviso", "autorizo"]
    assert record["fields"]["signatarios[0].rol"]["checks"][0]["rule"] == "rol_from_position"
    assert result.silent == []


def test_blanks_dropped_values_move_back_to_their_columns():
    truth = PROGRESS[2]
    raw = to_raw(truth)
    row = raw["rows"][2]  # 302: 3,547 = 1,105 + 846 + 718 + 878; A1 1,105; 31 %
    cells = ["1,105", "1,105", "846", "718", "878", "1,105", "31%", None]
    row["trimestres"] = [{"programado": cells[2 * q], "alcanzado": cells[2 * q + 1]} for q in range(4)]
    row["avance_absoluto"], row["avance_relativo"] = None, None
    record, result = _run(raw, truth)
    assert record["rows"][2]["trimestres"][1] == {"programado": 846, "alcanzado": None}
    assert record["rows"][2]["avance_relativo"] == 31
    assert result.silent == [] and not [w for w in result.wrong if "rows[2]" in w]


def test_value_echoed_into_later_quarters_is_null_by_the_contract():
    truth = PROGRESS[0]
    raw = to_raw(truth)
    for q in range(1, 4):
        raw["rows"][1]["trimestres"][q]["alcanzado"] = "13"
    record, result = _run(raw, truth)
    assert [q["alcanzado"] for q in record["rows"][1]["trimestres"]] == [13, None, None, None]
    assert result.wrong == []


def test_misread_number_is_repaired_only_when_one_reading_fits():
    truth = PROGRESS[2]
    raw = to_raw(truth)
    raw["rows"][4]["avance_absoluto"] = "7,176"  # 304: A1 7,776 and 54 % both say 7,776
    raw["rows"][6]["trimestres"][1]["programado"] = "1,l28"  # a letter for a digit: parsed
    raw["rows"][8]["trimestres"][2]["programado"] = "1,575"  # 1,515: only the sum can tell, and not which cell
    record, result = _run(raw, truth)
    assert record["rows"][4]["avance_absoluto"] == 7776
    assert record["fields"]["rows[4].avance_absoluto"]["status"] == "auto"
    assert record["rows"][6]["trimestres"][1]["programado"] == 1128
    assert "rows[8].trimestres[2].programado" in record["review"]["needs_review"]
    assert result.silent == []


def test_empty_cells_the_form_always_fills_are_flagged():
    truth = PROGRESS[1]
    raw = to_raw(truth)
    raw["rows"][2]["unidad_medida"] = None
    raw["rows"][2]["lineas_accion"] = None
    raw["rows"][2]["meta_anual"] = None
    raw["signatarios"][1]["cargo"] = None
    record, result = _run(raw, truth)
    for path in ("rows[2].unidad_medida", "rows[2].lineas_accion", "rows[2].meta_anual", "signatarios[1].cargo"):
        assert path in record["review"]["needs_review"], path
    assert result.silent == []


# ---------------------------------------------------------------- random reading slips

LOOK = {"0": "O", "1": "l", "5": "S", "8": "B", "O": "0", "I": "1", "S": "5", "B": "8", "E": "F", "A": "4"}
DIGIT = {"3": "5", "5": "3", "1": "7", "7": "1", "6": "8", "8": "6", "0": "8", "9": "8"}


def _set(obj, path, value):
    parts = split(path)
    for p in parts[:-1]:
        obj = obj[p]
    obj[parts[-1]] = value


def _slip(raw: dict, rng: random.Random, rate: float) -> None:
    """Each leaf, with probability ``rate``: a look-alike letter, a misread digit, a lost character, or blank."""
    for path, text in list(iter_leaves(raw)):
        if path.startswith("source") or not isinstance(text, str) or not text or rng.random() > rate:
            continue
        kind, i = rng.choice(["look", "digit", "drop", "blank"]), rng.randrange(len(text))
        if kind == "look" and text[i] in LOOK:
            _set(raw, path, text[:i] + LOOK[text[i]] + text[i + 1:])
        elif kind == "digit" and any(c in DIGIT for c in text):
            i = rng.choice([j for j, c in enumerate(text) if c in DIGIT])
            _set(raw, path, text[:i] + DIGIT[text[i]] + text[i + 1:])
        elif kind == "drop" and len(text) > 1:
            _set(raw, path, text[:i] + text[i + 1:])
        elif kind == "blank":
            _set(raw, path, None)


def test_random_reading_slips_are_caught_or_flagged():
    rng = random.Random(20231)
    pairs = []
    for round_ in range(12):
        for i, truth in enumerate(PROGRESS + MODIFICATIONS):
            raw = to_raw(copy.deepcopy(truth))
            _slip(raw, rng, 0.03)
            pairs.append((reconcile_json(raw, CATALOG), _truth(truth), f"{round_}/{i}"))
    result = compare_all(pairs)
    assert result.share_exact() >= 0.985
    # what still slips through is a slip into another valid value (a real code, a blank note)
    assert len(result.silent) <= result.fields // 1000, result.silent


def test_malformed_or_empty_raw_records_are_flagged_not_crashed():
    record = reconcile_json({}, CATALOG)
    assert {"rows", "signatarios", "lineas_accion", "ejercicio", "ramo.code"} <= set(record["review"]["needs_review"])
    assert record["ayuntamiento"] is None  # nothing printed: no value is guessed from the catalog
    record = reconcile_json({"rows": [None, "x"], "ramo": "52", "signatarios": "abc", "lineas_accion": [None]}, CATALOG)
    assert record["signatarios"] == [] and "signatarios" in record["review"]["needs_review"]
    assert len(record["rows"]) == 2


def test_a_year_outside_the_printed_council_term_flags_both():
    truth = PROGRESS[0]
    raw = to_raw(truth)
    raw["ejercicio"] = "PROGRAMA OPERATIVO ANUAL 2025"  # XXIV governs 2022-2024
    record, result = _run(raw, truth)
    assert {"ejercicio", "ayuntamiento"} <= set(record["review"]["needs_review"])
    assert result.silent == []


def test_a_misread_quarter_is_caught_by_the_table():
    truth = PROGRESS[2]
    raw = to_raw(truth)
    raw["trimestre"] = "SEGUNDO AVANCE PROGRAMATICO"  # the table's absolutos add up over one quarter only
    record, result = _run(raw, truth)
    assert "trimestre" in record["review"]["needs_review"]
    assert result.silent == []


def test_unreadable_council_is_proposed_from_the_year_and_flagged():
    truth = PROGRESS[0]
    raw = to_raw(truth)
    raw["ayuntamiento"] = "A Y U N T"
    record, result = _run(raw, truth)
    assert record["ayuntamiento"] == "XXIV" and "ayuntamiento" in record["review"]["needs_review"]


def test_an_accion_on_the_modification_form_needs_its_movement_and_reason():
    truth = MODIFICATIONS[0]
    raw = to_raw(truth)
    i = next(k for k, r in enumerate(truth["rows"]) if r["movimiento"] == "R")  # a reschedule keeps the goal
    raw["rows"][i]["movimiento"] = None
    raw["rows"][i]["justificacion"] = None
    record, _ = _run(raw, truth)
    assert {f"rows[{i}].movimiento", f"rows[{i}].justificacion"} <= set(record["review"]["needs_review"])
