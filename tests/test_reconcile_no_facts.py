"""No fact of the bundled data (DIF 2023 corpus, sample batch) may appear in ``reconcile/``'s source.

Reconciliation is judged on years, ramos and people it has not seen: a code,
a name or a misspelling of the known pages written into code (even in a
docstring's example) is a rule that only fixes one string. The facts are
drawn from the data files themselves, so a new data file widens the net.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from test_reconcile_helpers import DATA, DIF, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "reconcile").glob("*.py")) + sorted((ROOT / "spanish").glob("*.py"))
CATALOGS = [DIF / "catalog.csv", ROOT / "samples" / "data" / "catalog.csv", DATA / "reconcile" / "samples_catalog.csv"]
TRUTHS = [DIF / "ground_truth.jsonl", ROOT / "samples" / "data" / "ground_truth.jsonl",
          ROOT / "samples" / "data" / "modificaciones.jsonl"]
RAWS = [DIF / "raw.jsonl"]
_WORD = re.compile(r"[A-Z]+")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


# Keys whose values are the contract's own words or the form's printed titles, not facts of a municipality.
FORM_KEYS = ("source", "ocr", "report_type", "formato", "ejercicio", "trimestre", "kind", "rol", "movimiento")


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in FORM_KEYS for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def _facts() -> tuple[set[str], set[str], set[tuple[str, str]], set[str]]:
    """(codes, name words, name word pairs, misspellings) of every bundled data file."""
    codes, words, pairs, texts = set(), set(), set(), []
    for path in CATALOGS:
        for row in csv.DictReader(path.open(encoding="utf-8")):
            codes.update(v for v in (row["code"], row["parent"]) if v)
            texts.append(row["name"])
            if row["kind"] == "persona":
                words.update(w for w in _WORD.findall(fold(row["name"])) if len(w) >= 4)
    for path in TRUTHS:
        for rec in read_jsonl(path):
            for row in rec["rows"]:
                codes.add(row["number"])
                codes.update(row["lineas_accion"])
            texts.extend(_strings(rec))
            words.update(w for s in rec["signatarios"] for w in _WORD.findall(fold(s["nombre"])) if len(w) >= 4)
    known = set()
    for text in texts:
        seq = _WORD.findall(fold(text))
        known.update(seq)
        pairs.update((a, b) for a, b in zip(seq, seq[1:]) if len(a) >= 4 and len(b) >= 4)
    misspelt = set()
    for rec in (r for path in RAWS for r in read_jsonl(path)):
        words.update(w for s in rec["signatarios"] for w in _WORD.findall(fold(s.get("nombre") or "")) if len(w) >= 4)
        for w in {w for s in _strings(rec) for w in _WORD.findall(fold(s)) if len(w) >= 5} - known:
            if any(Levenshtein.distance(w, k, score_cutoff=2) <= 2 for k in known if abs(len(k) - len(w)) <= 2):
                misspelt.add(w)
    return {c for c in codes if c and any(ch.isdigit() for ch in c) or c in ("XXIV", "XXIII")}, words, pairs, misspelt


def test_the_fact_net_is_not_empty():
    codes, words, pairs, misspelt = _facts()
    assert len(codes) > 50 and len(words) > 10 and len(pairs) > 100 and len(misspelt) > 3


def test_no_bundled_fact_in_reconcile_source():
    codes, words, pairs, misspelt = _facts()
    found = []
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        folded = fold(source)
        for code in codes:
            if len(code) >= 3:
                pattern = r"(?<![\w.,])" + re.escape(code) + r"(?![\w]|[.,]\d)"
            elif len(code) == 2:  # short codes only where written as a value
                pattern = r"[\"'`]" + re.escape(code) + r"[\"'`]"
            else:
                continue
            if re.search(pattern, source):
                found.append((path.name, "code", code))
        seq = _WORD.findall(folded)
        present = set(seq)
        found += [(path.name, "name", w) for w in words & present]
        found += [(path.name, "misspelling", w) for w in misspelt & present]
        found += [(path.name, "name words", f"{a} {b}") for a, b in set(zip(seq, seq[1:])) & pairs]
    assert found == [], sorted(found)
