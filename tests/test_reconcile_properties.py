"""Property tests: OCR confusions do not move a name to a sibling; failed checks are never auto."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconcile import checks as ck
from reconcile.catalog import CatalogIndex, load_csv
from reconcile.header import resolve_one
from reconcile.normalize import fold
from reconcile.numbers import modification_numbers, progress_numbers
from reconcile.rows import RowContext, reconcile_row
from reconcile.types import Provenance
from test_reconcile_corpus import _lookalikes
from test_reconcile_helpers import DIF

ENTRIES = load_csv(DIF / "catalog.csv")
CATALOG = CatalogIndex(ENTRIES + _lookalikes(ENTRIES))
LOOKS = {
    "O": "0Q", "0": "OD", "I": "1l", "1": "Il", "S": "5", "5": "S", "B": "8", "8": "B", "E": "F", "F": "E",
    "A": "4", "G": "6C", "Z": "2", "L": "I", "N": "M", "M": "N", "U": "V", "V": "U", "C": "G", "R": "K",
    "Ó": "O", "É": "E", "Í": "I", "Á": "A", "Ú": "U", "D": "O", "T": "I",
}


def confuse(text: str, data, k_max: int = 2) -> str:
    """Up to ``k_max`` OCR confusions: look-alike substitutions, a dropped character."""
    chars = list(text)
    for _ in range(data.draw(st.integers(0, k_max))):
        spots = [i for i, ch in enumerate(chars) if ch in LOOKS or ch.isalpha()]
        if not spots:
            break
        i = data.draw(st.sampled_from(spots))
        if data.draw(st.booleans()) and chars[i] in LOOKS:
            chars[i] = data.draw(st.sampled_from(LOOKS[chars[i]]))
        else:
            del chars[i]
    return "".join(chars)


SIBLING_KINDS = ("unidad_ejecutora", "linea_accion", "programa", "ramo")
PAIRS = [e for k in SIBLING_KINDS for e in CATALOG.of_kind(k, 2023)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAIRS), st.data())
def test_code_and_name_with_confusions_map_to_themselves(entry, data):
    siblings = [e for e in CATALOG.of_kind(entry.kind, 2023) if e.parent == entry.parent]
    printed = {"code": confuse(entry.code, data, 1), "name": confuse(entry.name, data, 2)}
    found = resolve_one(printed, siblings)
    assert (found.code, found.name) == (entry.code, entry.name), printed


ACCIONES = [e for e in CATALOG.of_kind("accion", 2023) if e.parent and e.parent.startswith("52")]


def _row(entry, number: str, text: str):
    ctx = RowContext("avance_programatico", 1, 2023, entry.parent, (), CATALOG)
    sep = " " if number.startswith("M") else ".- "
    return reconcile_row({"descripcion": f"{number}{sep}{text}", "trimestres": []}, 1, ctx, lambda p: Provenance())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ACCIONES), st.data())
def test_row_description_with_confusions_maps_to_its_accion(entry, data):
    row, fields = _row(entry, entry.code, confuse(entry.name, data, 2))
    assert (row["number"], row["descripcion"]) == (entry.code, entry.name)
    assert fields["descripcion"].status == "auto" or fields["descripcion"].confidence < 0.85


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ACCIONES), st.data())
def test_row_number_with_a_confusion_is_right_or_flagged(entry, data):
    row, fields = _row(entry, confuse(entry.code, data, 1), entry.name)
    if row["number"] != entry.code:
        # only possible when a sibling prints the same text: then the number is in doubt, and says so
        twins = [a for a in ACCIONES if a.parent == entry.parent and a.code != entry.code
                 and fold(a.name) == fold(entry.name)]
        assert twins and fields["number"].status == "needs_review"
    else:
        assert row["descripcion"] == entry.name


# ---------------------------------------------------------------- checks

small = st.one_of(st.none(), st.integers(0, 60))
printed_number = st.one_of(st.none(), st.integers(0, 3000).map(lambda n: f"{n:,}"),
                           st.sampled_from(["l3", "O", "1,1O5", "S2", "", "x"]))


def _failed_cells(checks, values):
    out = set()
    for chk in checks:
        if chk.test(values) is False:
            out.update(chk.cells)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(printed_number, min_size=11, max_size=11), st.sampled_from([1, 2, 3, 4]))
def test_progress_value_failing_a_check_is_never_auto(cells, trimestre):
    raw = {"meta_anual": cells[0], "avance_absoluto": cells[9],
           "avance_relativo": None if cells[10] is None else cells[10] + "%",
           "trimestres": [{"programado": cells[1 + 2 * q], "alcanzado": cells[2 + 2 * q]} for q in range(4)]}
    data, fields = progress_numbers(raw, trimestre, lambda p: Provenance())
    values = {"meta_anual": data["meta_anual"], "avance_absoluto": data["avance_absoluto"],
              "avance_relativo": data["avance_relativo"]}
    for q in range(4):
        values[ck.P(q)] = data["trimestres"][q]["programado"]
        values[ck.A(q)] = data["trimestres"][q]["alcanzado"]
    for cell in _failed_cells(ck.progress_checks(trimestre), values):
        assert fields[cell].status == "needs_review", (cell, raw, data)
    for cell, f in fields.items():
        if any(not c.ok for c in f.checks):
            assert f.status == "needs_review"


@settings(max_examples=400, deadline=None)
@given(st.lists(printed_number, min_size=8, max_size=8), st.sampled_from([None, "AM", "D", "R", "T / AM", "AP"]))
def test_modification_value_failing_a_check_is_never_auto(cells, mov):
    raw = {"meta_anual_autorizada": cells[0], "aumentos": cells[1], "disminuciones": cells[2],
           "meta_anual_modificada": cells[3], "calendario": cells[4:]}
    data, fields = modification_numbers(raw, mov, lambda p: Provenance())
    values = {k: data[k] for k in ("meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada")}
    values.update({ck.C(q): data["calendario"][q] for q in range(4)})
    for cell in _failed_cells(ck.modification_checks(mov), values):
        assert fields[cell].status == "needs_review", (cell, raw, data)


# ---------------------------------------------------------------- people

def _near_namesakes(people):
    """For each person, one a letter away and one a surname away, in another unit of the same ramo."""
    import dataclasses

    units = sorted({e.code for e in CATALOG.of_kind("unidad_ejecutora") if e.parent == "52"})
    out = []
    for p in people:
        other = next(u for u in units if u != p.parent)
        words = p.name.split()
        out.append(dataclasses.replace(p, name=words[0][:-1] + ("A" if words[0][-1] != "A" else "O") + " "
                                       + " ".join(words[1:]), parent=other))
        out.append(dataclasses.replace(p, name=" ".join(words[:-1] + ["QUINTERO"]), parent=other))
    return out


_RAMO_PEOPLE = [e for e in CATALOG.of_kind("persona", 2023) if e.parent and e.parent.startswith("52")]
PEOPLE_CATALOG = CatalogIndex(ENTRIES + _lookalikes(ENTRIES) + _near_namesakes(_RAMO_PEOPLE))
PEOPLE = [e for e in PEOPLE_CATALOG.of_kind("persona", 2023) if e.parent and e.parent.startswith("52")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PEOPLE), st.data())
def test_signatory_with_confusions_is_the_person_or_flagged(person, data):
    """Among people one letter or one surname away (in this ramo and others), a printed name with up to two
    OCR slips, under its title or none, is the person; another person is never vouched for."""
    from reconcile.people import signatory

    prefix = data.draw(st.sampled_from(["", "C.P. ", "LIC. ", "DRA. ", "ING. "]))
    block = {"rol": None, "nombre": prefix + confuse(person.name, data, 2),
             "cargo": data.draw(st.sampled_from([person.cargo, None]))}
    unidad = person.parent if len(person.parent) > 2 else None
    row, fields = signatory(block, data.draw(st.integers(0, 2)), PEOPLE_CATALOG, 2023, "52", unidad,
                            lambda p: Provenance())
    if row["nombre"] != person.name:
        assert fields["nombre"].status == "needs_review", (block, row)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_RAMO_PEOPLE), st.sampled_from(_RAMO_PEOPLE), st.data())
def test_a_name_blended_from_two_people_is_flagged(first, second, data):
    """Words of one person's name followed by words of another's (two blocks' lines run together, or a
    scribble over half a name) must not be vouched for as either person."""
    from reconcile.normalize import fold
    from reconcile.people import signatory

    a, b = first.name.split(), second.name.split()
    k = data.draw(st.integers(1, len(a) - 1))
    m = data.draw(st.integers(1, len(b) - 1))
    tail = [w for w in b[-m:] if fold(w) not in {fold(x) for x in a}]
    if fold(first.name) == fold(second.name) or not [w for w in tail if len(w) >= 3]:
        return  # nothing of the second person printed: not a blend
    block = {"rol": None, "nombre": " ".join(a[:k] + tail), "cargo": None}
    unidad = first.parent if len(first.parent) > 2 else None
    row, fields = signatory(block, 0, PEOPLE_CATALOG, 2023, "52", unidad, lambda p: Provenance())
    assert fields["nombre"].status == "needs_review", (block, row)
