"""Field paths and the ground-truth comparison the bench relies on."""
from records.compare import compare, group_of
from reconcile.paths import ancestors, get, is_flagged, join, leaves, split


def test_paths_round_trip():
    p = "rows[3].trimestres[0].alcanzado"
    assert split(p) == ["rows", 3, "trimestres", 0, "alcanzado"]
    assert join(split(p)) == p
    assert ancestors("rows[3].meta_anual") == ["rows[3].meta_anual", "rows[3]", "rows"]


def test_flagging_a_path_flags_everything_under_it():
    assert is_flagged("ramo.code", ["ramo"])
    assert is_flagged("rows[2].trimestres[1].programado", ["rows[2]"])
    assert not is_flagged("rows[12].meta_anual", ["rows[1]"])


def test_leaves_skip_extension_keys():
    rec = {"source": {"file": "x"}, "review": {}, "fields": {}, "ramo": {"code": "5"}, "rows": [{"c": [1, None]}]}
    assert leaves(rec) == {"ramo.code": "5", "rows[0].c[0]": 1, "rows[0].c[1]": None}
    assert get(rec, "rows[0].c[0]") == 1 and get(rec, "rows[5].c") is None


def test_groups():
    assert group_of("ramo.code") == "header_codes"
    assert group_of("lineas_accion[0].name") == "header_names"
    assert group_of("rows[1].trimestres[2].programado") == "numbers"
    assert group_of("rows[0].calendario[2]") == "numbers"
    assert group_of("rows[1].descripcion") == "row_texts"
    assert group_of("signatarios[2].nombre") == "signatories"


def test_wrong_field_is_silent_unless_flagged():
    truth = {"ramo": {"code": "52"}, "rows": [{"meta_anual": 4}, {"meta_anual": 12}]}
    got = {"ramo": {"code": "52"}, "rows": [{"meta_anual": 4}, {"meta_anual": 13}], "review": {"needs_review": []}}
    c = compare(got, truth)
    assert c.fields == 3 and sum(c.exact.values()) == 2 and len(c.silent) == 1
    got["review"]["needs_review"] = ["rows[1]"]
    c = compare(got, truth)
    assert len(c.silent) == 0 and len(c.wrong) == 1


def test_missing_row_counts_as_wrong():
    truth = {"rows": [{"n": 1}, {"n": 2}]}
    c = compare({"rows": [{"n": 1}], "review": {"needs_review": []}}, truth)
    assert c.share_exact() == 0.5 and len(c.silent) == 1
