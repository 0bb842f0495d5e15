"""The sample-scan generator: data files, layout variation, scan profiles, batches."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from samples import fonts
from samples.forms import modification_cells, progress_cells
from samples.generate import PROFILES, batch_plan, bundled_records, render_batch, render_page
from samples.render import render_page_layout
from samples.scan import scan_page
from samples.style import PREFIXES, make_style, prefix_for

DATA = Path(__file__).resolve().parent.parent / "samples" / "data"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


MODS = _jsonl(DATA / "modificaciones.jsonl")
CATALOG = list(csv.DictReader(open(DATA / "catalog.csv", encoding="utf-8", newline="")))


@pytest.fixture(scope="module")
def fax_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("fax")
    return render_batch(out, "fax150", seed=3)


# ---- data files -------------------------------------------------------------------------

def test_modification_records_have_the_contract_shape_and_arithmetic():
    assert len(MODS) == 3
    movements = Counter()
    for rec in MODS:
        assert rec["report_type"] == "modificacion_programatica" and rec["formato"] == "TMM-F009"
        assert rec["trimestre"] is None and rec["ejercicio"] == 2023 and rec["ayuntamiento"] == "XXIV"
        assert rec["ramo"]["code"] == "52" and rec["unidad_ejecutora"]["code"].startswith("52")
        assert {r["kind"] for r in rec["rows"]} == {"meta", "accion"}
        assert [s["rol"] for s in rec["signatarios"]] == ["elaboro", "reviso", "autorizo"]
        for row in rec["rows"]:
            assert set(row) == {"movimiento", "kind", "number", "lineas_accion", "descripcion",
                                "unidad_medida", "meta_anual_autorizada", "aumentos", "disminuciones",
                                "meta_anual_modificada", "calendario", "justificacion"}
            want = (row["meta_anual_autorizada"] or 0) + (row["aumentos"] or 0) - (row["disminuciones"] or 0)
            assert want == row["meta_anual_modificada"], row["number"]
            assert len(row["calendario"]) == 4 and sum(row["calendario"]) == row["meta_anual_modificada"]
            if row["movimiento"]:
                movements.update(m.strip() for m in row["movimiento"].split("/"))
                assert row["justificacion"]
    assert {"AM", "D", "AP", "T", "R"} <= set(movements)


def test_catalog_keeps_its_format_and_covers_the_modifications():
    with open(DATA / "catalog.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["kind", "code", "name", "parent", "cargo", "year_from", "year_to"]
    units = {r["name"] for r in CATALOG if r["kind"] == "unidad_medida"}
    actions = {(r["code"], r["parent"]): r["name"] for r in CATALOG if r["kind"] == "accion"}
    for rec in MODS:
        for row in rec["rows"]:
            assert row["unidad_medida"] in units
            assert actions[(row["number"], rec["unidad_ejecutora"]["code"])] == row["descripcion"]


# ---- printed text -----------------------------------------------------------------------

def test_cells_print_numbers_percentages_and_blanks_as_the_forms_do():
    page3 = bundled_records()[2]
    style = make_style(0)
    meta = progress_cells(page3["rows"][0], style)
    assert meta["meta"] == "121,568" and meta["p0"] == "26,333" and meta["a0"] == "20,389"
    assert meta["a1"] == meta["a2"] == meta["a3"] == "" and meta["rel"] == "17%"
    assert meta["desc"].startswith("M3 CONTRIBUIR")
    row = progress_cells(page3["rows"][1], style)
    assert re.match(r"301\.-\s?SEGUIMIENTO", row["desc"]) and row["la"] == "4.6.1"
    mod = modification_cells(MODS[1]["rows"][2], style)
    assert mod["mov"] == "AP" and mod["no"] == "313" and mod["dis"] == ""


def test_signatory_prefix_is_deterministic_and_only_on_the_page():
    for seed in range(20):
        assert prefix_for(seed, "RAMONA MARTINEZ ACOSTA") in PREFIXES
        assert prefix_for(seed, "X") == prefix_for(seed, "X")
    assert len({prefix_for(s, "RAMONA MARTINEZ ACOSTA") for s in range(40)}) > 2
    for rec in bundled_records():
        assert not any(s["nombre"].split()[0] in PREFIXES for s in rec["signatarios"])


def test_fonts_are_found_or_the_error_names_the_package(monkeypatch, tmp_path):
    assert fonts.available_families()
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    fonts._index.cache_clear()
    fonts.available_families.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
            fonts.available_families()
    finally:
        fonts._index.cache_clear()
        fonts.available_families.cache_clear()


# ---- layout -----------------------------------------------------------------------------

def test_every_bundled_record_fits_a_landscape_page():
    for i, rec in enumerate(bundled_records()):
        for seed in (0, 1):
            img, layout = render_page_layout(rec, seed * 10 + i)
            assert img.size in {(3300, 2550), (4200, 2550)}, (i, seed, img.size)
            assert layout.table.bbox[3] < layout.signature_top < img.height


def test_different_seeds_give_different_layouts():
    rec = bundled_records()[0]
    layouts = [render_page_layout(rec, seed)[1] for seed in range(6)]
    edges = {tuple(l.table.x_edges) for l in layouts}
    tops = {l.header_bottom for l in layouts}
    assert len(edges) == 6 and len(tops) >= 4
    a, b = layouts[0].table.x_edges, layouts[1].table.x_edges
    assert len(a) != len(b) or max(abs(x - y) for x, y in zip(a, b)) > 20
    styles = [make_style(s) for s in range(30)]
    assert len({s.family for s in styles}) >= 4 and len({s.la_title for s in styles}) == 2
    assert len({s.rel_title for s in styles}) == 2 and len({s.desc_title for s in styles}) == 2


def test_modification_table_has_merged_meta_and_accion_rows():
    img, layout = render_page_layout(MODS[0], 5)
    assert layout.table.merged_rows[0] == 0 and len(layout.table.merged_rows) == 2
    assert layout.legend_y is not None and len(layout.table.header_edges) == 3


def test_render_page_is_deterministic():
    rec = MODS[2]
    assert render_page(rec, 4).tobytes() == render_page(rec, 4).tobytes()


# ---- scanning ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean_page():
    return render_page(MODS[1], 2)


@pytest.mark.parametrize("profile", PROFILES)
def test_scan_profiles_resolution_mode_and_determinism(clean_page, profile):
    a = scan_page(clean_page, profile, np.random.default_rng(7))
    b = scan_page(clean_page, profile, np.random.default_rng(7))
    assert a.tobytes() == b.tobytes()
    dpi = a.info["dpi"][0]
    want = {"clean300": 300, "office200": 200, "photocopy": 300, "fax150": 150}.get(profile)
    assert dpi == want if want else 200 <= dpi <= 250
    assert abs(a.width - clean_page.width * dpi / 300) <= 2
    assert a.mode == {"photocopy": "L", "fax150": "1"}.get(profile, "RGB")
    if a.mode == "RGB":  # blue signature ink stays coloured
        arr = np.asarray(a).astype(int)
        bluish = (arr[..., 2] - arr[..., 0] > 50) & (arr[..., 2] > 90)
        assert bluish.sum() > 200


def test_quarter_turns_rotate_the_scan(clean_page):
    up = np.asarray(scan_page(clean_page, "fax150", np.random.default_rng(1), 0))
    down = np.asarray(scan_page(clean_page, "fax150", np.random.default_rng(1), 2))
    side = np.asarray(scan_page(clean_page, "fax150", np.random.default_rng(1), 1))
    assert np.array_equal(down, np.rot90(up, 2)) and np.array_equal(side, np.rot90(up, 1))


# ---- batches ----------------------------------------------------------------------------

def test_batch_plan_turns_one_sideways_and_one_upside_down():
    for seed in range(10):
        for profile in PROFILES:
            plan = batch_plan(7, profile, seed)
            turns = Counter(plan.turns)
            assert turns[0] == 5 and turns[1] + turns[3] == 1 and turns[2] == 1
            pages = sorted(i for f in plan.files for i in f.records)
            assert pages == list(range(7))
            assert {f.fmt for f in plan.files} == {"pdf", "tiff", "jpeg", "png"}


def test_batch_truth_sources_and_hashes(fax_batch):
    out = fax_batch.parent
    truths = _jsonl(fax_batch)
    assert len(truths) == 7
    assert {t["report_type"] for t in truths} == {"avance_programatico", "modificacion_programatica"}
    by_file = {}
    for t in truths:
        src = t["source"]
        digest = hashlib.sha256((out / src["file"]).read_bytes()).hexdigest()
        assert src["sha256"] == digest
        by_file.setdefault(src["file"], []).append(src["page"])
    for name, pages in by_file.items():
        assert pages == list(range(1, len(pages) + 1)), name
    files = sorted(p.name for p in out.iterdir() if p.name != "truth.jsonl")
    assert sorted(by_file) == files
    assert {Path(f).suffix for f in files} == {".pdf", ".tif", ".jpg", ".png"}
    originals = {json.dumps({k: v for k, v in r.items()}, sort_keys=True) for r in bundled_records()}
    for t in truths:
        rec = {k: v for k, v in t.items() if k != "source"}
        assert json.dumps(rec, sort_keys=True) in originals


def test_batch_files_hold_the_pages_at_scan_resolution(fax_batch):
    out = fax_batch.parent
    truths = _jsonl(fax_batch)
    counts = Counter(t["source"]["file"] for t in truths)
    sideways = 0
    for name, n in counts.items():
        path = out / name
        if path.suffix == ".pdf":
            data = path.read_bytes()
            assert len(re.findall(rb"/Type\s*/Page\b", data)) == n
            continue
        with Image.open(path) as im:
            assert getattr(im, "n_frames", 1) == n
            for k in range(n):
                im.seek(k)
                assert round(im.info["dpi"][0]) == 150
                sideways += im.height > im.width
    plan = batch_plan(7, "fax150", 3)
    pdf = next(f for f in plan.files if f.fmt == "pdf")
    expected_sideways = sum(plan.turns[i] in (1, 3) for f in plan.files if f.fmt != "pdf"
                            for i in f.records)
    assert sideways == expected_sideways and pdf.name in counts


def test_batch_is_deterministic_for_a_seed(fax_batch, tmp_path):
    again = render_batch(tmp_path / "again", "fax150", seed=3)
    assert again.read_text(encoding="utf-8") == fax_batch.read_text(encoding="utf-8")
    other = render_batch(tmp_path / "other", "fax150", seed=4, records=bundled_records()[:2])
    assert len(_jsonl(other)) == 2


def test_unknown_profile_is_refused(tmp_path):
    with pytest.raises(ValueError, match="clean300"):
        render_batch(tmp_path, "sepia", 0)
