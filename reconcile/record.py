"""Raw record -> report record: every field with its value, evidence and review status (pure)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconcile import header as hdr
from reconcile import prose
from reconcile.catalog import KINDS, CatalogIndex
from reconcile.evidence import AUTO, CLEAN, FAILED, UNKNOWN, make_field
from reconcile.header import PairResult
from reconcile.match import code_score
from reconcile.parse import (
    FORM_CODES, Parsed, parse_int, parse_ayuntamiento, parse_formato, parse_report_type, parse_trimestre, parse_year,
)
from reconcile.paths import ancestors, split
from reconcile.parse import ROLE_ORDER
from reconcile.numbers import page_rounding
from reconcile.people import signatory
from reconcile.rows import RowContext, has_identity, reconcile_row
from reconcile.types import Candidate, CheckResult, FieldResult, RawRecord, ReportRecord

# A reader's confidence at which a catalog code outside the header's list is taken as read.
FIRM = AUTO

PAIR_KEYS = ("clasificacion_administrativa", "ramo", "programa", "unidad_ejecutora", "finalidad", "funcion", "subfuncion")


class _Builder:
    def __init__(self, raw: RawRecord):
        self.raw = raw
        self.fields: dict[str, FieldResult] = {}

    def prov(self, path: str):
        return self.raw.provenance(path)

    def put(self, path: str, result: FieldResult) -> Any:
        self.fields[path] = result
        return result.value

    def flag(self, path: str, check: CheckResult) -> None:
        """Add a failed check to a field already built (a later field found it inconsistent)."""
        found = self.fields.get(path)
        if found is not None:
            self.fields[path] = replace(found, status="needs_review", confidence=min(found.confidence, FAILED),
                                        checks=found.checks + (check,))

    def under(self, prefix: str, fields: dict[str, FieldResult]) -> None:
        for sub, result in fields.items():
            self.fields[f"{prefix}.{sub}" if sub else prefix] = result


def _scalar(b: _Builder, path: str, parsed: Parsed, raw_text: Any, *, checks=(), candidates=(), required=False) -> Any:
    prov = b.prov(path)
    if parsed.value is None:
        unread = raw_text not in (None, "") or required
        if required:
            checks = tuple(checks) + (CheckResult("cell_not_empty", False, "the form always prints this"),)
        return b.put(path, make_field(None, raw_text, 0.3 if unread else CLEAN, prov, checks=checks, review=unread))
    conf = prov.confidence if prov.confidence is not None else (CLEAN if not parsed.repaired else 0.87)
    if parsed.ok and prov.confidence is None and not parsed.repaired:
        conf = 0.97
    return b.put(path, make_field(parsed.value, raw_text, conf, prov, checks=checks, candidates=candidates,
                                  review=not parsed.ok))


def _formato(b: _Builder, text: Any, report_type: str | None) -> str | None:
    """The printed form code, checked against the form it names; a look-alike slip is proposed, not trusted."""
    parsed = parse_formato(text)
    if parsed.value is None or not parsed.ok:
        return _scalar(b, "formato", parsed, text, required=True)
    known = FORM_CODES.get(parsed.value)
    if known is not None:
        check = CheckResult("formato_matches_form", known == report_type, f"{parsed.value} is {known}")
        return _scalar(b, "formato", parsed, text, checks=[check])
    near = [(code_score(parsed.value, c), c) for c, form in FORM_CODES.items() if form == report_type]
    near = sorted([n for n in near if n[0] >= 0.85], reverse=True)
    check = CheckResult("formato_known", False, f"{parsed.value} is not a known form code")
    value = near[0][1] if len(near) == 1 else parsed.value
    cands = tuple(Candidate(c, round(s, 4)) for s, c in near)
    return b.put("formato", make_field(value, text, 0.6, b.prov("formato"), candidates=cands, checks=[check]))


def _ayuntamiento(b: _Builder, raw: dict, catalog: CatalogIndex, year: int | None) -> str | None:
    """The council term, checked against the catalog's terms for the year (which checks the year too)."""
    text = raw.get("ayuntamiento")
    parsed = parse_ayuntamiento(text)
    valid = [e.code for e in catalog.of_kind("ayuntamiento", year) if e.code]
    if not catalog.of_kind("ayuntamiento"):
        return _scalar(b, "ayuntamiento", parsed, text, required=True)
    ok = parsed.value in valid and year is not None
    check = CheckResult("ayuntamiento_valid_for_year", ok, f"catalog for {year}: {', '.join(valid) or 'none'}")
    known_terms = {e.code for e in catalog.of_kind("ayuntamiento")}
    if not ok and year is not None and parsed.value in known_terms:  # a known term, another year: one is wrong
        b.flag("ejercicio", check)
    cands = tuple(Candidate(v, 1.0 if v == parsed.value else 0.5) for v in valid)
    if parsed.value is None and year is not None and len(valid) == 1:
        # unreadable, but one term governs the year read: proposed from the catalog, for a person to confirm
        return b.put("ayuntamiento", make_field(valid[0], text, 0.6, b.prov("ayuntamiento"), candidates=cands,
                                                checks=[check]))
    return _scalar(b, "ayuntamiento", parsed, text, checks=[check], candidates=cands, required=True)


