"""The catalog as plain data: entries, CSV import/export, and an index (pure).

CSV columns (shared/contract/catalog.md): ``kind,code,name,parent,cargo,
year_from,year_to``, plus an optional ``aliases`` column: learned spellings
of the entry (reviewer corrections), separated by ``|``. The Django model of
the catalog produces ``CatalogEntry`` lists, so :class:`CatalogIndex` is built
from a plain list.
"""
from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, TextIO

KINDS = (
    "ayuntamiento", "clasificacion_administrativa", "ramo", "programa", "unidad_ejecutora",
    "finalidad", "funcion", "subfuncion", "linea_accion", "unidad_medida", "accion", "persona",
)
COLUMNS = ("kind", "code", "name", "parent", "cargo", "year_from", "year_to")
ALIAS_COLUMN = "aliases"
ALIAS_SEP = "|"


class CatalogError(ValueError):
    """A catalog file that cannot be read; the message names file, line and problem."""

    code = "catalog_invalid"


@dataclass(frozen=True)
class CatalogEntry:
    kind: str
    code: str | None
    name: str
    parent: str | None = None
    cargo: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The database gives "" for an empty column; the index wants None.
        for name in ("code", "parent", "cargo"):
            value = getattr(self, name)
            value = value.strip() if isinstance(value, str) else value
            object.__setattr__(self, name, value or None)
        object.__setattr__(self, "aliases", tuple(a for a in (self.aliases or ()) if a))

    @property
    def id(self) -> str:
        """A stable identifier: kind, code, parent, name and years."""
        years = f"{self.year_from or ''}-{self.year_to or ''}"
        return f"{self.kind}:{self.code or ''}:{self.parent or ''}:{self.name}:{years}"

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.year_from is not None and year < self.year_from:
            return False
        if self.year_to is not None and year > self.year_to:
            return False
        return True

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name,) + self.aliases


def _year(value: str, where: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        year = int(value)
    except ValueError:
        raise CatalogError(f"{where}: year {value!r} is not a whole number") from None
    if not 1900 <= year <= 2200:
        raise CatalogError(f"{where}: year {year} is out of range")
    return year


def _entry(row: dict[str, str], where: str) -> CatalogEntry:
    kind = (row.get("kind") or "").strip()
    if kind not in KINDS:
        raise CatalogError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    name = (row.get("name") or "").strip()
    if not name:
        raise CatalogError(f"{where}: empty name")
    code = (row.get("code") or "").strip() or None
    if code is None and kind not in ("unidad_medida", "persona"):
        raise CatalogError(f"{where}: a {kind} needs a code")
    year_from = _year(row.get("year_from") or "", where)
    year_to = _year(row.get("year_to") or "", where)
    if year_from and year_to and year_from > year_to:
        raise CatalogError(f"{where}: year_from {year_from} is after year_to {year_to}")
    aliases = tuple(a.strip() for a in (row.get(ALIAS_COLUMN) or "").split(ALIAS_SEP) if a.strip())
    return CatalogEntry(
        kind=kind, code=code, name=name,
        parent=(row.get("parent") or "").strip() or None,
        cargo=(row.get("cargo") or "").strip() or None,
        year_from=year_from, year_to=year_to, aliases=aliases,
    )


def load_csv(source: str | os.PathLike | TextIO) -> list[CatalogEntry]:
    """Read a catalog CSV from a path, an open file, or the CSV text itself."""
    label = "<catalog>"
    if hasattr(source, "read"):
        text = source.read()
        label = getattr(source, "name", label)
    elif isinstance(source, os.PathLike) or ("\n" not in str(source) and os.path.exists(str(source))):
        label = os.fspath(source)
        try:
            with open(source, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{label}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    elif "\n" in str(source) or "," in str(source):
        text = str(source)
    else:
        raise CatalogError(f"{source}: no such file")
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"{label}:1: missing column(s) {', '.join(missing)}; header is {header}")
    reader.fieldnames = header
    entries = []
    for row in reader:
        where = f"{label}:{reader.line_num}"
        if None in row:
            raise CatalogError(f"{where}: more cells than columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        entries.append(_entry(row, where))
    return entries


def write_csv(entries: Iterable[CatalogEntry], target: str | os.PathLike | TextIO | None = None) -> str:
    """Write entries as catalog CSV; returns the text (and writes it to ``target`` if given)."""
    entries = list(entries)
    with_aliases = any(e.aliases for e in entries)
    columns = COLUMNS + ((ALIAS_COLUMN,) if with_aliases else ())
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for e in entries:
        row = [e.kind, e.code or "", e.name, e.parent or "", e.cargo or "",
               "" if e.year_from is None else str(e.year_from), "" if e.year_to is None else str(e.year_to)]
        if with_aliases:
            row.append(ALIAS_SEP.join(e.aliases))
        writer.writerow(row)
    text = buf.getvalue()
    if target is not None:
        if hasattr(target, "write"):
            target.write(text)
        else:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
    return text


class CatalogIndex:
    """Lookups over a list of entries: by kind, by year, by parent."""

    def __init__(self, entries: Iterable[CatalogEntry]):
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self._by_kind: dict[str, list[CatalogEntry]] = defaultdict(list)
        self._by_parent: dict[tuple[str, str], list[CatalogEntry]] = defaultdict(list)
        for e in self.entries:
            self._by_kind[e.kind].append(e)
            if e.parent:
                self._by_parent[(e.kind, e.parent)].append(e)

    def __len__(self) -> int:
        return len(self.entries)

    def of_kind(self, kind: str, year: int | None = None) -> list[CatalogEntry]:
        return [e for e in self._by_kind.get(kind, ()) if e.valid_in(year)]

    def children(self, kind: str, parent: str, year: int | None = None) -> list[CatalogEntry]:
        """Entries of ``kind`` whose parent is ``parent`` (``unidad_ejecutora`` of ramo ``71``)."""
        return [e for e in self._by_parent.get((kind, parent), ()) if e.valid_in(year)]

    def unidades(self, ramo: str, year: int | None = None) -> list[CatalogEntry]:
        return self.children("unidad_ejecutora", ramo, year)

    def acciones(self, unidad: str, year: int | None = None) -> list[CatalogEntry]:
        return self.children("accion", unidad, year)

    def funciones(self, finalidad: str, year: int | None = None) -> list[CatalogEntry]:
        return self.children("funcion", finalidad, year)

    def subfunciones(self, finalidad: str, funcion: str, year: int | None = None) -> list[CatalogEntry]:
        return self.children("subfuncion", f"{finalidad}.{funcion}", year)

    def personas(self, ramo: str | None, unidad: str | None, year: int | None = None) -> list[CatalogEntry]:
        """People holding a post in the ramo, in the unidad, or in any unidad of the ramo."""
        parents = {p for p in (ramo, unidad) if p}
        if ramo:
            parents.update(u.code for u in self.unidades(ramo, year) if u.code)
        return [e for e in self.of_kind("persona", year) if e.parent in parents]

    def years(self) -> list[int]:
        found = {y for e in self.entries for y in (e.year_from, e.year_to) if y}
        return sorted(found)
