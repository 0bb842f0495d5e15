"""Small-string tests of parsing, matching, checks, catalog and header resolution."""
from __future__ import annotations

import pytest

from reconcile import checks as ck
from reconcile.catalog import CatalogEntry, CatalogError, CatalogIndex, load_csv, write_csv
from reconcile.header import organisation
from reconcile.lineas import split_lineas
from reconcile.match import code_score, match, text_score
from reconcile.normalize import fold, split_prefix
from reconcile.parse import (
    parse_ayuntamiento, parse_formato, parse_int, parse_movimiento, parse_percent, parse_report_type,
    parse_rol, parse_trimestre, parse_year, row_kind, split_number,
)


@pytest.mark.parametrize("text,value", [
    ("121,568", 121568), ("1.105", 1105), ("1 105", 1105), ("l3", 13), ("O", 0), ("1,1O5", 1105),
    ("0", 0), ("", None), (None, None), ("  52 ", 52),
])
def test_parse_int(text, value):
    assert parse_int(text).value == value


def test_parse_int_rejects_text():
    assert not parse_int("abc").ok and parse_int("abc").value is None


@pytest.mark.parametrize("text,value", [("25%", 25), ("1OO%", 100), ("0 %", 0), ("", None), ("16.7%", 17)])
def test_parse_percent(text, value):
    assert parse_percent(text).value == value


@pytest.mark.parametrize("text,value", [
    ("24 AVUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA", "XXIV"), ("XXIV AYUNTAMIENTO DE MEXICALI", "XXIV"),
    ("XXIII AYUNTAMIENTO", "XXIII"), ("23 AYUNTAMIENTO", "XXIII"), ("AYUNTAMIENTO DE MEXICALI", None),
])
def test_parse_ayuntamiento(text, value):
    assert parse_ayuntamiento(text).value == value


@pytest.mark.parametrize("text,value", [
    ("PROGRAMA OPERATIVO ANUAL 2023", 2023), ("FECHA: ENE-MZO 2O21", 2021), ("SIN AÑO", None),
])
def test_parse_year(text, value):
    assert parse_year(text).value == value


@pytest.mark.parametrize("text,value", [
    ("PRIMER AVANCE PROGRAMATICO", 1), ("SEGUNDO AVANCE", 2), ("TERCER AVANCE FISICO", 3),
    ("CUARTO AVANCE PROGRAMATICO", 4), ("FECHA: ENE-MZO 2021", 1), ("ENE-MAR", 1), ("ENE-JUN 2022", 2),
    ("OCT-DIC", 4), (None, None),
])
def test_parse_trimestre(text, value):
    assert parse_trimestre(text).value == value


def test_report_type_and_formato():
    assert parse_report_type("AVANCE FÍSICO PROGRAMÁTICO").value == "avance_programatico"
    assert parse_report_type("MODIFICACIONES PROGRAMATICAS").value == "modificacion_programatica"
    assert parse_report_type(None, ["meta_anual_modificada"]).value == "modificacion_programatica"
    assert parse_formato("FORMATO: TMM-F0O9").value == "TMM-F009"
    assert parse_formato(None).value is None


@pytest.mark.parametrize("desc,number,rest", [
    ("201.-SEGUIMIENTO AL GASTO", "201", "SEGUIMIENTO AL GASTO"),
    ("202.- ELABORAR Y ENTREGAR", "202", "ELABORAR Y ENTREGAR"),
    ("M.2 ADMINISTRAR EFICIENTEMENTE", "M.2", "ADMINISTRAR EFICIENTEMENTE"),
    ("M3 CONTRIBUIR CON", "M3", "CONTRIBUIR CON"),
    ("SIN NUMERO", None, "SIN NUMERO"),
    ("O CONTRIBUIR", None, "O CONTRIBUIR"),
    ("M.I ENCAUSAR LAS ACCIONES", "M.1", "ENCAUSAR LAS ACCIONES"),  # a look-alike for the digit
    ("MI PROGRAMA", None, "MI PROGRAMA"),
    ("M,1 ENCAUSAR LAS ACCIONES", "M.1", "ENCAUSAR LAS ACCIONES"),  # its dot read as a comma
    ("202,- ELABORAR Y ENTREGAR", "202", "ELABORAR Y ENTREGAR"),  # ... its separator's too
    ("104, FORMALIZAR EL CUMPLIMIENTO", "104", "FORMALIZAR EL CUMPLIMIENTO"),
    ("406:-FOMENTAR MAYOR PARTICIPACION", "406", "FOMENTAR MAYOR PARTICIPACION"),  # its dot a colon
    ("2023: AÑO DE LA FAMILIA", None, "2023: AÑO DE LA FAMILIA"),  # a colon alone is no separator
    ("2,500 DESPENSAS ENTREGADAS", None, "2,500 DESPENSAS ENTREGADAS"),  # a number, no row's
    ("101) -SEGUIMIENTO AL GASTO", "101", "SEGUIMIENTO AL GASTO"),  # marks with a space between
])
def test_split_number(desc, number, rest):
    assert split_number(None, desc) == (number, rest)


