"""The form's own arithmetic as checks, and repairs with exactly one consistent reading (pure).

A row's numbers are a mapping ``cell -> int | None`` where a cell is the
row-relative path (``meta_anual``, ``trimestres[0].programado``,
``calendario[2]``). A check that fails makes the cells it covers
``needs_review``; a repair is applied only when exactly one single-cell
change makes every check pass, and the new value is something the print can
plausibly be (a look-alike digit, a value the reader echoed from the next
cell, an empty cell).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from reconcile.parse import digit_edits, number_readings

Values = dict[str, "int | None"]


def P(q: int) -> str:
    return f"trimestres[{q}].programado"


def A(q: int) -> str:
    return f"trimestres[{q}].alcanzado"


def C(q: int) -> str:
    return f"calendario[{q}]"


@dataclass(frozen=True)
class Check:
    """``test`` returns None when the check cannot run (its cells are empty)."""

    rule: str
    cells: tuple[str, ...]
    test: Callable[[Values], bool | None]
    solve: dict[str, Callable[[Values], int | None]] = field(default_factory=dict)
    total: str | None = None  # a sum check: this cell is the sum of the others
    # whether a pass fixes this cell's value given the others (None: always, as in a sum)
    fixes: Callable[[str, Values], bool] | None = None


def _sum(vals: Values, cells: list[str]) -> int:
    return sum(vals.get(c) or 0 for c in cells)


def _sum_check(rule: str, total: str, parts: list[str]) -> Check:
    def test(v: Values) -> bool | None:
        if v.get(total) is None:
            return None
        return _sum(v, parts) == v[total]

    solve = {total: lambda v: _sum(v, parts)}
    for cell in parts:
        solve[cell] = (lambda c: lambda v: (v.get(total) or 0) - _sum(v, [p for p in parts if p != c]))(cell)
    return Check(rule, (total, *parts), test, solve, total)


ROUND, CUT = "round", "cut"  # how a form turns a ratio into a whole percent: half up, or down


def ratio_values(part: int, whole: int, rounding: str | None = None) -> set[int]:
    """The whole percents a form may print for ``part`` of ``whole``: rounded half up or cut (either,
    while the page's ``rounding`` is not known); never raised."""
    exact = 100 * part / whole
    cut, rounded = math.floor(exact + 1e-9), math.floor(exact + 0.5 + 1e-9)
    return {rounded} if rounding == ROUND else {cut} if rounding == CUT else {cut, rounded}


def ratio_ok(percent: int, part: int, whole: int, rounding: str | None = None) -> bool:
    return percent in ratio_values(part, whole, rounding)


def page_rounding(triples) -> str | None:
    """The page's way of printing percents, from its rows' (percent, absoluto, meta) where rounding and
    cutting differ: known when two rows or more agree and none disagrees (a misread percent in one row
    cannot set it; two rows that disagree leave it unknown)."""
    votes = {ROUND: 0, CUT: 0}
    for rel, ab, meta in triples:
        if rel is None or ab is None or not meta:
            continue
        options = ratio_values(ab, meta)
        if len(options) == 2 and rel in options:
            votes[ROUND if rel == max(options) else CUT] += 1
    for way, other in ((ROUND, CUT), (CUT, ROUND)):
        if votes[way] >= 2 and votes[other] == 0:
            return way
    return None


def ratio_fixes(rounding: str | None = None) -> Callable[[str, Values], bool]:
    """Whether a percent that passes leaves one value for a cell: the percent itself when one value
    alone passes (1302 of 23172 is 5.62 %: a printed 5 and a printed 6 both pass while the page's
    rounding is unknown, so neither is vouched for); the absoluto or the goal only when one whole
    number alone rounds (or cuts) to the percent (small goals). Many goals give 50 % of 2233, and any
    goal 0 % of 0."""
    def fixes(cell: str, v: Values) -> bool:
        rel, ab, meta = v.get("avance_relativo"), v.get("avance_absoluto"), v.get("meta_anual")
        if ab is None or not meta:
            return False
        if cell == "avance_relativo":
            return len(ratio_values(ab, meta, rounding)) == 1
        if rel is None:
            return False
        if cell == "avance_absoluto":
            low, high = meta * (rel - 0.5) / 100, meta * (rel + 1) / 100  # ratio_ok's window for the part
            return sum(1 for a in range(max(0, math.ceil(low)), math.ceil(high) + 1)
                       if ratio_ok(rel, a, meta, rounding)) == 1
        if cell == "meta_anual" and rel > 0 and ab > 0:
            low, high = 100 * ab / (rel + 1), 100 * ab / max(rel - 0.5, 1e-9)
            return sum(1 for m in range(max(1, math.floor(low)), math.floor(high) + 2)
                       if ratio_ok(rel, ab, m, rounding)) == 1
        return False
    return fixes


def progress_checks(trimestre: int | None, rounding: str | None = None) -> list[Check]:
    """Quarterly programado sums to the annual goal; absolute and relative progress agree (the percent
    rounded as the page rounds, when its rows show it: ``page_rounding``)."""
    t = trimestre or 4
    done = [A(q) for q in range(t)]

    def rel_test(v: Values) -> bool | None:
        rel, ab, meta = v.get("avance_relativo"), v.get("avance_absoluto"), v.get("meta_anual")
        if rel is None or ab is None or not meta:
            return None
        return ratio_ok(rel, ab, meta, rounding)

    def rel_solve(v: Values) -> int | None:
        ab, meta = v.get("avance_absoluto"), v.get("meta_anual")
        return None if ab is None or not meta else min(ratio_values(ab, meta, rounding or ROUND))

    return [
        _sum_check("programado_sum_equals_meta", "meta_anual", [P(q) for q in range(4)]),
        _sum_check("absoluto_equals_sum_alcanzado", "avance_absoluto", done),
        Check("relativo_equals_absoluto_over_meta", ("avance_relativo", "avance_absoluto", "meta_anual"),
              rel_test, {"avance_relativo": rel_solve}, fixes=ratio_fixes(rounding)),
    ]


def modification_checks(movimiento: str | None) -> list[Check]:
    """Authorised + increases - decreases = modified; the calendar sums to the modified goal."""
    def balance(v: Values) -> bool | None:
        aut, mod = v.get("meta_anual_autorizada"), v.get("meta_anual_modificada")
        if mod is None:
            return None
        return (aut or 0) + (v.get("aumentos") or 0) - (v.get("disminuciones") or 0) == mod

    def diff(v: Values) -> int:
        return (v.get("aumentos") or 0) - (v.get("disminuciones") or 0)

    solve = {
        "meta_anual_modificada": lambda v: (v.get("meta_anual_autorizada") or 0) + diff(v),
        "meta_anual_autorizada": lambda v: (v.get("meta_anual_modificada") or 0) - diff(v),
        "aumentos": lambda v: (v.get("meta_anual_modificada") or 0) - (v.get("meta_anual_autorizada") or 0)
        + (v.get("disminuciones") or 0),
        "disminuciones": lambda v: (v.get("meta_anual_autorizada") or 0) + (v.get("aumentos") or 0)
        - (v.get("meta_anual_modificada") or 0),
    }
    checks = [
        Check("modificada_equals_autorizada_plus_aumentos_minus_disminuciones",
              ("meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada"), balance, solve),
        _sum_check("calendario_sums_to_modificada", "meta_anual_modificada", [C(q) for q in range(4)]),
    ]
    moves = set((movimiento or "").replace(" ", "").split("/")) - {""}
    if moves == {"R"}:
        checks.append(Check("reschedule_keeps_goal", ("meta_anual_autorizada", "meta_anual_modificada"),
                            lambda v: None if v.get("meta_anual_modificada") is None or v.get("meta_anual_autorizada") is None
                            else v["meta_anual_modificada"] == v["meta_anual_autorizada"]))
    return checks


@dataclass
class Outcome:
    """The checked values: each cell's results, what was repaired, what is in doubt."""

    values: Values
    results: dict[str, list[tuple[str, bool, str]]]  # cell -> [(rule, ok, detail)]
    repairs: dict[str, str]  # cell -> note
    doubtful: set[str]


def run(checks: list[Check], values: Values) -> dict[str, bool | None]:
    return {c.rule: c.test(values) for c in checks}


def _plausible(cell: str, new: int, values: Values, printed: dict[str, str | None], neighbours: dict[str, list[str]]) -> str | None:
    """Why the print could really hold ``new`` at ``cell``, or None if it could not.

    Look-alike digits, an echoed neighbour, an empty cell, and a dropped or
    extra digit all count, so that two different slips that each fit make the
    repair ambiguous (and flagged) rather than a guess.
    """
    text = printed.get(cell)
    old = values.get(cell)
    if new is None or new < 0:
        return None
    if old is None:
        return "empty cell filled from the arithmetic"
    if new in number_readings(text):
        return f"look-alike digit: printed {text!r} read as {new}"
    echoed = [n for n in neighbours.get(cell, []) if printed.get(n) is not None and printed.get(n) == text]
    if echoed:
        return f"printed {text!r} repeats the next cell ({echoed[0]}); the arithmetic gives {new}"
    if new in digit_edits(text):
        return f"a digit dropped or added: printed {text!r} read as {new}"
    return None


def check_and_repair(
    checks: list[Check],
    values: Values,
    printed: dict[str, str | None],
    neighbours: dict[str, list[str]] | None = None,
) -> Outcome:
    """Run the checks; when some fail, apply the one single-cell repair that makes all pass, if unique."""
    neighbours = neighbours or {}
    values = dict(values)
    repairs: dict[str, str] = {}
    status = before = run(checks, values)
    if any(ok is False for ok in status.values()):
        options = []
        for cell in sorted({c for chk in checks for c in chk.cells}):
            tried = set()
            for chk in checks:
                if cell in chk.solve:
                    tried.add(chk.solve[cell](values))
            for new in tried:
                if new is None or new == values.get(cell):
                    continue
                trial = dict(values, **{cell: new})
                if all(ok is not False for ok in run(checks, trial).values()):
                    why = _plausible(cell, new, values, printed, neighbours)
                    if why:
                        options.append((cell, new, why))
        if len(options) == 1:
            cell, new, why = options[0]
            values[cell] = new
            repairs[cell] = why
            status = run(checks, values)
    results: dict[str, list[tuple[str, bool, str]]] = {}
    doubtful: set[str] = set()
    for cell in repairs:
        # A repair one check alone supports is applied, but a person confirms it; and that check
        # passing is then no evidence for the other cells it covers, so they are in doubt too. A check
        # supports the repair only if it failed before it: a ratio that rounds alike either way does not.
        covering = [chk for chk in checks if cell in chk.cells and status[chk.rule] and before[chk.rule] is False]
        if len(covering) < 2:
            doubtful.add(cell)
            for chk in covering:
                doubtful.update(chk.cells)
    for chk in checks:
        ok = status[chk.rule]
        if ok is None:
            continue
        for cell in chk.cells:
            detail = repairs.get(cell, "") if ok else "the printed numbers disagree"
            results.setdefault(cell, []).append((chk.rule, ok, detail))
            if not ok:
                doubtful.add(cell)
    return Outcome(values, results, repairs, doubtful)
