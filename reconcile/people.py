"""Signatories: role, person and title, against the people who held a post that year (pure).

The candidates are the catalog's personas whose post (parent) is the report's
unidad, its ramo, or another unidad of that ramo. The printed name is the
main evidence; the printed title (cargo) and where the post sits (the unit's
own head usually elaborates, a ramo-wide post usually authorises) break ties.
A person chosen on one matching surname alone is always flagged.
"""
from __future__ import annotations

from typing import Callable

from rapidfuzz import fuzz

from reconcile.catalog import CatalogEntry, CatalogIndex
from reconcile.evidence import UNKNOWN, make_field, match_confidence, text_confidence
from reconcile.match import name_score, text_score
from reconcile.normalize import clean_spaces, fold, split_prefix
from reconcile.parse import ROLE_ORDER, parse_rol
from reconcile.types import Candidate, CheckResult, FieldResult, Provenance

WORD_MATCH = 0.8  # a printed word counts as one of the person's names at this similarity
MERGED_DISCOUNT = 0.9  # a name found inside run-together lines is weaker evidence than a clean name line


def words_in_common(printed: str, official: str) -> int:
    """How many of the official name's words the print carries (allowing OCR slips)."""
    got = fold(printed).split()
    count = 0
    for word in fold(official).split():
        if any(fuzz.ratio(word, g) / 100 >= WORD_MATCH for g in got):
            count += 1
    return count


def foreign_words(printed: str, chosen: CatalogEntry, others: list[CatalogEntry]) -> list[str]:
    """Printed words (3+ letters) that are not the chosen person's but are another candidate's name words."""
    own = [w for s in chosen.spellings for w in fold(s).split()]
    theirs = {w for e in others for s in e.spellings for w in fold(s).split() if len(w) >= 3} - set(own)
    out = []
    for word in fold(printed).split():
        if len(word) < 3 or any(fuzz.ratio(word, o) / 100 >= WORD_MATCH for o in own):
            continue
        if any(fuzz.ratio(word, t) / 100 >= WORD_MATCH for t in theirs):
            out.append(word)
    return out


def _post_fit(entry: CatalogEntry, rol: str | None, ramo: str | None, unidad: str | None) -> float:
    if entry.parent == unidad:
        return 1.0 if rol in (None, "elaboro", "reviso") else 0.8
    if entry.parent == ramo:
        return 1.0 if rol in (None, "autorizo", "reviso") else 0.8
    return 0.7


def merged_score(text: str, official: str) -> float:
    """The official name inside a block whose lines ran together (name in the title line, or the reverse)."""
    folded, name = fold(text), fold(official)
    if len(folded) <= len(name):
        return 0.0
    return MERGED_DISCOUNT * fuzz.partial_ratio(name, folded) / 100


def _person_scores(name: str, cargo: str | None, rol: str | None, people: list[CatalogEntry], ramo, unidad):
    """Best post per distinct person: (total, name score, cargo score, entry)."""
    best: dict[str, tuple[float, float, float, CatalogEntry]] = {}
    block = f"{name} {cargo or ''}".strip()
    for entry in people:
        ns = max(name_score(name, s) for s in entry.spellings)
        if ns < 0.8 and cargo:
            ns = max([ns] + [merged_score(block, s) for s in entry.spellings])
        cs = text_score(cargo, entry.cargo) if cargo and entry.cargo else None
        if cs is not None and cs < 0.85 and len(fold(cargo)) > len(fold(entry.cargo)):
            cs = max(cs, MERGED_DISCOUNT * fuzz.partial_ratio(fold(entry.cargo), fold(cargo)) / 100)
        fit = _post_fit(entry, rol, ramo, unidad)
        total = 0.7 * ns + (0.2 * cs if cs is not None else 0.1) + 0.1 * fit
        key = fold(entry.name)
        if key not in best or total > best[key][0]:
            best[key] = (total, ns, cs if cs is not None else 0.0, entry)
    return sorted(best.values(), key=lambda t: -t[0])


def signatory(raw: dict, position: int, catalog: CatalogIndex, year, ramo, unidad,
              prov: Callable[[str], Provenance]) -> tuple[dict, dict[str, FieldResult]]:
    """One signature block -> ({rol, nombre, cargo}, FieldResults by block-relative path)."""
    fields: dict[str, FieldResult] = {}
    rol = parse_rol(raw.get("rol"))
    if rol.value is None:
        value = ROLE_ORDER[position] if position < len(ROLE_ORDER) else None
        fields["rol"] = make_field(value, raw.get("rol"), 0.9 if value else UNKNOWN, prov("rol"),
                                   checks=[CheckResult("rol_from_position", value is not None, f"block {position + 1}")])
    else:
        conf = 1.0 if not rol.repaired else (0.9 if rol.ok else 0.5)
        fields["rol"] = make_field(rol.value, raw.get("rol"), conf, prov("rol"))
        value = rol.value
    prefix, name = split_prefix(raw.get("nombre"))
    cargo_text = clean_spaces(raw.get("cargo"))
    people = catalog.personas(ramo, unidad, year)
    if cargo_text is None and name and _post_by_title(name, people):
        cargo_text, name = name, ""  # the name line was lost: what was read is the title
    scored = _person_scores(name, cargo_text, value, people, ramo, unidad) if name else []
    fields["nombre"], entry = _nombre(raw.get("nombre"), name, prefix, scored, prov("nombre"), cargo_text)
    if entry is None and cargo_text:
        post = _post_by_title(cargo_text, people)
        if post is not None:  # the title names one person: a candidate for a person to confirm
            check = CheckResult("person_from_title_only", True, f"only {post.name} holds {post.cargo!r} here")
            fields["nombre"] = make_field(post.name, raw.get("nombre"), 0.5, prov("nombre"), checks=[check],
                                          candidates=(Candidate(post.name, 0.5, post.id),))
            entry = post
    fields["cargo"] = _cargo(raw.get("cargo"), cargo_text, entry, people, prov("cargo"))
    return {"rol": value, "nombre": fields["nombre"].value, "cargo": fields["cargo"].value}, fields


