"""Catalog CSV <-> database (the shell side; the CSV format itself is reconcile.catalog)."""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from reconcile.catalog import load_csv, write_csv
from reconcile.models import CatalogEntry as CatalogRow


@transaction.atomic
def import_csv(path: Path) -> int:
    """Replace the catalog with the CSV's entries (aliases travel in the CSV). Returns the count."""
    entries = load_csv(Path(path))
    CatalogRow.objects.all().delete()
    CatalogRow.objects.bulk_create(
        CatalogRow(
            kind=e.kind, code=e.code or "", name=e.name, parent=e.parent or "", cargo=e.cargo or "",
            year_from=e.year_from, year_to=e.year_to, aliases=list(e.aliases),
        )
        for e in entries
    )
    return len(entries)


def export_csv(path: Path) -> int:
    from worker.catalog import entries_from_db

    entries = entries_from_db()
    write_csv(entries, Path(path))
    return len(entries)
