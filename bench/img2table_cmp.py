"""img2table (PyPI ``img2table``, TesseractOCR in Spanish) on the bench's pages, scored like Folio.

img2table runs in its own venv (``.venv-bench``, made by ``scripts/bench-setup.sh``)
because it requires opencv-contrib-python, which must not meet Folio's
opencv-python-headless in ``.venv``. :func:`run_img2table` calls
``bench/_img2table_child.py`` there on one page and gets its cell grid back.

img2table returns grids of cell texts, not fields. :func:`grids_to_raw` turns
them into a raw record in img2table's favour: each truth row takes the grid
row that matches it best (its numbers and its text), and each field takes the
column of that table where it matches most rows. Its figures are therefore
an upper bound of what a user of img2table would get without knowing the
answers; Folio gets no such help.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from rapidfuzz import fuzz

from bench.raw_reading import as_int, squash

ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
CHILD = Path(__file__).resolve().parent / "_img2table_child.py"
TIMEOUT = 600.0
MIN_ROW_SCORE = 0.6          # a truth row with no grid row scoring this much stays unread

_AVANCE_NUMBERS = ("meta_anual", *(f"trimestres[{q}].{k}" for q in range(4) for k in ("programado", "alcanzado")),
                   "avance_absoluto", "avance_relativo")
_MODIF_NUMBERS = ("meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada",
                  *(f"calendario[{q}]" for q in range(4)))
TEXT_SLOTS = ("number", "descripcion", "unidad_medida", "observaciones", "justificacion", "lineas_accion",
              "movimiento")
_CODE = re.compile(r"\d+(?:\.\d+)+")


def available() -> str | None:
    """None when img2table can run, else why not (for the bench's printout)."""
    if not BENCH_PYTHON.exists() or not any(BENCH_PYTHON.parent.parent.glob(".installed-img2table*")):
        return "img2table is not installed in .venv-bench (scripts/bench-setup.sh; its log: .venv-bench/pip-install.log)"
    return None


def run_img2table(png: Path) -> dict:
    """img2table on one page image: ``{"cpu", "wall", "tables"}`` or ``{"error"}``."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([str(BENCH_PYTHON), str(CHILD), str(png)], capture_output=True, text=True,
                              timeout=TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"img2table timed out after {TIMEOUT:.0f} s"}
    if done.returncode != 0:
        return {"error": f"img2table exit {done.returncode}: {done.stderr.strip()[-300:]}"}
    return json.loads(done.stdout)


def _truth_slots(row: dict) -> dict[str, object]:
    """A truth row flattened to slot -> value (``trimestres[0].programado`` -> 26333)."""
    out: dict[str, object] = {}
    for slot in _AVANCE_NUMBERS + _MODIF_NUMBERS:
        if "[" not in slot:
            if slot in row:
                out[slot] = row[slot]
        elif slot.startswith("trimestres") and "trimestres" in row:
            q, key = int(slot[11]), slot.split(".")[1]
            out[slot] = row["trimestres"][q].get(key)
        elif slot.startswith("calendario") and "calendario" in row:
            out[slot] = row["calendario"][int(slot[11])]
    for slot in TEXT_SLOTS:
        if slot in row:
            value = row[slot]
            out[slot] = ", ".join(value) if isinstance(value, list) else value
    return out


def _bare(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text).upper()


def _fits(slot: str, cell: str, want: object) -> bool:
    """Whether a cell holds a slot's truth value (numbers by digits, texts nearly equal)."""
    if want is None or want == "":
        return False
    if slot == "number":
        return _bare(cell) == _bare(str(want))
    if slot == "lineas_accion":  # a wrapped list is often cut: any of the row's codes will do
        return bool(set(_CODE.findall(cell)) & set(_CODE.findall(str(want))))
    if slot in TEXT_SLOTS:
        got = squash(cell)
        if slot == "descripcion":
            return fuzz.partial_ratio(squash(str(want)), got) >= 80
        return fuzz.ratio(squash(str(want)), got) >= 80
    return as_int(cell) == want


def _row_score(slots: dict[str, object], cells: list[str]) -> float:
    """How well a grid row matches a truth row: share of its numbers present + text likeness."""
    numbers = [v for k, v in slots.items() if k not in TEXT_SLOTS and v is not None]
    present = {as_int(c) for c in cells}
    hits = sum(1 for v in numbers if v in present) / len(numbers) if numbers else 0.0
    text = fuzz.partial_ratio(squash(str(slots.get("descripcion") or "")), squash(" ".join(cells))) / 100
    return hits + text


def _align_rows(truth_slots: list[dict], grids: list[list[list[str]]]) -> dict[int, tuple[int, int]]:
    """Truth row index -> (table, grid row), best pairs first, each grid row used once."""
    pairs = []
    for i, slots in enumerate(truth_slots):
        for t, grid in enumerate(grids):
            for r, cells in enumerate(grid):
                score = _row_score(slots, cells)
                if score >= MIN_ROW_SCORE:
                    pairs.append((-score, i, t, r))
    taken: dict[int, tuple[int, int]] = {}
    used: set[tuple[int, int]] = set()
    for _, i, t, r in sorted(pairs):
        if i not in taken and (t, r) not in used:
            taken[i] = (t, r)
            used.add((t, r))
    return taken


def _map_columns(table: list[list[str]], rows: list[tuple[dict, int]]) -> dict[str, int]:
    """Slot -> column of one table: the column where the slot's value is found in most aligned rows."""
    width = max((len(r) for r in table), default=0)
    tally = []
    for slot in {s for slots, _ in rows for s in slots}:
        for j in range(width):
            hits = sum(1 for slots, r in rows if j < len(table[r]) and _fits(slot, table[r][j], slots.get(slot)))
            if hits:
                tally.append((-hits, j, slot))
    mapping: dict[str, int] = {}
    for _, j, slot in sorted(tally):
        if slot not in mapping and j not in mapping.values():
            mapping[slot] = j
    return mapping


def _raw_row(cells: list[str], mapping: dict[str, int]) -> dict:
    """A raw-record row (the contract's raw shape) from one grid row and its table's column map."""
    def cell(slot: str) -> str | None:
        j = mapping.get(slot)
        return cells[j] if j is not None and j < len(cells) else None

    raw = {slot: cell(slot) for slot in TEXT_SLOTS + _AVANCE_NUMBERS[:1] + _AVANCE_NUMBERS[-2:] + _MODIF_NUMBERS[:4]}
    # with no column of its own, the number is read off the start of the description, as for Folio
    raw["trimestres"] = [{"programado": cell(f"trimestres[{q}].programado"),
                          "alcanzado": cell(f"trimestres[{q}].alcanzado")} for q in range(4)]
    raw["calendario"] = [cell(f"calendario[{q}]") for q in range(4)]
    return raw


def grids_to_raw(grids: list[list[list[str]]], truth: dict) -> dict:
    """img2table's grids as a raw record ``{"rows": [...]}`` in the truth's row order (see module doc)."""
    truth_slots = [_truth_slots(r) for r in truth.get("rows") or []]
    aligned = _align_rows(truth_slots, grids)
    mappings = {}
    for t, table in enumerate(grids):
        rows = [(truth_slots[i], r) for i, (tt, r) in aligned.items() if tt == t]
        mappings[t] = _map_columns(table, rows)
    rows_out = []
    for i in range(len(truth_slots)):
        if i in aligned:
            t, r = aligned[i]
            rows_out.append(_raw_row(grids[t][r], mappings[t]))
        else:
            rows_out.append({})
    return {"rows": rows_out}
