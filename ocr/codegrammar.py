"""Dotted codes from digit positions: which gap is a dot, which a comma, which nothing.

A code cell ("2.1.1, 2.1.5, 2.3.3") is a list of codes of a known number of
levels. Tesseract reads its digits well but loses or invents the tiny dots and
commas, more so at 200 dpi or through a photocopy. The gaps between digits
still tell: a dot's gap is narrow, a comma's (with its space) is wider, two
digits of one level touch. Each gap is labelled so that the whole cell parses
as codes of exactly ``levels`` levels, at the least cost against the gap sizes
(relative to the digit height) and the separator marks seen in the ink.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

NONE, DOT, COMMA = "", ".", ", "
_INF = float("inf")


@dataclass(frozen=True)
class Gap:
    """Between two digits: the gap over the digit height, the mark seen ('.', ',' or ''),
    and whether it is a line break (the cell wraps between codes)."""

    size: float
    mark: str = ""
    wrap: bool = False


def _costs(gap: Gap, boundary: float) -> dict[str, float]:
    """Cost of each label for one gap: 0 when the gap's size and mark agree with it."""
    if gap.wrap:  # a wrapped line ends a code; a code running on is possible but unusual
        return {COMMA: 0.0, DOT: 3.0, NONE: _INF}
    g = gap.size
    cost = {DOT: 10 * max(0.0, g - boundary), COMMA: 10 * max(0.0, boundary - g),
            NONE: 2.5 + 10 * max(0.0, g - 0.05)}  # a level of two digits is rare and tight
    if gap.mark == ",":
        cost[DOT] += 1.5
        cost[NONE] += 3.0
        cost[COMMA] = max(0.0, cost[COMMA] - 1.0)
    elif gap.mark == ".":
        cost[COMMA] += 1.0
        cost[NONE] += 3.0
        cost[DOT] = max(0.0, cost[DOT] - 1.0)
    return cost


def parse(digits: Sequence[str], gaps: Sequence[Gap], *, levels: int = 3,
          boundary: float = 0.24) -> tuple[str, float] | None:
    """The cheapest reading of ``digits`` (with ``gaps`` between them) as a list of codes of
    ``levels`` levels, and its cost; None when no such reading exists."""
    if not digits or len(gaps) != len(digits) - 1 or levels < 1:
        return None
    # best[k] = (cost, labels) with the current code at level k (0-based)
    best: dict[int, tuple[float, list[str]]] = {0: (0.0, [])}
    for gap in gaps:
        cost = _costs(gap, boundary)
        nxt: dict[int, tuple[float, list[str]]] = {}
        for k, (c, labels) in best.items():
            moves = [(NONE, k), (DOT, k + 1), (COMMA, 0)]
            for label, k2 in moves:
                if (label == DOT and k2 >= levels) or (label == COMMA and k != levels - 1):
                    continue
                total = c + cost[label]
                if total < nxt.get(k2, (_INF, None))[0]:
                    nxt[k2] = (total, labels + [label])
        best = nxt
    if levels - 1 not in best or best[levels - 1][0] == _INF:
        return None
    total, labels = best[levels - 1]
    text = digits[0] + "".join(lab + d for lab, d in zip(labels, digits[1:]))
    return text, total
