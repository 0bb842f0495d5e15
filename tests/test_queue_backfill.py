"""``folio backfill``: a folder tree submitted once, resumable after a kill, idempotent when run twice."""
import os

import numpy as np
import pytest
from PIL import Image

from services import FAULTS

pytestmark = pytest.mark.slow


def _tree(root):
    """An archive tree: years, ramos, a handful of distinct small scans."""
    paths = []
    for i, rel in enumerate(["2019/52/a.png", "2019/52/b.png", "2019/53/c.png", "2020/52/d.png",
                             "2020/52/e.png", "2020/53/f.png", "2020/53/g.png"]):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((40 + i, 60), 255 - i, np.uint8)).save(path, format="PNG")
        paths.append(path)
    (root / "2020" / "notes.txt").write_text("not a scan")
    return paths


def test_backfill_resumes_after_a_kill_and_submits_nothing_twice(make_service, tmp_path):
    svc = make_service()  # no worker: the pages stay queued, which is all this test reads
    root = tmp_path / "archivo"
    paths = _tree(root)
    svc.folio("submit", paths[1], "--batch", "uploaded earlier")  # held before the backfill starts
    killed = svc.folio("backfill", root, check=False, env={
        "PYTHONPATH": os.pathsep.join(filter(None, [str(FAULTS), os.environ.get("PYTHONPATH")])),
        "FOLIO_FAULT_KILL_AFTER_SUBMITS": "3"})
    assert killed.returncode == -9, killed.stderr[-2000:]  # stopped hard after its third submission
    assert len(svc.probe()["documents"]) == 1 + 3

    resumed = svc.folio("backfill", root)
    assert "7 files seen, 3 submitted (3 pages), 4 already held" in resumed.stdout, resumed.stdout
    assert "backfill archivo" in resumed.stderr and "7/7" in resumed.stderr  # the bar spans the whole tree
    again = svc.folio("backfill", root)
    assert "0 submitted" in again.stdout and "7 already held" in again.stdout, again.stdout

    state = svc.probe()
    shas = [d["sha256"] for d in state["documents"]]
    assert len(shas) == len(set(shas)) == 7, state["documents"]  # every file once, none twice
    backfill_pages = [p for p in state["pages"] if p["priority"] == "backfill"]
    assert len(backfill_pages) == 6 and all(p["state"] == "queued" for p in backfill_pages)
    assert svc.redis.client().llen("backfill") == 6  # one message per page, on the backfill queue
    names = {p["file"]: p["batch"] for p in backfill_pages}
    assert names["a.png"] != names["c.png"] and names["d.png"] == names["e.png"]  # one batch per folder
    status = svc.folio("status", names["d.png"]).stdout
    assert "backfill archivo/2020/52" in status and "queued 2" in status, status
