"""Compare a report record with its ground truth, field by field (pure).

Used by ``make bench`` and by the end-to-end tests. A *field* is a leaf path
(:mod:`reconcile.paths`). A field is *exact* when the values are equal (text
compared after folding runs of white space); a *silent error* is a field
that is wrong and not covered by ``review.needs_review``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from reconcile.paths import is_flagged, leaves, split

GROUPS = ("header_codes", "header_names", "numbers", "row_texts", "signatories")

_NUMERIC_ROW_KEYS = frozenset({
    "meta_anual", "programado", "alcanzado", "avance_absoluto", "avance_relativo",
    "meta_anual_autorizada", "aumentos", "disminuciones", "meta_anual_modificada", "calendario",
})
_SPACE = re.compile(r"\s+")


def group_of(path: str) -> str:
    parts = split(path)
    head = parts[0]
    if head == "rows":
        names = {p for p in parts if isinstance(p, str)}
        return "numbers" if names & _NUMERIC_ROW_KEYS else "row_texts"
    if head == "signatarios":
        return "signatories"
    if parts[-1] == "name":
        return "header_names"
    return "header_codes"


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACE.sub(" ", value).strip()
    return value


@dataclass
class Comparison:
    total: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    flagged: int = 0
    silent: list[str] = field(default_factory=list)  # "file:page path: got != want"
    wrong: list[str] = field(default_factory=list)

    def add(self, other: "Comparison") -> None:
        self.total.update(other.total)
        self.exact.update(other.exact)
        self.flagged += other.flagged
        self.silent.extend(other.silent)
        self.wrong.extend(other.wrong)

    @property
    def fields(self) -> int:
        return sum(self.total.values())

    def share_exact(self, group: str | None = None) -> float:
        total = self.total[group] if group else self.fields
        exact = self.exact[group] if group else sum(self.exact.values())
        return exact / total if total else 1.0


def compare(record: dict[str, Any], truth: dict[str, Any], label: str = "") -> Comparison:
    """Compare one exported record (with ``review``) against its ground truth."""
    got = leaves(record)
    want = leaves(truth)
    needs_review = (record.get("review") or {}).get("needs_review", [])
    out = Comparison()
    for path in sorted(set(got) | set(want)):
        group = group_of(path)
        out.total[group] += 1
        flagged = is_flagged(path, needs_review)
        out.flagged += flagged
        g, w = _norm(got.get(path)), _norm(want.get(path))
        if g == w and path in want:
            out.exact[group] += 1
            continue
        line = f"{label} {path}: got {g!r}, want {w!r}"
        out.wrong.append(line)
        if not flagged:
            out.silent.append(line)
    return out


def compare_all(pairs: Iterable[tuple[dict[str, Any], dict[str, Any], str]]) -> Comparison:
    total = Comparison()
    for record, truth, label in pairs:
        total.add(compare(record, truth, label))
    return total
