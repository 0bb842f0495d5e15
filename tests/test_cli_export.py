"""folio export: XLSX needs a file; the workbook is written."""
import pytest
from openpyxl import load_workbook

from folio.cli import main

pytestmark = pytest.mark.django_db


def test_xlsx_export_needs_a_file_and_writes_a_workbook(tmp_path, capsys):
    assert main(["export", "--format", "xlsx"]) == 2
    assert "--out" in capsys.readouterr().err
    out = tmp_path / "records.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    assert "rows" in load_workbook(out).sheetnames


FORMULAS = ['=HYPERLINK("http://example.invalid","ver")', "+1+2", "-2+3", "@SUM(A1)"]


def _report_with_text(texts):
    from webdata import make_report

    report = make_report()
    rows = [{"kind": "accion", "number": i + 1, "descripcion": text, "observaciones": text, "meta_anual": -4}
            for i, text in enumerate(texts)]
    report.data = {**report.data, "rows": rows}
    report.save()
    return report


def test_csv_export_defuses_text_a_spreadsheet_would_run(tmp_path):
    import csv

    _report_with_text(FORMULAS + ["Realizar 4 visitas."])
    out = tmp_path / "records.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    lines = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [ln["descripcion"] for ln in lines] == ["'" + t for t in FORMULAS] + ["Realizar 4 visitas."]
    assert {ln["meta_anual"] for ln in lines} == {"-4"}  # numbers are not text: left as they are


def test_xlsx_export_keeps_such_text_as_text_cells_unchanged(tmp_path):
    _report_with_text(FORMULAS)
    out = tmp_path / "records.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out)["rows"]
    header = [c.value for c in sheet[1]]
    col = header.index("descripcion")
    cells = [row[col] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == FORMULAS
    assert {c.data_type for c in cells} == {"s"}
    assert {row[header.index("meta_anual")].value for row in sheet.iter_rows(min_row=2)} == {-4}