def _pair(b: _Builder, key: str, res: PairResult | None, raw: dict, expected: bool = False) -> dict | None:
    printed = raw.get(key) if isinstance(raw.get(key), dict) else {}
    if res is None:
        b.put(f"{key}.code", make_field(None, printed.get("code"), CLEAN, b.prov(f"{key}.code")))
        b.put(f"{key}.name", make_field(None, printed.get("name"), CLEAN, b.prov(f"{key}.name")))
        if expected:  # the catalog has this slot for the year: the form prints it, nothing was read
            check = CheckResult("cell_not_empty", False, f"the catalog has a {key} for the year; none was read")
            b.put(key, make_field(None, None, FAILED, b.prov(key), checks=[check]))
        return None
    code_c = tuple(Candidate(c, round(s, 4)) for c, _, s in ((res.code, res.name, res.score),) + res.rivals)
    name_c = tuple(Candidate(n, round(s, 4)) for _, n, s in ((res.code, res.name, res.score),) + res.rivals)
    found = res.entry is not None
    checks = [CheckResult("in_catalog", found, "" if found else "no catalog entry explains the print")]
    conf = res.confidence if found else 0.3
    b.put(f"{key}.code", make_field(res.code, printed.get("code"), conf, b.prov(f"{key}.code"), candidates=code_c, checks=checks))
    b.put(f"{key}.name", make_field(res.name, printed.get("name"), conf, b.prov(f"{key}.name"), candidates=name_c, checks=checks))
    return {"code": res.code, "name": res.name}


def _header(b: _Builder, raw: dict, catalog: CatalogIndex) -> dict[str, Any]:
    data: dict[str, Any] = {}
    rows = raw.get("rows") or []
    row_keys = {k for r in rows if isinstance(r, dict) for k, v in r.items() if v not in (None, "", [])}
    data["report_type"] = _scalar(b, "report_type", parse_report_type(raw.get("report_type"), row_keys),
                                  raw.get("report_type"), required=True)
    data["formato"] = _formato(b, raw.get("formato"), data["report_type"])
    year = _scalar(b, "ejercicio", parse_year(raw.get("ejercicio")), raw.get("ejercicio"), required=True)
    data["ayuntamiento"] = _ayuntamiento(b, raw, catalog, year)
    data["ejercicio"] = year
    if data["report_type"] == "modificacion_programatica":
        data["trimestre"] = b.put("trimestre", make_field(None, raw.get("trimestre"), CLEAN, b.prov("trimestre"),
                                                          checks=[CheckResult("no_quarter_on_modification", True)]))
    else:
        data["trimestre"] = _scalar(b, "trimestre", parse_trimestre(raw.get("trimestre")), raw.get("trimestre"),
                                    required=True)
    resolved: dict[str, PairResult | None] = {"clasificacion_administrativa": hdr.clasificacion(raw, catalog, year)}
    resolved.update(hdr.organisation(raw, catalog, year))
    resolved.update(hdr.functional(raw, catalog, year))
    for key in PAIR_KEYS:
        data[key] = _pair(b, key, resolved[key], raw, expected=bool(catalog.of_kind(key, year)))
    lineas = []
    printed = hdr.split_embedded(raw.get("lineas_accion"))
    for i, res in enumerate(hdr.header_lineas(raw.get("lineas_accion"), catalog, year)):
        lineas.append(_pair(b, f"lineas_accion[{i}]", res, {f"lineas_accion[{i}]": printed[i]}))
    data["lineas_accion"] = lineas
    swallowed = hdr.swallowed_lines(printed, catalog, year)
    if swallowed and lineas:  # a printed name carries another line: one was missed, every later one may shift
        check = CheckResult("lineas_one_per_item", False, "; ".join(swallowed[:3]))
        b.put("lineas_accion", make_field(lineas, None, FAILED, b.prov("lineas_accion"), checks=[check]))
        return data
    unknown = [i for i, line in enumerate(lineas) if b.fields.get(f"lineas_accion[{i}].code") is not None
               and any(c.rule == "in_catalog" and not c.ok for c in b.fields[f"lineas_accion[{i}].code"].checks)]
    if unknown and len(lineas) > 1:  # a speck read as a line, or a line misread: the rest may be shifted
        check = CheckResult("lineas_all_known", False, f"item(s) {unknown} match no catalog line for the year")
        b.put("lineas_accion", make_field(lineas, None, FAILED, b.prov("lineas_accion"), checks=[check]))
        return data
    specks = sum(1 for item in raw.get("lineas_accion") or [] if hdr.is_speck(item))
    if specks and lineas:  # specks dropped: the list's length is a judgement a person confirms
        check = CheckResult("specks_dropped", True, f"{specks} unreadable item(s) left out")
        b.put("lineas_accion", make_field(lineas, None, 0.6, b.prov("lineas_accion"), checks=[check]))
    return data


