"""The img2table comparison's alignment and shared measure (bench/img2table_cmp.py, bench/table_score.py).

img2table's grids carry no field names; the bench maps them to truth rows and
columns. These check the mapping on small hand-made grids, without img2table.
"""
from bench.img2table_cmp import grids_to_raw
from bench.table_score import share, table_measure

TRUTH = {"rows": [
    {"kind": "meta", "number": "M3", "lineas_accion": ["2.1.1"], "descripcion": "CONTRIBUIR CON APOYOS",
     "unidad_medida": "SERVICIO", "meta_anual": 1200,
     "trimestres": [{"programado": 300, "alcanzado": 250}, {"programado": 300, "alcanzado": None},
                    {"programado": 300, "alcanzado": None}, {"programado": 300, "alcanzado": None}],
     "avance_absoluto": 250, "avance_relativo": 21, "observaciones": None},
    {"kind": "accion", "number": "301", "lineas_accion": ["4.6.1"], "descripcion": "SEGUIMIENTO AL GASTO",
     "unidad_medida": "NÓMINA", "meta_anual": 52,
     "trimestres": [{"programado": 13, "alcanzado": 13}, {"programado": 13, "alcanzado": None},
                    {"programado": 13, "alcanzado": None}, {"programado": 13, "alcanzado": None}],
     "avance_absoluto": 13, "avance_relativo": 25, "observaciones": None},
]}
HEAD = ["L/A", "DESCRIPCION", "UNIDAD", "META", "P", "A", "P", "A", "P", "A", "P", "A", "ABS", "REL", "OBS"]


def test_a_perfect_grid_scores_full_marks_after_a_header_row():
    grid = [HEAD,
            ["2.1.1", "M3 CONTRIBUIR CON\nAPOYOS", "SERVICIO", "1,200", "300", "250", "300", "", "300", "", "300", "",
             "250", "21%", ""],
            ["4.6.1", "301.- SEGUIMIENTO AL GASTO", "NÓMINA", "52", "13", "13", "13", "", "13", "", "13", "",
             "13", "25%", ""]]
    counts = table_measure(grids_to_raw([grid], TRUTH), TRUTH)
    assert share(counts, "numbers") == 1.0
    assert share(counts, "codes") == 1.0
    assert share(counts, "text") == 1.0


def test_rows_in_another_order_and_a_misread_number_count_once():
    grid = [HEAD,
            ["4.6.1", "301.- SEGUIMIENTO AL GASTO", "NÓMINA", "52", "13", "13", "13", "", "13", "", "13", "",
             "13", "25%", ""],
            ["2.1.1", "M3 CONTRIBUIR CON APOYOS", "SERVICIO", "1,208", "300", "250", "300", "", "300", "", "300", "",
             "250", "21%", ""]]
    counts = table_measure(grids_to_raw([grid], TRUTH), TRUTH)
    assert counts["numbers"] - counts["numbers_ok"] == 1


def test_no_table_reads_nothing_but_the_empty_cells():
    counts = table_measure(grids_to_raw([], TRUTH), TRUTH)
    assert counts["numbers_ok"] == 6  # the six alcanzados not yet due are null in the truth
    assert counts["codes_ok"] == 0 and counts["text_ok"] == 0