def _post_by_title(text: str, people: list[CatalogEntry]) -> CatalogEntry | None:
    """The one person whose post title the text is (``DIRECTORA`` held by one person in the ramo)."""
    fits = [p for p in people if p.cargo and text_score(text, p.cargo) >= 0.9]
    names = {fold(p.name) for p in fits}
    return fits[0] if len(names) == 1 else None


def _nombre(raw, name: str, prefix: str | None, scored, prov: Provenance,
            cargo: str | None = None) -> tuple[FieldResult, CatalogEntry | None]:
    if not name:  # a signature block always prints a name
        return make_field(None, raw, UNKNOWN, prov, checks=[CheckResult("cell_not_empty", False)]), None
    cands = tuple(Candidate(e.name, round(t, 4), e.id) for t, _, _, e in scored[:5])
    if not scored or scored[0][1] < 0.5 and scored[0][0] < 0.6:
        return make_field(clean_spaces(name), raw, min(text_confidence(prov.confidence), 0.5), prov, candidates=cands), None
    total, ns, cs, entry = scored[0]
    margin = total - (scored[1][0] if len(scored) > 1 else 0.0)
    words = words_in_common(f"{name} {cargo or ''}", entry.name)
    need = min(2, len(fold(entry.name).split()))
    checks = [CheckResult("name_words_match", words >= need, f"{words} of the official name's words printed")]
    foreign = foreign_words(name, entry, [e for _, _, _, e in scored[1:]])
    if foreign:  # lines of two blocks ran together, or two people were blended: the print names both
        checks.append(CheckResult("name_words_of_one_person", False,
                                  f"{', '.join(foreign)} belong to another person's name, not to {entry.name}"))
    if prefix:
        checks.append(CheckResult("prefix_removed", True, prefix))
    conf = match_confidence(max(ns, total), margin)
    return make_field(entry.name, raw, conf, prov, candidates=cands, checks=checks), entry


def _cargo(raw, text: str | None, entry: CatalogEntry | None, people: list[CatalogEntry], prov: Provenance) -> FieldResult:
    """The printed title; the person's catalog spelling when it is close."""
    if text is None:  # every signature block prints a title under the name
        check = CheckResult("cell_not_empty", False, "a title is printed under every name")
        return make_field(None, raw, UNKNOWN, prov, checks=[check])
    posts = [p for p in people if entry is not None and fold(p.name) == fold(entry.name) and p.cargo]
    scored = sorted(((text_score(text, p.cargo), p) for p in posts), key=lambda t: -t[0])
    if scored and scored[0][0] >= 0.85:
        score, post = scored[0]
        return make_field(post.cargo, raw, score, prov, candidates=(Candidate(post.cargo, round(score, 4), post.id),))
    inside = sorted(((fuzz.partial_ratio(fold(p.cargo), fold(text)) / 100, p) for p in posts
                     if len(fold(text)) > len(fold(p.cargo))), key=lambda t: -t[0])
    if inside and inside[0][0] >= 0.9:  # the title line ran into other text: the title is there, a person confirms
        score, post = inside[0]
        check = CheckResult("title_inside_longer_line", True, f"printed {text!r}")
        return make_field(post.cargo, raw, 0.7, prov, candidates=(Candidate(post.cargo, round(score, 4), post.id),),
                          checks=[check])
    # No post of the chosen person fits: the title alone cannot vouch for itself against the catalog.
    others = sorted(((text_score(text, p.cargo), p.cargo) for p in people if p.cargo), key=lambda t: -t[0])
    cands = tuple(Candidate(c, round(s, 4)) for s, c in others[:3])
    if others and others[0][0] >= 0.9:
        # Another person's title under this name (the blocks' lines may have shifted), or a title without
        # its person: proposed, never vouched for.
        checks = [CheckResult("title_of_named_person", False, f"{others[0][1]!r} is not a post of {entry.name}")
                  ] if entry is not None else []
        return make_field(others[0][1], raw, 0.7, prov, candidates=cands, checks=checks)
    return make_field(text, raw, min(text_confidence(prov.confidence), 0.6), prov, candidates=cands)