FREE_TEXT_KEYS = ("observaciones", "justificacion")


def _vocabulary(raw: dict, catalog: CatalogIndex) -> frozenset[str]:
    """Words free text is read against: the catalog's names and titles, and the page's other printed cells
    (never the free-text cells themselves, so a slip repeated in two rows does not vouch for itself)."""
    texts: list = []
    for kind_entries in (catalog.of_kind(k) for k in KINDS):
        for e in kind_entries:
            texts.extend(e.spellings)
            texts.append(e.cargo)

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in FREE_TEXT_KEYS and k not in ("source", "ocr"):
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            texts.append(node)
    walk(raw)
    return prose.vocabulary(texts)


def _rows(b: _Builder, raw: dict, data: dict, catalog: CatalogIndex) -> list[dict]:
    ctx = RowContext(
        report_type=data["report_type"] or "avance_programatico",
        trimestre=data["trimestre"],
        year=data["ejercicio"],
        unidad=(data["unidad_ejecutora"] or {}).get("code"),
        header_codes=tuple(l["code"] for l in data["lineas_accion"] if l and l.get("code")),
        catalog=catalog,
        vocabulary=_vocabulary(raw, catalog),
        rounding=page_rounding(raw.get("rows") or []),
    )
    out = []
    for i, raw_row in enumerate(raw.get("rows") or []):
        prefix = f"rows[{i}]"
        raw_row = raw_row if isinstance(raw_row, dict) else {}
        row, fields = reconcile_row(raw_row, i, ctx, lambda p, _pre=prefix: b.prov(f"{_pre}.{p}"))
        b.under(prefix, fields)
        out.append(row)
    return out


def _check_row_codes(b: _Builder, data: dict, catalog: CatalogIndex) -> None:
    """A row's línea code that the header does not list must be cited by another row of the page (the meta
    row lists its acciones' codes), or be a catalog line for the year read surely: one digit turns a line
    into its sibling (7.3.1 into 7.3.4), so the catalog alone does not vouch for a badly read cell."""
    header = {l["code"] for l in data.get("lineas_accion") or [] if l and l.get("code")}
    year_lines = {e.code for e in catalog.of_kind("linea_accion", data.get("ejercicio")) if e.code}
    rows = data.get("rows") or []
    cited: dict[str, int] = {}
    for row in rows:
        for code in set(row.get("lineas_accion") or []):
            cited[code] = cited.get(code, 0) + 1
    for i, row in enumerate(rows):
        conf = b.prov(f"rows[{i}].lineas_accion").confidence
        sure = conf is None or conf >= FIRM
        for j, code in enumerate(row.get("lineas_accion") or []):
            if code in header or cited.get(code, 0) >= 2 or (code in year_lines and sure):
                continue
            why = "the cell is read unsurely" if code in year_lines else "the catalog does not know it"
            check = CheckResult("linea_corroborated", False, f"{code}: in neither the header list nor another "
                                f"row, and {why}")
            b.flag(f"rows[{i}].lineas_accion[{j}]", check)
            if code not in year_lines and not sure:  # a garbled code may be two run together: the length is in doubt
                path = f"rows[{i}].lineas_accion"
                if path in b.fields:
                    b.flag(path, check)
                else:
                    b.put(path, make_field(row.get("lineas_accion"), None, FAILED, b.prov(path), checks=[check]))


