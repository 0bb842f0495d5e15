"""End to end: rendered sample pages of both forms through `folio run`, export vs ground truth."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from records.compare import GROUPS, compare_all

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "samples" / "data" / "catalog.csv"
CORPUS = ROOT / "tests" / "data" / "dif-2023"


def folio(*args, home: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "FOLIO_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([sys.executable, "-m", "folio.cli", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.slow
def test_folio_run_reads_both_forms_close_to_the_truth(tmp_path):
    from samples.generate import render_batch

    scans = tmp_path / "scans"
    truth_path = render_batch(scans, "clean300", 7)  # a layout seed the demo does not use
    export = tmp_path / "export.jsonl"
    done = folio("run", scans, "--catalog", CATALOG, "--export", export, home=tmp_path / "home")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fields auto-accepted" in done.stdout and "sent to review" in done.stdout

    truths = {(t["source"]["file"], t["source"]["page"]): t for t in _jsonl(truth_path)}
    records = {(r["source"]["file"], r["source"]["page"]): r for r in _jsonl(export)}
    assert set(records) == set(truths), "every page of the batch gives one record"
    assert {r["report_type"] for r in records.values()} == {"avance_programatico", "modificacion_programatica"}
    for key, rec in records.items():
        assert rec["source"]["sha256"] == truths[key]["source"]["sha256"]
        assert set(rec) >= {"source", "review", "fields", "rows", "signatarios"}
    result = compare_all(
        (records[k], {kk: vv for kk, vv in t.items() if kk != "source"}, f"{k[0]}:{k[1]}")
        for k, t in truths.items()
    )
    shares = {g: result.share_exact(g) for g in GROUPS}
    assert result.share_exact() >= 0.85, (shares, result.wrong[:40])
    assert shares["header_codes"] >= 0.9 and shares["numbers"] >= 0.85, shares
    # a silent error is the worst outcome: allow only a small handful while the skeleton grows
    assert len(result.silent) <= max(3, result.fields // 100), result.silent


def test_folio_reconcile_cli_gives_contract_records(tmp_path):
    done = folio("reconcile", "--catalog", CORPUS / "catalog.csv", CORPUS / "raw.jsonl", home=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    truths = _jsonl(CORPUS / "ground_truth.jsonl")
    assert len(records) == len(truths) == 4
    for rec, truth in zip(records, truths):
        assert set(truth) <= set(rec)
        assert isinstance(rec["review"]["needs_review"], list)
        assert all({"raw", "confidence", "status"} <= set(f) for f in rec["fields"].values())


def test_folio_reconcile_names_a_broken_line(tmp_path):
    bad = tmp_path / "raw.jsonl"
    bad.write_text('{"ok": 1\n')
    done = folio("reconcile", "--catalog", CORPUS / "catalog.csv", bad, home=tmp_path)
    assert done.returncode == 2 and "raw.jsonl" in done.stderr and "line 1" in done.stderr


def test_folio_run_reports_bad_files_by_name_and_goes_on(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "empty.png").write_bytes(b"")
    (scans / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (scans / "letter.jpg").write_text("<html>not an image</html>")
    done = folio("run", scans, "--catalog", CATALOG, home=tmp_path / "home")
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "3 pages" in out and "failed 3" in out
    for name in ("empty.png", "truncated.pdf", "letter.jpg"):
        assert f"FAILED {name} page 1: {name}" in out
    originals = list((tmp_path / "home" / "media" / "originals").rglob("*"))
    assert len([p for p in originals if p.is_file()]) == 3, "every original is kept"


def test_folio_read_names_a_bad_file_and_reads_the_rest(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\x00garbage")
    done = folio("read", bad, home=tmp_path)
    assert done.returncode == 1 and "bad.tif" in done.stderr and done.stdout == ""


def test_folio_read_checks_the_limits_in_the_settings(tmp_path, monkeypatch):
    """docs/input-limits.md: the limits live in settings; ``folio read`` reads them too (not the defaults)."""
    from PIL import Image

    page = tmp_path / "page.png"
    Image.new("L", (1500, 1000), 255).save(page, dpi=(300, 300))  # 1.5 megapixels
    monkeypatch.setenv("FOLIO_MAX_MEGAPIXELS", "1")
    done = folio("read", page, home=tmp_path)
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert "page.png, page 1: the page is 1,500 x 1,000 pixels, 2 megapixels" in done.stderr
    assert "more than the limit of 1 (FOLIO_MAX_MEGAPIXELS)" in done.stderr
    monkeypatch.setenv("FOLIO_MAX_MEGAPIXELS", "60")
    monkeypatch.setenv("FOLIO_MAX_UPLOAD_MB", "0")  # and the file size, as at submission
    done = folio("read", page, home=tmp_path)
    assert done.returncode == 1 and "(FOLIO_MAX_UPLOAD_MB)" in done.stderr, done.stderr
