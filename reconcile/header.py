"""Resolve the header's code/name pairs against the catalog, jointly (pure).

The (ramo, programa, unidad ejecutora) triple is chosen as the combination
valid for the year that best explains all readings together, so one bad
digit in one code is outvoted by the other codes and the names. The same for
finalidad -> funcion -> subfuncion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from reconcile.catalog import CatalogEntry, CatalogIndex
from reconcile.evidence import match_confidence
from reconcile.match import code_score, text_score
from rapidfuzz import fuzz

from reconcile.normalize import clean_spaces, code_chars, fold

# Below this a component is not taken from the catalog at all.
MATCH_FLOOR = 0.6
PROGRAMME_KEEP = 6


@dataclass(frozen=True)
class PairResult:
    """One resolved code/name slot (``ramo``, ``funcion``, a header línea)."""

    code: str | None
    name: str | None
    score: float  # how well the chosen entry explains what was printed
    confidence: float  # score, cut when a rival value was close
    entry: CatalogEntry | None
    rivals: tuple[tuple[str, str, float], ...] = ()  # (code, name, score) of other values


def tidy_pair(raw: dict | None) -> dict:
    """A code that slid into the name cell (``":"`` / ``"3 SERVICIOS GENERALES"``) moved back."""
    raw = dict(raw) if isinstance(raw, dict) else {}
    code, name = str(raw.get("code") or ""), str(raw.get("name") or "")
    if not re.search(r"\d", code):
        m = re.match(r"^\s*(\d+(?:[.,]\d+)*)\s+(.*)$", name)
        if m:
            raw["code"], raw["name"] = m.group(1), m.group(2)
    return raw


def pair_score(raw: dict | None, entry: CatalogEntry) -> float:
    """How well one catalog entry explains a printed code/name pair."""
    raw = tidy_pair(raw)
    code, name = raw.get("code"), raw.get("name")
    cs = code_score(code, entry.code) if code_chars(code) else None
    ns = max((text_score(name, s) for s in entry.spellings), default=0.0) if clean_spaces(name) else None
    if cs is None and ns is None:
        return 0.0
    if cs is None:
        return 0.9 * ns
    if ns is None:
        return 0.9 * cs
    return (cs + ns) / 2


def _as_printed(raw: dict | None, score: float = 0.0) -> PairResult:
    raw = tidy_pair(raw)
    return PairResult(code_chars(raw.get("code")) or None, clean_spaces(raw.get("name")), score, 0.0, None)


def resolve_joint(raws: Sequence[dict | None], combos: list[tuple[CatalogEntry, ...]]) -> list[PairResult]:
    """Pick the combination of entries that best explains every printed pair together."""
    if not combos:
        return [_as_printed(r) for r in raws]
    cache: dict[tuple[int, int], float] = {}

    def score(i: int, e: CatalogEntry) -> float:
        key = (i, id(e))
        if key not in cache:
            cache[key] = pair_score(raws[i], e)
        return cache[key]

    ranked = sorted(((sum(score(i, e) for i, e in enumerate(c)), c) for c in combos), key=lambda t: -t[0])
    best_total, best = ranked[0]
    return [_slot(i, best, best_total, ranked, score, raws[i]) for i in range(len(best))]


def _slot(i, best, best_total, ranked, score, raw) -> PairResult:
    """One slot of the best combination, with its rivals: the best combinations that differ there."""
    entry = best[i]
    own = score(i, entry)
    if own < MATCH_FLOOR:
        return _as_printed(raw, own)
    value = (entry.code, entry.name)
    rivals: list[tuple[str, str, float]] = []
    rival_total = None
    for total, combo in ranked[1:]:
        other = combo[i]
        key = (other.code, other.name)
        if key == value or any((c, n) == key for c, n, _ in rivals):
            continue
        if rival_total is None:
            rival_total = total
        rivals.append((other.code, other.name, score(i, other)))
        if len(rivals) == 4:
            break
    margin = 1.0 if rival_total is None else best_total - rival_total
    return PairResult(entry.code, entry.name, own, match_confidence(own, margin), entry, tuple(rivals))


def resolve_one(raw: dict | None, entries: list[CatalogEntry]) -> PairResult:
    return resolve_joint([raw], [(e,) for e in entries])[0]


def organisation(raw: dict[str, Any], catalog: CatalogIndex, year: int | None) -> dict[str, PairResult]:
    """Ramo, programa and unidad ejecutora, chosen together."""
    ramos = {e.code: e for e in catalog.of_kind("ramo", year)}
    programas = catalog.of_kind("programa", year)
    prog_scores = {id(p): pair_score(raw.get("programa"), p) for p in programas}
    # The programme depends on the ramo only: keep each ramo's few best, not every pairing.
    best_progs: dict[str, list[CatalogEntry]] = {}
    for code in ramos:
        allowed = [p for p in programas if p.parent in (None, code)]
        best_progs[code] = sorted(allowed, key=lambda p: -prog_scores[id(p)])[:PROGRAMME_KEEP]
    combos = []
    for unidad in catalog.of_kind("unidad_ejecutora", year):
        ramo = ramos.get(unidad.parent or "")
        if ramo is None:
            continue
        combos.extend((ramo, prog, unidad) for prog in best_progs[ramo.code])
    if not combos:  # a catalog without the hierarchy: each on its own
        return {k: resolve_one(raw.get(k), catalog.of_kind(k, year)) for k in ("ramo", "programa", "unidad_ejecutora")}
    found = resolve_joint([raw.get("ramo"), raw.get("programa"), raw.get("unidad_ejecutora")], combos)
    return dict(zip(("ramo", "programa", "unidad_ejecutora"), found))


def functional(raw: dict[str, Any], catalog: CatalogIndex, year: int | None) -> dict[str, PairResult]:
    """Finalidad, funcion and subfuncion, with their parent constraints."""
    combos = []
    for fin in catalog.of_kind("finalidad", year):
        for fun in catalog.funciones(fin.code or "", year):
            for sub in catalog.subfunciones(fin.code or "", fun.code or "", year):
                combos.append((fin, fun, sub))
    keys = ("finalidad", "funcion", "subfuncion")
    if not combos:
        return {k: resolve_one(raw.get(k), catalog.of_kind(k, year)) for k in keys}
    return dict(zip(keys, resolve_joint([raw.get(k) for k in keys], combos)))


def clasificacion(raw: dict[str, Any], catalog: CatalogIndex, year: int | None) -> PairResult | None:
    printed = raw.get("clasificacion_administrativa")
    if not isinstance(printed, dict) or not printed or not (clean_spaces(printed.get("code")) or clean_spaces(printed.get("name"))):
        return None
    return resolve_one(printed, catalog.of_kind("clasificacion_administrativa", year))


_EMBEDDED_CODE = re.compile(r"(?<![\d.])(\d{1,2}(?:\s?[.,]\s?\d{1,2}){2})(?![\d])")


def is_speck(item: dict | None) -> bool:
    """Marks the reader took for a header line: some text, but no digit in the code and no word in the name."""
    item = item if isinstance(item, dict) else {}
    code, name = str(item.get("code") or ""), str(item.get("name") or "")
    if not code.strip() and not name.strip():
        return False  # an unread line, not a speck: kept, and flagged
    return not re.search(r"\d", code) and not re.search(r"[^\W\d_]{3}", name)


def split_embedded(raw_list: list[dict] | None) -> list[dict]:
    """Items whose name swallowed the next line (``"... CUIDADO 2,4,4 ATENCION ..."``) split in two;
    items with neither a digit in the code nor a word in the name (specks) dropped."""
    out = []
    for item in raw_list or []:
        item = dict(item) if isinstance(item, dict) else {}
        name = item.get("name") or ""
        if is_speck(item):
            continue
        m = _EMBEDDED_CODE.search(name)
        while m and m.start() > 0 and name[m.end():].strip():
            head = {"code": item.get("code"), "name": name[: m.start()].strip()}
            if not is_speck(head):  # the line's own text was only marks: the code in it starts the line
                out.append(head)
            code = re.sub(r"\s", "", m.group(1)).replace(",", ".")
            name = name[m.end():].strip()
            item = {"code": code, "name": name}
            m = _EMBEDDED_CODE.search(name)
        out.append(item)
    return out


# A printed name this much longer than the catalog name it resolved to may carry another line.
SWALLOW_EXTRA = 12
SWALLOW_MATCH = 85


def swallowed_lines(items: list[dict], catalog: CatalogIndex, year: int | None) -> list[str]:
    """Printed header líneas whose name also carries another catalog línea's name (the line under it, run
    together without a readable code): the list read is one short, and every later item may be shifted."""
    entries = catalog.of_kind("linea_accion", year)
    out = []
    for item in items:
        name = fold((item or {}).get("name"))
        if not name or not entries:
            continue
        best = max(entries, key=lambda e: max(text_score(name, s) for s in e.spellings))
        rest = name
        for s in best.spellings:
            cut = fuzz.partial_ratio_alignment(fold(s), rest)
            if cut is not None and cut.score >= SWALLOW_MATCH:
                rest = (rest[:cut.dest_start] + " " + rest[cut.dest_end:]).strip()
                break
        if len(rest) < SWALLOW_EXTRA:
            continue
        for other in entries:
            if (other.code, other.name) == (best.code, best.name):
                continue
            if any(len(fold(s)) <= len(rest) + 3 and fuzz.partial_ratio(fold(s), rest) >= SWALLOW_MATCH
                   for s in other.spellings):
                out.append(f"{item.get('name')!r} also carries {other.code} {other.name}")
                break
    return out


def header_lineas(raw_list: list[dict] | None, catalog: CatalogIndex, year: int | None) -> list[PairResult]:
    """Each header línea de acción by code and name; two lines never resolve to one code."""
    entries = catalog.of_kind("linea_accion", year)
    out = [resolve_one(item, entries) for item in split_embedded(raw_list)]
    codes = [r.code for r in out]
    return [
        r if codes.count(r.code) == 1 else PairResult(r.code, r.name, r.score, min(r.confidence, 0.5), r.entry, r.rivals)
        for r in out
    ]


__all__ = ["PairResult", "pair_score", "resolve_joint", "resolve_one", "organisation", "functional",
           "clasificacion", "header_lineas"]