def _signatarios(b: _Builder, raw: dict, data: dict, catalog: CatalogIndex) -> list[dict]:
    ramo = (data["ramo"] or {}).get("code")
    unidad = (data["unidad_ejecutora"] or {}).get("code")
    out = []
    for i, block in enumerate(raw.get("signatarios") or []):
        prefix = f"signatarios[{i}]"
        block = block if isinstance(block, dict) else {}
        person, fields = signatory(block, i, catalog, data["ejercicio"], ramo, unidad,
                                   lambda p, _pre=prefix: b.prov(f"{_pre}.{p}"))
        b.under(prefix, fields)
        out.append(person)
    return out


def _require_lists(b: _Builder, raw: dict, data: dict) -> None:
    """A report always has a table, a signature block and header lines: an empty one was not read."""
    for key in ("rows", "signatarios", "lineas_accion"):
        if not data.get(key):
            check = CheckResult("list_not_empty", False, f"no {key} were read from the page")
            b.put(key, make_field(data.get(key), None, FAILED, b.prov(key), checks=[check]))
    found = len(data.get("signatarios") or [])
    if 0 < found < len(ROLE_ORDER):  # the form prints one block per role: one was lost, the rest may be shifted
        check = CheckResult("one_block_per_role", False, f"{found} of {len(ROLE_ORDER)} signature blocks read")
        b.put("signatarios", make_field(data["signatarios"], None, FAILED, b.prov("signatarios"), checks=[check]))


# Rows without a number or description, at or above this share of the table, put the whole table in doubt.
FRAGMENT_SHARE = 1 / 3


def _doubt_row(b: _Builder, i: int, check: CheckResult) -> None:
    """Row ``i`` as a whole sent to review with ``check``."""
    path = f"rows[{i}]"
    if path in b.fields:
        b.flag(path, check)
    else:
        b.put(path, make_field(None, None, FAILED, b.prov(path), checks=[check]))


def _check_table(b: _Builder, raw: dict, data: dict, catalog: CatalogIndex) -> None:
    """The table as a whole: rows read as fragments mean its rows and their order are in doubt; a progress
    report whose last row is followed, in the unidad's catalog, by acciones not printed may have lost rows
    at the end (flagged one past the last row: "a row may follow here"); one whose first row is preceded
    there by acciones not printed may have lost its first row (to the titles: every row then stands one
    place up, and all are flagged, with one past the last)."""
    rows = data.get("rows") or []
    if not rows:
        return
    fragments = [i for i, r in enumerate(rows) if not has_identity(r)]
    if len(rows) < 2 or fragments and (len(fragments) >= 2 or len(fragments) >= FRAGMENT_SHARE * len(rows)):
        why = (f"{len(fragments)} of {len(rows)} rows have no number nor description" if len(rows) >= 2 else
               "one row read: the form prints a meta and the acciones under it")
        b.put("rows", make_field(rows, None, FAILED, b.prov("rows"), checks=[CheckResult("rows_read_whole", False, why)]))
        return
    # a row below the first read without a number, where others have one: a piece of the row
    # above split off by a line through it (a fax's streak between two lines of its print) as
    # much as a row whose number was lost
    numbered = any(r.get("number") for r in rows)
    unplaced = [i for i, r in enumerate(rows) if i > 0 and numbered and has_identity(r) and not r.get("number")]
    for i in unplaced:
        own = CheckResult("row_numbered", False, "no row number was read: a row of its own, or a piece of the one above?")
        above = CheckResult("row_whole", False, "the row below has no number: it may hold the rest of this row")
        _doubt_row(b, i, own)
        _doubt_row(b, i - 1, above)
    if fragments or unplaced:  # a fragment row shifts every row after it: their places in the list are in doubt
        first = min(fragments + unplaced)
        check = CheckResult("row_in_place", False, f"a fragment or a row without a number read as row {first} "
                                                   "comes before this row")
        for i in range(first + 1, len(rows)):
            _doubt_row(b, i, check)
    unidad = (data.get("unidad_ejecutora") or {}).get("code")
    if data.get("report_type") != "avance_programatico" or not unidad:
        return
    codes = [e.code for e in catalog.acciones(unidad, data.get("ejercicio")) if e.code]
    printed = [r.get("number") for r in rows]
    last = next((n for n in reversed(printed) if n in codes), None)
    if last is None:
        return
    first = next(n for n in printed if n in codes)
    after = [c for c in codes[codes.index(last) + 1:] if c not in printed]
    # (a row above the first numbered one, its number lost, may stand for one of them)
    before = [c for c in codes[:codes.index(first)] if c not in printed][printed.index(first):]
    ends = []
    if before:  # the first row lost (to the titles, its line under them lost): every row below is one place up
        check = CheckResult("rows_start_in_catalog", False, f"the unidad's catalog lists {', '.join(before[:5])} "
                                                            f"before {first}, the first row read: a row may be missing above")
        for i in range(len(rows)):
            _doubt_row(b, i, check)
        ends.append(check)
    if after:
        ends.append(CheckResult("rows_end_in_catalog", False,
                                f"the unidad's catalog lists {', '.join(after[:5])} after {last}: a row may be missing"))
    if ends:
        path = f"rows[{len(rows)}]"
        b.put(path, make_field(None, None, FAILED, b.prov(path), checks=ends))


