"""Archive completeness: which unidades ejecutoras and quarters of a year are held, re-scanned or missing.

The expected set is the catalog's ``unidad_ejecutora`` entries valid in the
year (``year_from``/``year_to``, empty = open-ended): the catalog is data, so
the archive decides what "complete" means by keeping it. What is held is the
stored progress reports (a quarter printed on the page) of that year. A
quarter held by more than one report is a re-scan: both are listed so staff
can see which one stands. Reports of a unidad the catalog does not know for
that year are listed too (``in_catalog`` false), so nothing held is hidden.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from reconcile.models import CatalogEntry
from records.models import Report

QUARTERS = (1, 2, 3, 4)
HELD, RESCANNED, MISSING = "held", "rescanned", "missing"


@dataclass(frozen=True)
class QuarterCell:
    quarter: int
    state: str  # held, rescanned or missing
    report_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    ramo_code: str
    in_catalog: bool
    quarters: tuple[QuarterCell, ...]

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(c.quarter for c in self.quarters if c.state == MISSING)


@dataclass(frozen=True)
class Completeness:
    year: int
    units: tuple[UnitRow, ...]
    totals: dict[str, int] = field(default_factory=dict)  # cells per state over catalog units

    @property
    def expected(self) -> int:
        return sum(1 for u in self.units if u.in_catalog) * len(QUARTERS)


def _valid_units(year: int):
    return (
        CatalogEntry.objects.filter(kind="unidad_ejecutora")
        .filter(Q(year_from__isnull=True) | Q(year_from__lte=year))
        .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
        .order_by("code", "id")
    )


def _held(year: int) -> dict[tuple[str, int], list[int]]:
    """(unidad code, quarter) -> report ids of that year, oldest first.

    The same file submitted twice is one scan, not a re-scan: reports are
    counted once per (file sha256, page number).
    """
    held: dict[tuple[str, int], list[int]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    rows = (
        Report.objects.filter(ejercicio=year, trimestre__in=QUARTERS)
        .exclude(unidad_code="")
        .order_by("id")
        .values_list("id", "unidad_code", "trimestre", "page__document__sha256", "page__number")
    )
    for rid, unit, quarter, sha, number in rows:
        if (sha, number) in seen:
            continue
        seen.add((sha, number))
        held[(unit, quarter)].append(rid)
    return held


def _cells(code: str, held: dict[tuple[str, int], list[int]]) -> tuple[QuarterCell, ...]:
    cells = []
    for q in QUARTERS:
        ids = tuple(held.get((code, q), ()))
        state = MISSING if not ids else HELD if len(ids) == 1 else RESCANNED
        cells.append(QuarterCell(q, state, ids))
    return tuple(cells)


def completeness(year: int) -> Completeness:
    """The year's table: one row per unidad valid that year (and per unknown unidad held)."""
    held = _held(year)
    units: list[UnitRow] = []
    seen: set[str] = set()
    for entry in _valid_units(year):
        if entry.code in seen:
            continue  # the same unidad listed twice (e.g. renamed within a year): one row
        seen.add(entry.code)
        units.append(UnitRow(entry.code, entry.name, entry.parent, True, _cells(entry.code, held)))
    extra = sorted({unit for unit, _q in held} - seen)
    ramo_of = dict(Report.objects.filter(ejercicio=year, unidad_code__in=extra).values_list("unidad_code", "ramo_code"))
    for code in extra:
        units.append(UnitRow(code, "", ramo_of.get(code, ""), False, _cells(code, held)))
    totals = {HELD: 0, RESCANNED: 0, MISSING: 0}
    for unit in units:
        if unit.in_catalog:
            for cell in unit.quarters:
                totals[cell.state] += 1
    return Completeness(year, tuple(units), totals)


def known_years() -> list[int]:
    """Years worth offering: those of stored reports and those the catalog names, newest first."""
    years = set(Report.objects.exclude(ejercicio=None).values_list("ejercicio", flat=True).distinct())
    for lo, hi in CatalogEntry.objects.filter(kind="unidad_ejecutora").values_list("year_from", "year_to"):
        years.update(y for y in (lo, hi) if y)
    return sorted(years, reverse=True)


def as_json(result: Completeness) -> dict:
    """The API's and the CLI's shape of one year's table."""
    return {
        "year": result.year,
        "expected": result.expected,
        "totals": dict(result.totals),
        "units": [
            {
                "code": u.code, "name": u.name, "ramo": u.ramo_code, "in_catalog": u.in_catalog,
                "quarters": [{"quarter": c.quarter, "state": c.state, "reports": list(c.report_ids)}
                             for c in u.quarters],
            }
            for u in result.units
        ],
    }
