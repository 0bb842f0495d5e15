"""The catalog from the database, as the pure index reconciliation uses."""
from __future__ import annotations

from reconcile.catalog import CatalogEntry, CatalogIndex
from reconcile.models import CatalogEntry as CatalogRow


def entries_from_db() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            kind=r.kind, code=r.code, name=r.name, parent=r.parent, cargo=r.cargo,
            year_from=r.year_from, year_to=r.year_to, aliases=tuple(r.aliases or ()),
        )
        for r in CatalogRow.objects.all()
    ]


def load_catalog() -> CatalogIndex:
    return CatalogIndex(entries_from_db())
