"""Table rows: number, kind, líneas, description and unit against the catalog, numbers checked (pure)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from reconcile import prose
from reconcile.catalog import CatalogEntry, CatalogIndex
from reconcile.evidence import ALONE, CLEAN, FAILED, UNKNOWN, make_field, match_confidence, text_confidence
from reconcile.lineas import split_lineas
from reconcile.match import code_score, match, text_score
from reconcile.normalize import clean_spaces
from reconcile.numbers import modification_numbers, progress_numbers
from reconcile.parse import band_kind, parse_movimiento, row_kind, split_number
from reconcile.paths import get
from reconcile.types import Candidate, CheckResult, FieldResult, Provenance

_TOKENS = re.compile(r"[,;\s/]+")  # separators between the codes of a líneas cell

# An acción's printed text must be at least this close to the catalog's to take the catalog spelling.
TEXT_STRONG = 0.85
NUMBER_STRONG = 0.9
# Units of measure that differ by a letter (INFORME / INFORMES) need a wider margin.
UNIT_MARGIN = 0.1
# a líneas cell the reader vouched for below this asked for a look (its ink held digits no
# reading placed, or a level was guessed): codes found in the catalog prove no code was lost
UNSURE_LIST = 0.7


@dataclass(frozen=True)
class RowContext:
    report_type: str
    trimestre: int | None
    year: int | None
    unidad: str | None
    header_codes: tuple[str, ...]
    catalog: CatalogIndex
    vocabulary: frozenset[str] = frozenset()  # words free text is checked against (reconcile.prose)
    rounding: str | None = None  # how the page prints percents (reconcile.numbers.page_rounding)


def reconcile_row(raw_row: dict, index: int, ctx: RowContext, prov: Callable[[str], Provenance]) -> tuple[dict, dict[str, FieldResult]]:
    """One raw row -> (row data in the contract shape, FieldResults by row-relative path; ``""`` is the row)."""
    fields: dict[str, FieldResult] = {}
    data: dict = {}
    modification = ctx.report_type == "modificacion_programatica"
    if modification:
        mov = parse_movimiento(raw_row.get("movimiento"))
        data["movimiento"] = mov.value
        conf = (prov("movimiento").confidence or CLEAN) if mov.ok else 0.3
        fields["movimiento"] = make_field(mov.value, raw_row.get("movimiento"), conf, prov("movimiento"),
                                          checks=[CheckResult("known_movement", mov.ok, mov.note)] if mov.value else [])
    number, desc, number_field, desc_field = _accion(raw_row, ctx, prov)
    data["kind"], fields["kind"] = _kind(raw_row.get("kind"), number, index, number_field, prov("kind"))
    data["number"], fields["number"] = number, number_field
    data["lineas_accion"], line_fields = _lineas(raw_row.get("lineas_accion"), ctx, prov("lineas_accion"))
    fields.update(line_fields)
    data["descripcion"], fields["descripcion"] = desc, desc_field
    data["unidad_medida"], fields["unidad_medida"] = _unidad_medida(raw_row.get("unidad_medida"), ctx, prov("unidad_medida"))
    if modification:
        numbers, number_fields = modification_numbers(raw_row, data["movimiento"], prov)
    else:
        numbers, number_fields = progress_numbers(raw_row, ctx.trimestre, prov, ctx.rounding)
    data.update(numbers)
    fields.update(number_fields)
    note_key = "justificacion" if modification else "observaciones"
    data[note_key], fields[note_key] = _free_text(raw_row.get(note_key), prov(note_key), ctx.vocabulary)
    _require_filled(data, fields, modification, prov)
    if not modification and data.get("observaciones") is None and _off_programme(data, ctx.trimestre):
        check = CheckResult("note_where_off_programme", False,
                            "achieved differs from programmed so far: the form explains why; nothing was read")
        fields["observaciones"] = make_field(None, raw_row.get("observaciones"), FAILED, prov("observaciones"),
                                             checks=[check])
    thin = thin_row(raw_row, data, modification)
    if thin:
        fields[""] = make_field(None, None, FAILED, prov(""), checks=[CheckResult("row_read_whole", False, thin)])
    return data, fields


# Numeric cells the form fills in every row (null only where the contract allows it).
PROGRESS_FILLED = ("meta_anual", "trimestres[0].programado", "trimestres[1].programado", "trimestres[2].programado",
                   "trimestres[3].programado", "avance_absoluto", "avance_relativo")
MODIFICATION_FILLED = ("meta_anual_autorizada", "meta_anual_modificada", "calendario[0]", "calendario[1]",
                       "calendario[2]", "calendario[3]")


def has_identity(data: dict) -> bool:
    """A row is known by its number or its description."""
    return bool(data.get("number") or data.get("descripcion"))


def thin_row(raw_row: dict, data: dict, modification: bool) -> str:
    """Why the row's evidence is too thin to vouch for the row as a whole ('' when it is not): no number and
    no description (a fragment of another row, or a row read as nothing), or most of the numeric cells the
    form always fills read as empty (the table was read badly there)."""
    if not has_identity(data):
        return "neither a number nor a description was read: a fragment, or a row not read"
    keys = MODIFICATION_FILLED if modification else PROGRESS_FILLED
    empty = sum(1 for k in keys if get(data, k) is None)
    if empty * 2 >= len(keys):
        return f"{empty} of the {len(keys)} numeric cells the form fills are empty"
    return ""



def _require_filled(data: dict, fields: dict[str, FieldResult], modification: bool, prov) -> None:
    """Cells the form always fills in a row that has a description: empty means unread, so review."""
    if not data.get("descripcion") and not data.get("number"):
        return
    needed = ["number", "descripcion", "unidad_medida", "lineas_accion"]
    if modification:
        changed = data.get("aumentos") or data.get("disminuciones") or (
            data.get("meta_anual_autorizada") != data.get("meta_anual_modificada"))
        # the form lists an acción because it moves; a justification is the reason for a movement
        moved = changed or data.get("kind") == "accion"
        if moved or data.get("justificacion"):
            needed.append("movimiento")
        if moved or data.get("movimiento"):
            needed.append("justificacion")
    for key in needed:
        if data.get(key) in (None, "", []):
            fields[key] = missing(fields.get(key), prov(key))


def _off_programme(data: dict, trimestre: int | None) -> bool:
    """Whether the quarters reported so far achieved more or less than programmed (every one of them read).

    The form asks for a note exactly then ("No se alcanza ...", "Se supera ..."); an empty note there is
    more likely a note not read than a note not written."""
    done = (data.get("trimestres") or [])[:trimestre or 0]
    if not done or any(q.get("programado") is None or q.get("alcanzado") is None for q in done):
        return False
    return sum(q["alcanzado"] for q in done) != sum(q["programado"] for q in done)


def missing(found: FieldResult | None, prov: Provenance) -> FieldResult:
    check = CheckResult("cell_not_empty", False, "the form fills this cell; nothing was read")
    if found is None:
        return make_field(None, None, FAILED, prov, checks=[check])
    return replace(found, status="needs_review", confidence=min(found.confidence, FAILED),
                   checks=found.checks + (check,))


def _kind(raw_kind, number: str | None, index: int, number_field: FieldResult, prov: Provenance):
    """``meta``/``accion``: the printed separator (META / ACCION) when read, else the number's shape."""
    by_number = row_kind(number, index)
    by_label = band_kind(raw_kind)
    if by_label and by_label != by_number and number:
        check = CheckResult("kind_agrees_with_number", False, f"printed {raw_kind!r}, number {number!r}")
        return by_label, make_field(by_label, raw_kind, 0.5, prov, checks=[check])
    value = by_label or by_number
    conf = 0.95 if by_label else (min(number_field.confidence, 0.95) if number else 0.9)
    return value, make_field(value, raw_kind, conf, prov)


