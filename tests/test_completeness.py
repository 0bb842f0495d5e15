"""Archive completeness: the catalog's unidades valid in a year x quarters, held / re-scanned / missing."""
from __future__ import annotations

import json

import pytest

from folio import web_commands
from reconcile.models import CatalogEntry
from records.completeness import HELD, MISSING, RESCANNED, as_json, completeness, known_years
from webdata import make_report

pytestmark = pytest.mark.django_db


def unit(code: str, parent: str, year_from=None, year_to=None, name: str | None = None):
    return CatalogEntry.objects.create(kind="unidad_ejecutora", code=code, name=name or f"UNIDAD {code}",
                                       parent=parent, year_from=year_from, year_to=year_to)


@pytest.fixture
def catalog():
    unit("71101", "71")                      # open-ended
    unit("71102", "71", year_from=2030)      # from 2030 on
    unit("72101", "72", year_to=2030)        # ended in 2030: not expected in 2031
    CatalogEntry.objects.create(kind="ramo", code="71", name="RAMO 71")  # other kinds are not expected units


def states(result, code: str) -> list[str]:
    row = next(u for u in result.units if u.code == code)
    return [c.state for c in row.quarters]


def test_units_valid_that_year_by_quarter(catalog):
    make_report(year=2031, quarter=1, unidad="71101")
    make_report(year=2031, quarter=3, unidad="71101")
    first = make_report(year=2031, quarter=2, unidad="71102", file="a.pdf")
    again = make_report(year=2031, quarter=2, unidad="71102", file="b.pdf")  # another scan of the same report
    make_report(year=2030, quarter=4, unidad="71102")  # another year
    make_report(year=2031, quarter=None, unidad="71102", report_type="modificacion_programatica")  # no quarter

    result = completeness(2031)
    assert [u.code for u in result.units] == ["71101", "71102"]
    assert states(result, "71101") == [HELD, MISSING, HELD, MISSING]
    assert states(result, "71102") == [MISSING, RESCANNED, MISSING, MISSING]
    cell = next(u for u in result.units if u.code == "71102").quarters[1]
    assert cell.report_ids == (first.id, again.id)
    assert result.expected == 8 and result.totals == {HELD: 2, RESCANNED: 1, MISSING: 5}
    assert states(completeness(2030), "72101") == [MISSING] * 4


def test_the_same_file_twice_is_not_a_rescan(catalog):
    make_report(year=2031, quarter=1, unidad="71101", content=b"same bytes")
    make_report(year=2031, quarter=1, unidad="71101", content=b"same bytes")
    assert states(completeness(2031), "71101")[0] == HELD


def test_a_unidad_the_catalog_lacks_is_shown_not_hidden(catalog):
    make_report(year=2031, quarter=4, ramo="79", unidad="79999")
    result = completeness(2031)
    extra = next(u for u in result.units if u.code == "79999")
    assert not extra.in_catalog and extra.ramo_code == "79" and extra.missing == (1, 2, 3)
    assert result.expected == 8  # only catalog unidades are expected
    assert 2031 in known_years() and 2030 in known_years()


def test_json_and_cli_agree(catalog, capsys):
    make_report(year=2031, quarter=2, unidad="71101")
    body = as_json(completeness(2031))
    assert body["units"][0]["quarters"][1]["state"] == HELD

    class Args:
        year, json = 2031, True

    assert web_commands.cmd_completeness(Args) == 0
    assert json.loads(capsys.readouterr().out) == body
    Args.json = False
    assert web_commands.cmd_completeness(Args) == 0
    table = capsys.readouterr().out
    assert "71101" in table and "missing 7" in table
    Args.year = 1999
    CatalogEntry.objects.all().delete()
    assert web_commands.cmd_completeness(Args) == 1
    assert "folio catalog import" in capsys.readouterr().out