def test_row_kind():
    assert row_kind("M.2", 3) == "meta" and row_kind("300", 5) == "meta"
    assert row_kind("201", 1) == "accion" and row_kind("201", 0) == "meta"


def test_movimiento_and_rol():
    assert parse_movimiento("T / AM").value == "T / AM"
    assert parse_movimiento("t/am").value == "T / AM"
    assert parse_movimiento("CUM").ok and not parse_movimiento("XY").ok
    assert parse_rol("ELABORÓ").value == "elaboro"
    assert parse_rol("REVIS0").value == "reviso"
    assert parse_rol(None).value is None


def test_lineas_split_and_merged_runs():
    header = ["2.1.1", "2.4.1", "2.4.4", "2.4.5", "2.4.6", "4.4.1", "4.6.1"]
    found = split_lineas("2.1.2.4.1, 2.4.4.2.4.6, 4.4.1.4.6.1", header, header + ["2.1.2"])
    assert found.value == ["2.1.1", "2.4.1", "2.4.4", "2.4.6", "4.4.1", "4.6.1"] and found.ok
    assert split_lineas("4.6.l, 4.6.2", [], []).value == ["4.6.1", "4.6.2"]
    assert not split_lineas("2.1.2.4.1", [], []).ok  # nothing to tell which digit was lost


def test_prefix_and_fold():
    assert split_prefix("C.P. RAMONA MARTINEZ ACOSTA") == ("C.P.", "RAMONA MARTINEZ ACOSTA")
    assert split_prefix("Dra. JUANA LBA. CORNEJO") == ("Dra.", "JUANA LBA. CORNEJO")
    assert split_prefix("L.C. FRANCISCO JAVIER")[1] == "FRANCISCO JAVIER"
    assert split_prefix("CARLOS PEREZ") == (None, "CARLOS PEREZ")
    assert fold("Nómina, Él") == "NOMINA EL"


def test_code_score_prefers_lookalike_digits():
    assert code_score("34201", "54201") > code_score("34201", "34209") > code_score("34201", "12345")
    assert code_score("52", "52") == 1.0 and code_score("52", "052") < 1.0


def test_match_shape_and_margin():
    found = match("DEFENSA", {"a": "DESPENSA", "b": "DOCUMENTOS", "c": "DESPENSA"}, limit=2)
    assert found.best == "a" and len(found.candidates) == 2
    assert found.margin > 0.3  # the duplicate spelling is not a rival
    assert text_score("MESURA EN EL EJERCICIO DE LOS RECURSOS", "MESURA EN EL EJERCICIO DE LOS RECURSOS PUBLICOS") > 0.95


def test_joint_header_outvotes_one_bad_digit():
    entries = [
        CatalogEntry("ramo", "54", "BIENESTAR SOCIAL"),
        CatalogEntry("ramo", "34", "OBRAS PUBLICAS"),
        CatalogEntry("programa", "511", "GESTION ADMINISTRATIVA"),
        CatalogEntry("unidad_ejecutora", "54201", "DEPARTAMENTO DE PARTICIPACION SOCIAL", "54"),
        CatalogEntry("unidad_ejecutora", "54202", "DEPARTAMENTO DE ATENCION CIUDADANA", "54"),
        CatalogEntry("unidad_ejecutora", "34201", "DEPARTAMENTO DE PAVIMENTACION", "34"),
    ]
    raw = {"ramo": {"code": "54", "name": "BIENESTAR SOCIAL"}, "programa": {"code": "511", "name": "GESTION ADMINISTRATIVA"},
           "unidad_ejecutora": {"code": "34201", "name": "DEPARTAMENTO DE PARTICIPACIÓN SOCIAL"}}
    found = organisation(raw, CatalogIndex(entries), 2023)
    assert found["unidad_ejecutora"].code == "54201"
    assert found["ramo"].code == "54"


# ---------------------------------------------------------------- checks