def _accion_score(number: str | None, desc: str | None, entry: CatalogEntry) -> tuple[float, float, float]:
    ns = code_score(number, entry.code) if number else None
    ts = max((text_score(desc, s) for s in entry.spellings), default=0.0) if desc else None
    if ns is None and ts is None:
        return 0.0, 0.0, 0.0
    if ns is None:
        return 0.85 * ts, 0.0, ts
    if ts is None:
        return 0.85 * ns, ns, 0.0
    return 0.4 * ns + 0.6 * ts, ns, ts


def _accion(raw_row: dict, ctx: RowContext, prov) -> tuple[str | None, str | None, FieldResult, FieldResult]:
    """Row number and description: the unidad's acción for the year that fits both, when one does."""
    raw_num, raw_desc = raw_row.get("number"), raw_row.get("descripcion")
    number, desc = split_number(raw_num, raw_desc)
    entries = ctx.catalog.acciones(ctx.unidad, ctx.year) if ctx.unidad else []
    scored = sorted(((_accion_score(number, desc, e), e) for e in entries), key=lambda s: -s[0][0])
    p_num, p_desc = prov("number"), prov("descripcion")
    num_ocr = p_num.confidence if p_num.confidence is not None else p_desc.confidence
    if not scored or scored[0][0][0] < 0.6:
        conf = num_ocr if num_ocr is not None else (CLEAN if number else UNKNOWN)
        return (number, desc, make_field(number, raw_num or raw_desc, conf, p_num, review=number is None),
                make_field(desc, raw_desc, text_confidence(p_desc.confidence), p_desc))
    (total, ns, ts), best = scored[0]
    rival = next((s[0][0] for s in scored[1:] if (s[1].code, s[1].name) != (best.code, best.name)), 0.0)
    conf = match_confidence(total, total - rival)
    cands = tuple(Candidate(e.code, round(s[0], 4), e.id) for s, e in scored[:5])
    out_num = best.code if ns >= NUMBER_STRONG or (ts >= 0.95 and total - rival >= 0.1) else number
    num_field = make_field(out_num, raw_num or raw_desc, conf if out_num == best.code else min(conf, 0.6), p_num,
                           candidates=cands)
    if ts >= TEXT_STRONG and out_num == best.code:
        desc_field = make_field(best.name, raw_desc, min(conf, ts) if ts < 0.97 else conf, p_desc,
                                candidates=tuple(Candidate(e.name, round(s[2], 4), e.id) for s, e in scored[:3]))
        return out_num, best.name, num_field, desc_field
    desc_conf = min(text_confidence(p_desc.confidence), 0.6)
    desc_field = make_field(desc, raw_desc, desc_conf, p_desc, candidates=(Candidate(best.name, round(ts, 4), best.id),),
                            checks=[CheckResult("descripcion_matches_catalog", False, f"text score {ts:.2f}")])
    return out_num, desc, num_field, desc_field


