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