def _progress(meta, p, a, ab, rel):
    v = {"meta_anual": meta, "avance_absoluto": ab, "avance_relativo": rel}
    for q in range(4):
        v[ck.P(q)], v[ck.A(q)] = p[q], a[q]
    return v


def test_progress_checks_pass_and_fail():
    ok = _progress(4, [1, 1, 1, 1], [1, None, None, None], 1, 25)
    assert all(r is not False for r in ck.run(ck.progress_checks(1), ok).values())
    bad = dict(ok, avance_relativo=100)
    assert ck.run(ck.progress_checks(1), bad)["relativo_equals_absoluto_over_meta"] is False


def test_repair_applies_a_lookalike_digit_backed_by_two_checks():
    # absoluto printed 1O5 -> read 1 (a dropped digit): A1 = 105 and 26 % both say 105
    v = _progress(400, [100, 100, 100, 100], [105, None, None, None], 15, 26)
    printed = {"avance_absoluto": "15", "trimestres[0].alcanzado": "105", "avance_relativo": "26%"}
    out = ck.check_and_repair(ck.progress_checks(1), v, printed)
    assert out.values["avance_absoluto"] == 105 and "avance_absoluto" in out.repairs and not out.doubtful


def test_repair_is_refused_when_two_slips_fit():
    # meta 3,541 for 3,547 -- or a 846 printed for 840: both fit every check, so nothing is changed
    v = _progress(3541, [1105, 846, 718, 878], [1105, None, None, None], 1105, 31)
    out = ck.check_and_repair(ck.progress_checks(1), v, {"meta_anual": "3,541", "trimestres[1].programado": "846"})
    assert out.values["meta_anual"] == 3541 and not out.repairs and "meta_anual" in out.doubtful


def test_repair_refuses_when_not_plausible():
    v = _progress(52, [13, 13, 13, 13], [13, None, None, None], 13, 100)
    out = ck.check_and_repair(ck.progress_checks(1), v, {"avance_relativo": "100%", "meta_anual": "52"})
    assert out.values["avance_relativo"] == 100 and "avance_relativo" in out.doubtful and not out.repairs


def test_modification_checks():
    v = {"meta_anual_autorizada": 12, "aumentos": 4, "disminuciones": None, "meta_anual_modificada": 16,
         ck.C(0): 3, ck.C(1): 3, ck.C(2): 5, ck.C(3): 5}
    assert all(r is not False for r in ck.run(ck.modification_checks("AM"), v).values())
    out = ck.check_and_repair(ck.modification_checks("AM"), dict(v, **{ck.C(3): 8}), {ck.C(3): "8"})
    # 8 -> 5 is a look-alike and the only single reading: applied; one check alone backs it, so a person confirms
    assert out.values[ck.C(3)] == 5 and ck.C(3) in out.repairs and ck.C(3) in out.doubtful
    # two cells could each be the slip (a 3 read for a 2): ambiguous, so flagged and left as printed
    v = dict(v, **{ck.C(0): 3, ck.C(1): 3, ck.C(2): 5, ck.C(3): 6})
    out = ck.check_and_repair(ck.modification_checks("AM"), v, {ck.C(0): "3", ck.C(1): "3", ck.C(3): "6"})
    assert out.values[ck.C(3)] == 6 and not out.repairs and ck.C(3) in out.doubtful


# ---------------------------------------------------------------- catalog

CSV = """kind,code,name,parent,cargo,year_from,year_to
ramo,52,DESARROLLO INTEGRAL,,,,
unidad_ejecutora,52101,DIRECCION,52,,,
accion,201,SEGUIMIENTO,52101,,2023,2023
accion,201,OTRA COSA,52101,,2021,2022
finalidad,2,DESARROLLO SOCIAL,,,,
funcion,6,PROTECCION SOCIAL,2,,,
subfuncion,9,OTROS,2.6,,,
persona,,ANA PEREZ,52101,DIRECTORA,2023,2023
"""


def test_catalog_index_lookups():
    index = CatalogIndex(load_csv(CSV))
    assert [e.code for e in index.unidades("52")] == ["52101"]
    assert [e.name for e in index.acciones("52101", 2023)] == ["SEGUIMIENTO"]
    assert [e.name for e in index.acciones("52101", 2022)] == ["OTRA COSA"]
    assert [e.code for e in index.subfunciones("2", "6")] == ["9"]
    assert [e.name for e in index.personas("52", None, 2023)] == ["ANA PEREZ"]
    assert index.personas("52", None, 2020) == []