def _lineas(raw, ctx: RowContext, prov: Provenance) -> tuple[list[str], dict[str, FieldResult]]:
    known = [e.code for e in ctx.catalog.of_kind("linea_accion", ctx.year) if e.code]
    parsed = split_lineas(raw, ctx.header_codes, known)
    fields = {}
    every = set(known) | set(ctx.header_codes)
    for i, code in enumerate(parsed.value):
        if not parsed.ok:
            conf = 0.4
        elif code in every:
            conf = 0.97 if not parsed.repaired else 0.9
        elif any(code_score(code, k) >= 0.9 for k in every):
            conf = 0.6  # unknown, and one look-alike digit from a known line
        else:
            conf = 0.86 if not parsed.repaired else 0.7
        if prov.confidence is not None:
            conf = min(conf, max(prov.confidence, 0.86)) if code in every else min(conf, prov.confidence)
        checks = [CheckResult("lineas_split", parsed.ok, parsed.note)] if parsed.repaired or not parsed.ok else []
        twin = _header_twin(code, parsed.value, ctx.header_codes)
        if prov.confidence is not None and prov.confidence < ALONE and twin:
            # Being listed in the header proves nothing when a sibling one digit away is listed too: only a
            # sure read tells the two apart (measured: rows read below 0.95 swapped such siblings).
            conf = min(conf, 0.6)
            checks.append(CheckResult("linea_not_a_sibling", False, f"cell read at {prov.confidence:.2f}; the "
                                      f"header's {twin} is one digit away and not in the list"))
        fields[f"lineas_accion[{i}]"] = make_field(code, raw if isinstance(raw, str) else None, conf, prov, checks=checks)
    doubt = _lineas_doubt(raw, parsed.value, parsed.repaired, every)
    if not doubt and parsed.value and prov.confidence is not None and prov.confidence < UNSURE_LIST:
        doubt = f"the cell was read unsure ({prov.confidence:.2f}): a code may be lost from the list"
    if doubt:  # the list's length is in doubt, not only one code: the whole cell goes to review
        fields["lineas_accion"] = make_field(parsed.value, raw if isinstance(raw, str) else None, FAILED, prov,
                                             checks=[CheckResult("lineas_list_sure", False, doubt)])
    return parsed.value, fields


