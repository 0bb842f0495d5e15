"""A row's numbers: parse, apply the contract's rules, check, repair, and grade (pure)."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from reconcile import checks as ck
from reconcile.evidence import ALONE, CLEAN, FAILED, RULE, make_field, number_confidence
from reconcile.parse import parse_int, parse_percent
from reconcile.paths import get
from reconcile.types import Candidate, CheckResult, FieldResult, Provenance

ProvFn = Callable[[str], Provenance]

# A reading firm enough to vouch, through an identity, for the other cells of it. Measured on twenty
# rendered batches: any value from 0.5 to 0.85 lets the same misreads through; 0.7 asks least of people.
FIRM = 0.7

PROGRESS_ORDER = ["meta_anual"] + [c for q in range(4) for c in (ck.P(q), ck.A(q))] + ["avance_absoluto", "avance_relativo"]
MODIFICATION_ORDER = ["meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada"] + [ck.C(q) for q in range(4)]


def _printed(raw_row: dict, order: list[str]) -> dict[str, str | None]:
    out = {}
    for cell in order:
        value = get(raw_row, cell)
        out[cell] = None if value is None or str(value).strip() == "" else str(value)
    return out


def _neighbours(order: list[str]) -> dict[str, list[str]]:
    return {c: order[max(i - 1, 0):i] + order[i + 1:i + 2] for i, c in enumerate(order)}


def _parse(cell: str, text: str | None):
    return parse_percent(text) if cell == "avance_relativo" else parse_int(text)


def _shift_blanks(printed: dict[str, str | None], order: list[str], empty_slots: set[str]) -> dict[str, str | None] | None:
    """Values whose blanks were dropped (shifted left): put them back around the cells that must be empty."""
    texts = [printed[c] for c in order if printed[c] is not None]
    slots = [c for c in order if c not in empty_slots]
    if len(texts) != len(slots):
        return None
    moved = dict.fromkeys(order)
    moved.update(zip(slots, texts))
    return None if moved == printed else moved


def page_rounding(raw_rows) -> str | None:
    """How the page prints its percents (``checks.page_rounding``), from its rows as printed."""
    triples = []
    for raw_row in raw_rows:
        printed = _printed(raw_row if isinstance(raw_row, dict) else {}, PROGRESS_ORDER)
        parsed = [_parse(c, printed[c]) if printed[c] is not None else None
                  for c in ("avance_relativo", "avance_absoluto", "meta_anual")]
        if all(p is not None and p.ok for p in parsed):
            triples.append(tuple(p.value for p in parsed))
    return ck.page_rounding(triples)


def progress_numbers(raw_row: dict, trimestre: int | None, prov: ProvFn,
                     rounding: str | None = None) -> tuple[dict, dict[str, FieldResult]]:
    """The numeric cells of a progress row: values (row-relative paths) and their FieldResults.
    ``rounding``: how the page prints percents, when its rows show it (``page_rounding``)."""
    order = PROGRESS_ORDER
    printed = _printed(raw_row, order)
    later = {ck.A(q) for q in range(trimestre or 4, 4)} if trimestre else set()
    checks = ck.progress_checks(trimestre, rounding)
    outcome, shifted = _check_layout(checks, printed, order, later)
    if shifted:
        printed = shifted
    required = _required(printed, [c for c in order if c not in later])
    misread = _row_misread(printed, [c for c in order if c not in later])
    sure = {c: _sureness(c, printed[c], outcome, prov(c), c in required, bool(misread))
            for c in order if c not in later}
    pinned = corroboration(checks, outcome, sure)
    fields = {}
    for cell in order:
        if cell in later:
            fields[cell] = _rule_null(printed[cell], prov(cell), trimestre)
            continue
        fields[cell] = _grade(cell, printed[cell], outcome, prov(cell), shifted is not None, cell in required,
                              pinned[cell], misread)
    data = {
        "meta_anual": outcome.values.get("meta_anual"),
        "trimestres": [
            {"programado": outcome.values.get(ck.P(q)), "alcanzado": None if ck.A(q) in later else outcome.values.get(ck.A(q))}
            for q in range(4)
        ],
        "avance_absoluto": outcome.values.get("avance_absoluto"),
        "avance_relativo": outcome.values.get("avance_relativo"),
    }
    return data, fields


def modification_numbers(raw_row: dict, movimiento: str | None, prov: ProvFn) -> tuple[dict, dict[str, FieldResult]]:
    order = MODIFICATION_ORDER
    raw = dict(raw_row)
    cal = raw.get("calendario")
    if isinstance(cal, str):  # one cell read for the four quarters
        parts = cal.split()
        raw["calendario"] = parts if len(parts) == 4 else [cal, None, None, None]
    printed = _printed(raw, order)
    checks = ck.modification_checks(movimiento)
    outcome, shifted = _check_layout(checks, printed, order, set())
    required = _required(printed, ["meta_anual_autorizada", "meta_anual_modificada"] + [ck.C(q) for q in range(4)])
    misread = _row_misread(printed, order)
    sure = {c: _sureness(c, printed[c], outcome, prov(c), c in required, bool(misread)) for c in order}
    pinned = corroboration(checks, outcome, sure)
    for cell in set(order) - required:  # a 0 where the form may leave a blank adds as a blank does: the
        if outcome.values.get(cell) == 0:  # sums cannot tell a printed 0 from a speck on an empty cell
            pinned[cell] = False
    fields = {cell: _grade(cell, printed[cell], outcome, prov(cell), False, cell in required, pinned[cell], misread)
              for cell in order}
    _doubt_slid(fields, checks, printed, required)
    data = {c: outcome.values.get(c) for c in order[:4]}
    data["calendario"] = [outcome.values.get(ck.C(q)) for q in range(4)]
    return data, fields


def _doubt_slid(fields: dict[str, FieldResult], checks: list[ck.Check], printed: dict, required: set[str]) -> None:
    """Quarters read beside one the form fills but that was read empty: the reader may have lost that cell
    and slid the values after it (0, 1, 0, _ for 0, 0, 1, 0), so none of them is in a sure place. For the
    calendar, whose four quarters stand side by side (a progress row interleaves programado and alcanzado,
    so a slid value lands in the other kind of cell and breaks the sums instead)."""
    for chk in checks:
        parts = [c for c in chk.cells if c != chk.total] if chk.total else []
        lost = [c for c in parts if printed.get(c) is None and c in required]
        if not lost:
            continue
        check = CheckResult("quarters_in_place", False, f"{', '.join(lost)} read empty: values beside it may have slid")
        for cell in parts:
            if cell not in lost and printed.get(cell) is not None:
                found = fields[cell]
                fields[cell] = replace(found, status="needs_review", confidence=min(found.confidence, FAILED),
                                       checks=found.checks + (check,))


def _required(printed: dict[str, str | None], cells: list[str]) -> set[str]:
    """Cells the form always fills, once a row carries any number at all."""
    return set(cells) if any(t is not None for t in printed.values()) else set()


def _values(printed: dict[str, str | None], skip: set[str]) -> dict[str, int | None]:
    return {c: (None if c in skip else _parse(c, t).value) for c, t in printed.items()}


def _check_layout(checks, printed, order, later) -> tuple[ck.Outcome, dict | None]:
    """Check the printed layout; if it fails and the values fit once dropped blanks are restored, use that."""
    outcome = ck.check_and_repair(checks, _values(printed, later), printed, _neighbours(order))
    if not outcome.doubtful and not outcome.repairs:
        return outcome, None
    shifted = _shift_blanks(printed, order, later)
    if shifted is not None:
        moved = ck.check_and_repair(checks, _values(shifted, later), shifted, _neighbours(order))
        if not moved.doubtful and not moved.repairs and any(r for r in moved.results.values()):
            for cell in moved.results:
                moved.repairs.setdefault(cell, "blanks dropped by the reader: values moved back to their columns")
            return moved, shifted
    return outcome, None


# How surely a cell was read: unusable (an identity over it proves nothing), suspect (a failed check
# covers it), doubtful (read unsurely), firm, firm and inside a wider identity that passed, certain.
UNUSABLE, SUSPECT, DOUBTFUL, FIRMLY, BACKED, CERTAINLY = -2, -1, 0, 1, 1.5, 2


def _sureness(cell: str, text: str | None, outcome: ck.Outcome, prov: Provenance, required: bool,
              misread_row: bool = False) -> float:
    """How surely a cell was read: certainly (at ``ALONE``, or a clean parse with no reader's confidence),
    firmly (at ``FIRM``, or repaired with two checks' support), doubtfully; or unusably, where an identity
    over the cell proves nothing: an empty cell the form always fills holds the identity only if the unread
    value happens to be 0, an unparseable one was given a value by nobody."""
    if cell in outcome.repairs:
        return DOUBTFUL if cell in outcome.doubtful else FIRMLY
    if text is None:
        return UNUSABLE if required else FIRMLY
    parsed = _parse(cell, text)
    if not parsed.ok:
        return UNUSABLE
    if prov.confidence is None:
        return DOUBTFUL if parsed.repaired else CERTAINLY
    if prov.confidence >= ALONE and not misread_row:  # in a row with garbage, no reading is certain
        return CERTAINLY
    return FIRMLY if prov.confidence >= FIRM else DOUBTFUL


def _pins(chk: ck.Check, cell: str, sure: dict[str, float], passed: set[str], values: dict | None = None) -> bool:
    """A passed identity vouches for a cell unless another cell of it is unusable or suspect (a misread
    there must be balanced by one here for the identity to hold), or the cell and another are both read
    doubtfully: two misreads can satisfy an identity together (4501 and 1126 for 4500 and 1125), one
    misread cannot. Except in a sum whose firm cells leave its doubtful parts a sum of 0: parts are never
    negative, so each of them is 0 (a row of doubtful zeros under a firm total and firm parts). A ratio
    rounded to a percent fixes the percent only: many goals give 50 % of 2233, any goal 0 % of 0. Two equal
    cells (absoluto = the one alcanzado) vouch for each other only when the other is read with certainty:
    the same print misread the same way twice (3 and 3 for 33 and 33) satisfies the identity."""
    others = [o for o in chk.cells if o != cell]
    if chk.rule not in passed or cell not in chk.cells:
        return False
    if chk.fixes is not None and (values is None or not chk.fixes(cell, values)):
        return False
    if any(sure.get(o, UNUSABLE) < DOUBTFUL for o in others):
        return False
    if len(chk.cells) == 2:  # two equal cells: one misread printed twice reads alike twice
        return sure[others[0]] >= CERTAINLY or sure[others[0]] == BACKED
    if sure[cell] >= FIRMLY or all(sure[o] >= FIRMLY for o in others):
        return True
    doubtful = [c for c in chk.cells if sure[c] < FIRMLY]
    return (values is not None and chk.total is not None and chk.total not in doubtful
            and all(values.get(c) == 0 for c in doubtful))


def _refirmed(cell: str, checks: list[ck.Check], sure: dict[str, float], passed: set[str], values: dict) -> bool:
    """A firmly read cell a failed check put in doubt, pinned again by another identity whose other cells
    are all firm: one of three or more cells (a printed 100 % that fails against a goal the quarters sum
    to), or one of two equal cells both read with certainty; two equal cells read less surely (absoluto =
    the one alcanzado) may be one misread printed twice."""
    if sure.get(cell, UNUSABLE) < FIRMLY:
        return False
    for k in checks:
        others = [o for o in k.cells if o != cell]
        if cell not in k.cells or not _pins(k, cell, sure, passed, values):
            continue
        if len(k.cells) >= 3 and all(sure[o] >= FIRMLY for o in others):
            return True
        if len(k.cells) == 2 and sure[cell] == CERTAINLY and sure[others[0]] == CERTAINLY:
            return True
    return False


def _backed(cell: str, wide: list[ck.Check], level: dict, passed: set[str]) -> bool:
    return any(k.rule in passed and cell in k.cells and all(level.get(o, UNUSABLE) >= FIRMLY for o in k.cells)
               for k in wide)


def corroboration(checks: list[ck.Check], outcome: ck.Outcome, sure: dict[str, float]) -> dict[str, bool]:
    """Cells a passed identity vouches for (see ``_pins``), once cells some failed check put in doubt
    are suspect unless another identity pins them again (``_refirmed``)."""
    passed = {rule for results in outcome.results.values() for rule, ok, _ in results if ok}
    values = outcome.values
    level = {c: min(v, SUSPECT) if c in outcome.doubtful and c not in outcome.repairs
             and not _refirmed(c, checks, sure, passed, values) else v for c, v in sure.items()}
    wide = [k for k in checks if len(k.cells) > 2]
    pinned = {c: any(_pins(k, c, level, passed, values) for k in wide) for c in sure}
    # For a two-cell identity: a cell a wide identity pins is as good as certain; a firm nonzero cell
    # inside a wide identity that passed over firm cells (a percent that fits it) is backed: a misread
    # dropping or changing a leading digit would have broken that one too.
    level = {c: CERTAINLY if pinned[c] and v >= DOUBTFUL else
             BACKED if v == FIRMLY and values.get(c) and _backed(c, wide, level, passed) else v
             for c, v in level.items()}
    pairs = [k for k in checks if len(k.cells) == 2]
    return {c: pinned[c] or any(_pins(k, c, level, passed, values) for k in pairs) for c in sure}


def _row_misread(printed: dict[str, str | None], cells) -> str:
    """Why the reader is not to be trusted alone anywhere in this row ('' when it may be): it read a cell as
    something that is not a number. A reader that produced garbage there misreads beside it too, at full
    confidence (13 read as 12 three times, with the goal read as 'e'). A cell merely left empty is not
    such evidence: whole columns go unread on clean scans, and the cells beside them are read right."""
    for cell in cells:
        text = printed.get(cell)
        if text is not None and not _parse(cell, text).ok:
            return f"{cell} read as {text!r}"
    return ""


def _grade(cell: str, text: str | None, outcome: ck.Outcome, prov: Provenance, shifted: bool,
           required: bool, corroborated: bool, misread: str = "") -> FieldResult:
    parsed = _parse(cell, text)
    value = outcome.values.get(cell)
    results = [CheckResult(rule, ok, detail) for rule, ok, detail in outcome.results.get(cell, [])]
    if value is None and required:
        results.append(CheckResult("cell_not_empty", False, "the form fills this cell; nothing was read"))
    candidates = []
    repaired = cell in outcome.repairs
    if repaired and not shifted:
        results.append(CheckResult("single_reading_repair", True, outcome.repairs[cell]))
        candidates = [Candidate(value, 0.9), Candidate(parsed.value, 0.1)]
    elif shifted and cell in outcome.repairs:
        results.append(CheckResult("blank_shift_repair", True, outcome.repairs[cell]))
    if not parsed.ok:
        results.append(CheckResult("parses_as_number", False, parsed.note))
    alone = value is not None and not corroborated and not repaired and parsed.ok
    if alone and (misread or parsed.repaired):  # nothing pins it, and the reader is not trusted alone here
        why = f"nothing checks it, and {misread}" if misread else f"nothing checks it, and it was {parsed.note}"
        results.append(CheckResult("reader_trusted_alone", False, why))
    if value is None and not required:  # a cell the form may leave blank, read blank: nothing to misread
        conf = prov.confidence if prov.confidence is not None else CLEAN
        conf = number_confidence(conf, True, results, True)
    else:
        conf = number_confidence(prov.confidence, parsed.ok and not parsed.repaired, results,
                                 corroborated or (repaired and not shifted))
    if repaired and not shifted:
        conf = min(conf, 0.9)
    return make_field(value, text, conf, prov, candidates=candidates, checks=results,
                      review=cell in outcome.doubtful or not parsed.ok)


def _rule_null(text: str | None, prov: Provenance, trimestre: int | None) -> FieldResult:
    detail = f"quarter after the reported quarter {trimestre}: null by the contract"
    if text is not None:
        detail += f" (printed {text!r} ignored)"
    return make_field(None, text, RULE, prov, checks=[CheckResult("alcanzado_after_trimestre_is_null", True, detail)])
