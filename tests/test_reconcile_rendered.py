"""Raw records read by the real OCR from rendered sample pages (both forms): never silently wrong."""
from __future__ import annotations

import pytest

from records.compare import compare_all
from reconcile.catalog import CatalogIndex, load_csv
from reconcile.record import reconcile_json
from test_reconcile_helpers import RECONCILE, read_jsonl


@pytest.mark.parametrize("profile,floor", [("office200", 0.78), ("photocopy", 0.85)])
def test_rendered_pages_are_right_or_flagged(profile, floor):
    data = RECONCILE / f"rendered-{profile}"
    catalog = CatalogIndex(load_csv(RECONCILE / "samples_catalog.csv"))
    truths = {(t["source"]["file"], t["source"]["page"]): t for t in read_jsonl(data / "truth.jsonl")}
    pairs = []
    for raw in read_jsonl(data / "raw.jsonl"):
        key = (raw["source"]["file"], raw["source"]["page"])
        truth = {k: v for k, v in truths[key].items() if k != "source"}
        pairs.append((reconcile_json(raw, catalog), truth, f"{key[0]}:{key[1]}"))
    assert {r["report_type"] for r, _, _ in pairs} == {"avance_programatico", "modificacion_programatica"}
    result = compare_all(pairs)
    assert result.silent == [], result.silent
    # what the reader got, reconciliation keeps or repairs (the rest is flagged, see above)
    assert result.share_exact("header_codes") >= 0.8 and result.share_exact("header_names") >= 0.85
    assert result.share_exact() >= floor