def _header_twin(code: str, listed: list[str], header: tuple[str, ...]) -> str | None:
    """A header line one digit from ``code`` that the list does not carry: what a misread digit would give."""
    return next((h for h in header if h not in listed and len(h) == len(code)
                 and sum(a != b for a, b in zip(h, code)) == 1), None)


def _lineas_doubt(raw, codes: list[str], repaired: bool, known_codes: set[str] = frozenset()) -> str:
    """Why a row's parsed líneas may not be the printed list: a repaired split, a code read twice, or
    digits in the cell that no parsed code accounts for."""
    if not codes:
        return ""
    text = raw if isinstance(raw, str) else ", ".join(str(t) for t in raw or [] if t)
    per_code = {sum(ch.isdigit() for ch in c) for c in known_codes} or {sum(ch.isdigit() for ch in codes[0])}
    if repaired:  # dots lost inside one code ("4.61") is harmless; a run split or a letter read as a digit is not
        for token in _TOKENS.split(text):
            token = token.strip(".-")
            if token and sum(ch.isdigit() for ch in token) not in per_code:
                return f"the split needed a repair ({token!r} is not one code)"
    if len(set(codes)) < len(codes):
        return "a code read twice"
    if re.search(r"\d\s*[,;]\s*$", text):  # a separator with nothing after it: a last code lost
        return "the cell ends with a separator"
    printed = sum(ch.isdigit() for ch in text)
    parsed = sum(ch.isdigit() for c in codes for ch in c)
    if printed > parsed:
        return f"{printed - parsed} printed digit(s) in no parsed code"
    return ""


def _unidad_medida(raw, ctx: RowContext, prov: Provenance) -> tuple[str | None, FieldResult]:
    text = clean_spaces(raw)
    if text is None:
        return None, make_field(None, raw, CLEAN, prov)
    choices = {e.id: s for e in ctx.catalog.of_kind("unidad_medida", ctx.year) for s in e.spellings}
    names = {e.id: e.name for e in ctx.catalog.of_kind("unidad_medida", ctx.year)}
    found = match(text, choices, scorer=text_score)
    if found.best is None or found.score < 0.75:
        return text, make_field(text, raw, min(text_confidence(prov.confidence), 0.6), prov)
    conf = match_confidence(found.score, found.margin)
    sure_read = found.score == 1.0 and (prov.confidence or 0.0) >= 0.9
    if found.margin < UNIT_MARGIN and not sure_read:  # INFORME / INFORMES: one dropped letter is another unit
        conf = min(conf, 0.7)
    if found.score < 1.0 and len(text) < 15:
        conf = conf ** 2  # a short word one letter away may be another word
    cands = tuple(Candidate(names[k], round(s, 4), k) for _, s, k in found.candidates)
    return names[found.best], make_field(names[found.best], raw, conf, prov, candidates=cands)


def _free_text(raw, prov: Provenance, vocab: frozenset[str] = frozenset()) -> tuple[str | None, FieldResult]:
    """Free text: the reader's confidence, and only when the text reads as well-formed prose."""
    text = clean_spaces(raw)
    if text is None:
        return None, make_field(None, raw, prov.confidence if prov.confidence is not None else CLEAN, prov)
    found = prose.problems(text, vocab | prose.FUNCTION_WORDS)
    checks = [CheckResult("prose_well_formed", False, "; ".join(found[:3]))] if found else []
    return text, make_field(text, raw, text_confidence(prov.confidence), prov, checks=checks)