def test_catalog_roundtrip_with_aliases(tmp_path):
    entries = load_csv(CSV)
    entries[1] = CatalogEntry("unidad_ejecutora", "52101", "DIRECCION", "52", aliases=("DIRECCION GENERAL",))
    path = tmp_path / "cat.csv"
    write_csv(entries, path)
    again = load_csv(path)
    assert again == entries and again[1].aliases == ("DIRECCION GENERAL",)
    assert "aliases" not in write_csv(load_csv(CSV)).splitlines()[0]


def test_entries_from_a_database_with_empty_strings():
    e = CatalogEntry("persona", "", "ANA", "52101", "", None, None, ())
    assert e.code is None and e.cargo is None


@pytest.mark.parametrize("text,message", [
    ("kind,code,name\nramo,1,X\n", "missing column"),
    (CSV + "planeta,1,X,,,,\n", "unknown kind"),
    (CSV + "ramo,,SIN CODIGO,,,,\n", "needs a code"),
    (CSV + "ramo,1,X,,,20x3,\n", "not a whole number"),
    (CSV + "ramo,1,X,,,2024,2023\n", "after year_to"),
    (CSV + "ramo,1,X,,,,,extra\n", "more cells"),
])
def test_catalog_errors_name_line_and_problem(text, message):
    with pytest.raises(CatalogError) as info:
        load_csv(text)
    assert message in str(info.value)
    if "missing" not in message:
        assert ":10:" in str(info.value)  # header + 8 rows: the bad row is line 10


def test_learned_alias_is_an_extra_spelling_and_output_keeps_the_official_one():
    entries = [
        CatalogEntry("ramo", "54", "BIENESTAR SOCIAL"),
        CatalogEntry("programa", "511", "GESTION ADMINISTRATIVA"),
        CatalogEntry("unidad_ejecutora", "54101", "DIRECCION", "54", aliases=("DIRECCION GENERAL DEL RAMO",)),
        CatalogEntry("unidad_ejecutora", "54102", "DEPARTAMENTO DE RECURSOS HUMANOS", "54"),
    ]
    raw = {"ramo": {"code": "54", "name": "BIENESTAR SOCIAL"}, "programa": {"code": "511", "name": "GESTION ADMINISTRATIVA"},
           "unidad_ejecutora": {"code": "541O1", "name": "DIRECCION GENERAL DEL RAMO"}}
    found = organisation(raw, CatalogIndex(entries), 2023)["unidad_ejecutora"]
    assert (found.code, found.name) == ("54101", "DIRECCION") and found.confidence >= 0.85


def test_a_percent_is_vouched_for_only_when_one_value_passes():
    """1302 of 23172 is 5.62 %: a form that rounds prints 6, one that cuts prints 5. While the page's way
    is unknown both pass, so the identity does not pin the percent (a fax read 5 for 6, and it went
    through unasked); once the page's rows show the way, only one passes, and a misread fails."""
    fixes = ck.ratio_fixes()
    v = {"meta_anual": 23172, "avance_absoluto": 1302, "avance_relativo": 5}
    assert ck.ratio_ok(5, 1302, 23172) and ck.ratio_ok(6, 1302, 23172)
    assert not fixes("avance_relativo", v)
    assert fixes("avance_relativo", dict(v, avance_absoluto=1159))  # 5.0017 %: 5 either way
    assert ck.ratio_fixes(ck.ROUND)("avance_relativo", v)
    assert not ck.ratio_ok(5, 1302, 23172, ck.ROUND) and ck.ratio_ok(5, 1302, 23172, ck.CUT)
    checks = ck.progress_checks(4, ck.ROUND)
    row = _progress(23172, [5793] * 4, [1302, 0, 0, 0], 1302, 5)
    assert ck.run(checks, row)["relativo_equals_absoluto_over_meta"] is False


def test_the_page_s_rounding_needs_two_rows_and_no_dissent():
    rounds = [(6, 1302, 23172), (67, 2, 3)]  # 5.62 -> 6, 66.7 -> 67
    assert ck.page_rounding(rounds) == ck.ROUND
    assert ck.page_rounding(rounds[:1]) is None  # one row may be the misread itself
    assert ck.page_rounding(rounds + [(66, 2, 3)]) is None  # a row that cuts: one of them misread
    assert ck.page_rounding([(5, 1302, 23172), (66, 2, 3), (25, 1, 4)]) == ck.CUT  # 25 % is exact: no vote
    assert ck.page_rounding([(9, 1302, 23172), (None, 1, 3), (50, 1, 0)]) is None  # neither way, or unusable
