"""Which numbers an arithmetic identity may vouch for, and which rest on the reader alone (one test per rule),
then the same as properties over generated rows with random misreads and reader confidences."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconcile import checks as ck
from reconcile.evidence import ALONE
from reconcile.numbers import FIRM, modification_numbers, progress_numbers
from reconcile.types import Provenance

CELLS = ["meta_anual"] + [c for q in range(4) for c in (ck.P(q), ck.A(q))] + ["avance_absoluto", "avance_relativo"]


def _raw(meta, prog, done, ab, rel) -> dict:
    f = lambda n: None if n is None else f"{n:,}"  # noqa: E731
    return {"meta_anual": f(meta), "avance_absoluto": f(ab), "avance_relativo": None if rel is None else f"{rel}%",
            "trimestres": [{"programado": f(p), "alcanzado": f(a)} for p, a in zip(prog, done)]}


def _conf(default: float, **cells: float):
    table = {k.replace("__", "."): v for k, v in cells.items()}
    return lambda path: Provenance(table.get(path, default))


def _flagged(fields) -> set[str]:
    return {c for c, f in fields.items() if f.status == "needs_review"}


def test_one_doubtful_cell_is_pinned_by_firm_ones():
    raw = _raw(4500, [1125, 1128, 1125, 1122], [2233, None, None, None], 2233, 50)
    _, fields = progress_numbers(raw, 1, _conf(0.96, **{"trimestres[0]__programado": 0.5}))
    assert _flagged(fields) == set()


def test_two_doubtful_cells_that_satisfy_an_identity_together_are_both_flagged():
    # 4501 and 1126 for 4500 and 1125: the sum still holds, and neither reading is sure
    raw = _raw(4501, [1126, 1128, 1125, 1122], [2233, None, None, None], 2233, 50)
    _, fields = progress_numbers(raw, 1, _conf(0.96, meta_anual=0.6, **{"trimestres[0]__programado": 0.6}))
    assert {"meta_anual", "trimestres[0].programado"} <= _flagged(fields)


def test_a_repair_backed_only_by_a_ratio_that_rounds_alike_is_flagged():
    # meta read right, one quarter misread: the only single repair moves the goal to 4501, and 50 % fits
    # 2233/4500 and 2233/4501 alike, so the sum alone backs the repair
    raw = _raw(4500, [1126, 1128, 1125, 1122], [2233, None, None, None], 2233, 50)
    _, fields = progress_numbers(raw, 1, _conf(0.96))
    assert "meta_anual" in _flagged(fields) and "trimestres[0].programado" in _flagged(fields)


def test_a_percent_both_roundings_allow_rests_on_the_reader_until_the_page_shows_its_rounding():
    # fax150: 1302 of 23172 is 5.62 %, printed 6, read 5 at 0.9; 5 (cut) passes too, so nothing vouches
    raw = _raw(23172, [5793, 5793, 5793, 5793], [1302, None, None, None], 1302, 5)
    _, fields = progress_numbers(raw, 1, _conf(0.96, avance_relativo=0.9))
    assert _flagged(fields) == {"avance_relativo"}
    _, fields = progress_numbers(raw, 1, _conf(0.96, avance_relativo=0.9), ck.ROUND)  # the page rounds: 5 fails
    assert "avance_relativo" in _flagged(fields)
    _, fields = progress_numbers(dict(raw, avance_relativo="6%"), 1, _conf(0.96, avance_relativo=0.9), ck.ROUND)
    assert _flagged(fields) == set()  # 6 alone passes a page that rounds: the identity pins it


def test_an_unread_part_makes_its_sum_no_evidence():
    raw = {"meta_anual_autorizada": "1", "meta_anual_modificada": "1", "calendario": ["0", "1", "0", None]}
    _, fields = modification_numbers(raw, "R", _conf(0.9))
    assert {ck.C(0), ck.C(1), ck.C(2), ck.C(3)} <= _flagged(fields)


def test_equal_cells_do_not_vouch_for_each_other_when_another_check_fails():
    # 3 and 3 for 33 and 33: the percent disagrees, so the absoluto is suspect and cannot vouch for A1
    raw = _raw(117, [33, 30, 24, 30], [3, None, None, None], 3, 28)
    _, fields = progress_numbers(raw, 1, _conf(0.92))
    assert {"trimestres[0].alcanzado", "avance_absoluto"} <= _flagged(fields)


def test_doubtful_zeros_under_a_firm_sum_are_zeros():
    raw = _raw(24, [0, 0, 0, 24], [0, None, None, None], 0, 0)
    conf = _conf(0.96, **{f"trimestres[{q}]__programado": 0.6 for q in range(3)})
    _, fields = progress_numbers(raw, 1, conf)
    assert not {ck.P(0), ck.P(1), ck.P(2)} & _flagged(fields)


def test_a_number_nothing_checks_rests_on_the_reader_alone():
    raw = {"meta_anual_autorizada": "4", "meta_anual_modificada": None, "calendario": ["1", "1", "1", "1"]}
    _, unsure = modification_numbers(raw, None, _conf(0.93))
    _, sure = modification_numbers(raw, None, _conf(ALONE))
    assert ck.C(0) in _flagged(unsure) and ck.C(0) not in _flagged(sure)


def test_free_text_rests_on_the_reader_alone_like_a_number():
    from reconcile.rows import _free_text

    text = "SE SUPERA LA ACCION DEBIDO A LA DEMANDA DE DESPENSAS DE VILA NAVIDENA."  # "VILLA": well-formed prose
    _, on_a_fax = _free_text(text, Provenance(0.9))  # a page the reader does not vouch for caps it at 0.9
    _, sure = _free_text(text, Provenance(ALONE))
    assert on_a_fax.status == "needs_review" and sure.status == "auto"


# ---------------------------------------------------------------- properties

@st.composite
def progress_rows(draw):
    """A consistent progress row (values), its quarter, and reader confidences."""
    t = draw(st.integers(1, 4))
    prog = draw(st.lists(st.integers(0, 3000), min_size=4, max_size=4))
    meta = sum(prog)
    assume(meta > 0)
    done = [draw(st.integers(0, 3000)) for _ in range(t)] + [None] * (4 - t)
    ab = sum(d for d in done if d is not None)
    rel = int(100 * ab / meta + 0.5)
    values = {"meta_anual": meta, "avance_absoluto": ab, "avance_relativo": rel}
    for q in range(4):
        values[ck.P(q)], values[ck.A(q)] = prog[q], done[q]
    return t, values


def _printed(values: dict) -> dict:
    return _raw(values["meta_anual"], [values[ck.P(q)] for q in range(4)], [values[ck.A(q)] for q in range(4)],
                values["avance_absoluto"], values["avance_relativo"])


def _grade(t, truth, read, conf):
    data, fields = progress_numbers(_printed(read), t, lambda p: Provenance(conf.get(p)))
    got = {"meta_anual": data["meta_anual"], "avance_absoluto": data["avance_absoluto"],
           "avance_relativo": data["avance_relativo"]}
    for q in range(4):
        got[ck.P(q)], got[ck.A(q)] = data["trimestres"][q]["programado"], data["trimestres"][q]["alcanzado"]
    live = [c for c in CELLS if not (c.endswith("alcanzado") and int(c[11]) >= t)]
    return [c for c in live if got[c] != truth[c] and fields[c].status == "auto"]


def _misread(n: int, data) -> int | None:
    kind = data.draw(st.sampled_from(["digit", "drop", "blank", "extra"]))
    text = str(n)
    if kind == "blank":
        return None
    if kind == "drop" and len(text) > 1:
        i = data.draw(st.integers(0, len(text) - 1))
        return int(text[:i] + text[i + 1:])
    if kind == "extra":
        return int(text + data.draw(st.sampled_from("0123456789")))
    i = data.draw(st.integers(0, len(text) - 1))
    return int(text[:i] + data.draw(st.sampled_from([d for d in "0123456789" if d != text[i]])) + text[i + 1:])


confidence = st.floats(0.2, 1.0)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(progress_rows(), st.data())
def test_one_misread_cell_is_never_vouched_for(row, data):
    """Whatever the reader's confidences, a single misread (a digit, a dropped or extra digit, a blank)
    is caught by the identities over it, or the cell is flagged; except a percent misread as the other
    whole number the ratio allows (rounded or cut), which no arithmetic can tell from the print."""
    t, truth = row
    cell = data.draw(st.sampled_from([c for c in CELLS if not (c.endswith("alcanzado") and int(c[11]) >= t)]))
    wrong = _misread(truth[cell], data)
    assume(wrong != truth[cell])
    read = dict(truth, **{cell: wrong})
    conf = {c: data.draw(confidence) for c in CELLS}
    silent = _grade(t, truth, read, conf)
    if silent == ["avance_relativo"]:
        exact = 100 * truth["avance_absoluto"] / truth["meta_anual"]
        assert wrong in (int(exact), int(exact + 0.5)), (truth, read)
    else:
        assert silent == [], (cell, truth, read, conf)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(progress_rows(), st.data())
def test_two_doubtful_misreads_that_cancel_are_both_flagged(row, data):
    """Two cells of one sum misread so that it still holds (a part and the total both off by d, or two
    parts off by +d and -d), both read doubtfully, every other cell firmly: neither is vouched for."""
    t, truth = row
    d = data.draw(st.integers(1, 9))
    pair = data.draw(st.sampled_from(["total_and_part", "two_parts"]))
    q1, q2 = data.draw(st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True))
    read = dict(truth)
    if pair == "total_and_part":
        cells = ["meta_anual", ck.P(q1)]
        read["meta_anual"] += d
        read[ck.P(q1)] += d
    else:
        cells = [ck.P(q1), ck.P(q2)]
        assume(truth[ck.P(q2)] >= d)
        read[ck.P(q1)] += d
        read[ck.P(q2)] -= d
    conf = {c: data.draw(st.floats(FIRM, 1.0)) for c in CELLS}
    conf.update({c: data.draw(st.floats(0.2, FIRM - 0.01)) for c in cells})
    assert not set(cells) & set(_grade(t, truth, read, conf)), (truth, read, conf)


def test_a_zero_where_the_form_may_leave_a_blank_is_not_vouched_by_the_sums():
    raw = {"meta_anual_autorizada": "1,520", "disminuciones": "o", "meta_anual_modificada": "1,520",
           "calendario": ["380", "380", "380", "380"]}
    _, fields = modification_numbers(raw, None, _conf(0.96, disminuciones=0.9))
    assert fields["disminuciones"].status == "needs_review" and fields["meta_anual_modificada"].status == "auto"


def test_in_a_row_with_garbage_the_reader_is_not_trusted_alone():
    # 13 read as 12 everywhere at full confidence, the goal and the percent read as letters
    raw = {"meta_anual": "e", "avance_absoluto": "12", "avance_relativo": "nen",
           "trimestres": [{"programado": "12", "alcanzado": "12"}] + [{"programado": "12", "alcanzado": None}] * 3}
    _, fields = progress_numbers(raw, 1, _conf(0.97))
    assert {ck.P(0), ck.P(1), ck.A(0), "avance_absoluto"} <= _flagged(fields)


def test_a_percent_read_without_its_sign_and_nothing_checking_it_is_flagged():
    # the absoluto column read empty and its value found under the percent's title
    raw = _raw(1520, [380] * 4, [380, None, None, None], None, None)
    raw["avance_relativo"] = "380"
    _, fields = progress_numbers(raw, 1, _conf(0.97))
    assert "avance_relativo" in _flagged(fields)