def _quarters_explaining(row: dict) -> set[int]:
    """The quarters t for which the printed absoluto is the sum of the first t printed alcanzados."""
    ab = parse_int(row.get("avance_absoluto")).value
    quarters = row.get("trimestres") if isinstance(row.get("trimestres"), list) else []
    done = [parse_int((q or {}).get("alcanzado")).value if isinstance(q, dict) else None for q in quarters[:4]]
    if ab is None or len(done) < 4 or all(v is None for v in done):
        return set()
    return {t for t in range(1, 5) if sum(v or 0 for v in done[:t]) == ab and done[t - 1] is not None}


def _check_trimestre(b: _Builder, raw: dict, data: dict) -> None:
    """The quarter read from the title must explain the table: rows whose absoluto only adds up over more
    (or fewer) quarters mean the title or the table was misread, and the later-quarter rule is in doubt."""
    t = data.get("trimestre")
    if data.get("report_type") != "avance_programatico" or t is None:
        return
    explained = [_quarters_explaining(r) for r in raw.get("rows") or [] if isinstance(r, dict)]
    agree = sum(1 for e in explained if t in e)
    other = [e for e in explained if e and t not in e]
    if other and len(other) >= agree:
        check = CheckResult("trimestre_explains_absoluto", False,
                            f"{len(other)} rows add up over another number of quarters, {agree} over {t}")
        b.flag("trimestre", check)
        for i in range(len(data["rows"])):
            for q in range(4):
                b.flag(f"rows[{i}].trimestres[{q}].alcanzado", check)


def _needs_review(fields: dict[str, FieldResult]) -> list[str]:
    """Flagged leaf paths; a flagged code of a row's líneas flags the whole list (its length is in doubt)."""
    out: list[str] = []
    for path, result in fields.items():
        if result.status != "needs_review":
            continue
        parts = split(path)
        split_failed = any(c.rule == "lineas_split" and not c.ok for c in result.checks)
        if len(parts) >= 4 and parts[0] == "rows" and parts[2] == "lineas_accion" and split_failed:
            path = ancestors(path)[1]
        if path not in out:
            out.append(path)
    return out


def _lists_as_lists(data: dict) -> dict:
    """Malformed input (a string where a list belongs) is read as nothing, and then flagged as missing."""
    out = dict(data)
    for key in ("rows", "signatarios", "lineas_accion"):
        if not isinstance(out.get(key), list):
            out[key] = []
    return out


def reconcile_record(raw: RawRecord, catalog: CatalogIndex) -> ReportRecord:
    """Turn one raw record into a report record with per-field evidence."""
    raw = RawRecord(_lists_as_lists(raw.data), raw.ocr)
    b = _Builder(raw)
    data = _header(b, raw.data, catalog)
    data["rows"] = _rows(b, raw.data, data, catalog)
    _check_trimestre(b, raw.data, data)
    _check_row_codes(b, data, catalog)
    data["signatarios"] = _signatarios(b, raw.data, data, catalog)
    _require_lists(b, raw.data, data)
    _check_table(b, raw.data, data, catalog)
    return ReportRecord(data=data, fields=b.fields, needs_review=_needs_review(b.fields),
                        source=dict(raw.data.get("source") or {}))


def reconcile_json(obj: dict, catalog: CatalogIndex) -> dict:
    """A raw record's JSON (with optional ``"ocr"``) -> the exported report record's JSON."""
    return reconcile_record(RawRecord.from_json(obj), catalog).to_json()


__all__ = ["reconcile_record", "reconcile_json", "UNKNOWN"]
