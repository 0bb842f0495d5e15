"""Catalog CSV <-> database (the shell side; the CSV format itself is reconcile.catalog)."""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from reconcile.catalog import load_csv, write_csv
from reconcile.models import CatalogEntry as CatalogRow


@transaction.atomic
def import_csv(path) -> int:
    """Replace the catalog with the CSV's entries (aliases travel in the CSV). Returns the count.
    ``path``: a file path or an open text file."""
    entries = load_csv(path if hasattr(path, "read") else Path(path))
    CatalogRow.objects.all().delete()
    CatalogRow.objects.bulk_create(
        CatalogRow(
            kind=e.kind, code=e.code or "", name=e.name, parent=e.parent or "", cargo=e.cargo or "",
            year_from=e.year_from, year_to=e.year_to, aliases=list(e.aliases),
        )
        for e in entries
    )
    return len(entries)


def _key(kind, code, name, parent, year_from, year_to) -> tuple:
    return (kind, code or "", parent or "", name, year_from, year_to)


@transaction.atomic
def merge_csv(source) -> tuple[int, int]:
    """Add the CSV's entries to the catalog, keeping what is there: an entry already held (same kind,
    code, parent, name and years) gets the CSV's cargo and the union of both alias lists, so spellings
    learned from reviewers survive an import. ``source``: a path, an open file or the CSV text.
    Returns (added, updated)."""
    entries = load_csv(source)
    held = {_key(r.kind, r.code, r.name, r.parent, r.year_from, r.year_to): r for r in CatalogRow.objects.all()}
    added = updated = 0
    for e in entries:
        row = held.get(_key(e.kind, e.code, e.name, e.parent, e.year_from, e.year_to))
        if row is None:
            row = CatalogRow.objects.create(
                kind=e.kind, code=e.code or "", name=e.name, parent=e.parent or "", cargo=e.cargo or "",
                year_from=e.year_from, year_to=e.year_to, aliases=list(e.aliases),
            )
            held[_key(e.kind, e.code, e.name, e.parent, e.year_from, e.year_to)] = row
            added += 1
            continue
        aliases = list(dict.fromkeys([*(row.aliases or []), *e.aliases]))
        if aliases != (row.aliases or []) or (e.cargo or "") != row.cargo:
            row.aliases, row.cargo = aliases, e.cargo or ""
            row.save(update_fields=["aliases", "cargo"])
            updated += 1
    return added, updated


def export_text(rows=None) -> str:
    """The catalog (or ``rows`` of it) as catalog CSV text, learned aliases included."""
    from reconcile.catalog import CatalogEntry

    rows = CatalogRow.objects.all() if rows is None else rows
    return write_csv(
        CatalogEntry(kind=r.kind, code=r.code, name=r.name, parent=r.parent, cargo=r.cargo,
                     year_from=r.year_from, year_to=r.year_to, aliases=tuple(r.aliases or ()))
        for r in rows
    )


def export_csv(path: Path) -> int:
    from worker.catalog import entries_from_db

    entries = entries_from_db()
    write_csv(entries, Path(path))
    return len(entries)


def spelling_of(kind: str, printed: str | None) -> str | None:
    """The part of a printed text the matcher compares with an entry's spellings: a signatory's
    name without its academic prefix, an action's text without its leading number."""
    from reconcile.normalize import clean_spaces, split_prefix
    from reconcile.parse import split_number

    text = clean_spaces(printed)
    if not text:
        return None
    if kind == "persona":
        text = split_prefix(text)[1]
    elif kind == "accion":
        text = split_number(None, text)[1]
    return clean_spaces(text)


def find_entry(kind: str, *, code: str | None = None, name: str | None = None, year: int | None = None,
               parents: tuple[str, ...] = ()) -> CatalogRow | None:
    """The catalog row a reviewer's value names: by code or by name (spelling-insensitive), valid in
    ``year``; where several fit, the one under one of ``parents`` (the report's ramo, unidad ...)."""
    from reconcile.normalize import fold

    rows = CatalogRow.objects.filter(kind=kind)
    if code:
        rows = rows.filter(code=str(code))
    rows = [r for r in rows if (r.year_from is None or year is None or r.year_from <= year)
            and (r.year_to is None or year is None or year <= r.year_to)]
    if name and not code:
        rows = [r for r in rows if fold(r.name) == fold(name)]
    if not rows:
        return None
    under = [r for r in rows if r.parent and r.parent in parents]
    return (under or rows)[0]


def add_alias(entry: CatalogRow, printed: str | None) -> str | None:
    """Keep a printed spelling as an alias of ``entry`` (learned from a reviewer's correction).

    Returns the alias kept, or None when there is nothing new to learn (empty, or already
    the entry's name or one of its aliases, compared as the matcher folds text).
    """
    from reconcile.normalize import fold

    # Read from a scan: never let it open a cell of the catalog CSV as a spreadsheet formula (=, +, -, @).
    # The matcher folds punctuation to spaces, so the spelling it compares is the same without them.
    spelling = (spelling_of(entry.kind, printed) or "").lstrip("=+-@ \t\r")
    if not spelling or not fold(spelling):
        return None
    with transaction.atomic():  # two reviewers teaching the same entry at once both keep their spelling
        row = CatalogRow.objects.select_for_update().get(pk=entry.pk)
        if fold(spelling) in {fold(s) for s in [row.name, *(row.aliases or [])]}:
            return None
        row.aliases = [*(row.aliases or []), spelling]
        row.save(update_fields=["aliases"])
    entry.aliases = row.aliases
    return spelling
