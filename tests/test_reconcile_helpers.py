"""Helpers for the reconcile tests: turn a ground-truth record back into raw OCR-like text."""
from __future__ import annotations

import copy
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
DIF = DATA / "dif-2023"
RECONCILE = DATA / "reconcile"

PREFIX = {"elaboro": "C.P.", "reviso": "LIC.", "autorizo": "DRA."}
LABEL = {"elaboro": "ELABORÓ", "reviso": "REVISÓ", "autorizo": "AUTORIZÓ"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fmt(n):
    return None if n is None else f"{n:,}"


def to_raw(truth: dict) -> dict:
    """A raw record as a clean reader would give it for this ground truth."""
    raw = copy.deepcopy(truth)
    raw.setdefault("source", {"file": "sample.pdf", "page": 1, "sha256": None})
    modification = truth["report_type"] == "modificacion_programatica"
    raw["report_type"] = "MODIFICACIONES PROGRAMATICAS" if modification else "PRIMER AVANCE PROGRAMATICO"
    raw["ayuntamiento"] = f"{truth['ayuntamiento']} AYUNTAMIENTO DE MEXICALI, BAJA CALIFORNIA"
    raw["ejercicio"] = f"PROGRAMA OPERATIVO ANUAL {truth['ejercicio']}"
    raw["trimestre"] = None if modification else raw["report_type"]
    for row in raw["rows"]:
        sep = " " if row["number"].startswith("M") else ".- "
        row["descripcion"] = f"{row['number']}{sep}{row['descripcion']}"
        row["number"] = None
        row["kind"] = None
        row["lineas_accion"] = ", ".join(row["lineas_accion"])
        for key in ("meta_anual", "avance_absoluto", "meta_anual_autorizada", "aumentos", "disminuciones",
                    "meta_anual_modificada"):
            if key in row:
                row[key] = fmt(row[key])
        if "avance_relativo" in row:
            row["avance_relativo"] = None if row["avance_relativo"] is None else f"{row['avance_relativo']}%"
        for q in row.get("trimestres", []):
            q["programado"], q["alcanzado"] = fmt(q["programado"]), fmt(q["alcanzado"])
        if "calendario" in row:
            row["calendario"] = [fmt(v) for v in row["calendario"]]
    for s in raw["signatarios"]:
        s["nombre"] = f"{PREFIX[s['rol']]} {s['nombre']}"
        s["rol"] = LABEL[s["rol"]]
    return raw
