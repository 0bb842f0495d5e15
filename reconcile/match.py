"""Fuzzy matching of OCR text against catalog choices (pure).

``match(text, choices)`` is shaped like rapidfuzz's ``process.extract``: the
choices are a Mapping ``key -> text`` and the candidates come back as
``(choice, score, key)`` tuples, best first, with scores in 0..1. The margin
is the best score minus the best score of a *different* choice text, so two
catalog rows that spell the same thing (one person, two posts) do not count
as rivals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Mapping

from rapidfuzz import fuzz

from reconcile.normalize import code_chars, fold, is_confusable, letters_reading

Scorer = Callable[[str, str], float]

CONFUSION_COST = 0.25  # substituting a look-alike character
PUNCT_COST = 0.5  # inserting or dropping a dot, dash or comma in a code


@dataclass(frozen=True)
class Match:
    best: Hashable | None
    score: float
    margin: float
    candidates: tuple[tuple[str, float, Hashable], ...]

    @property
    def choice(self) -> str | None:
        return self.candidates[0][0] if self.candidates else None


def text_score(a: str | None, b: str | None) -> float:
    """Similarity of two texts after folding; a printed text cut short still scores high."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    la = letters_reading(fa)
    if la != fa:  # digits read for letters cost less than other slips, but something
        return min(0.98, max(text_score(la, fb) - 0.01, fuzz.ratio(fa, fb) / 100))
    score = fuzz.ratio(fa, fb) / 100
    if len(fa) < len(fb) and len(fa) >= 12:
        prefix = fuzz.ratio(fa, fb[: len(fa)]) / 100
        score = max(score, prefix * (0.85 + 0.15 * len(fa) / len(fb)))
    return min(score, 0.999)


def name_score(a: str | None, b: str | None) -> float:
    """Similarity of two person names: order of words may differ."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    return min(max(fuzz.ratio(fa, fb), fuzz.token_sort_ratio(fa, fb)) / 100, 0.999)


def code_cost(a: str, b: str) -> float:
    """Weighted edit distance: look-alike characters are cheap, punctuation cheaper than digits."""
    n, m = len(a), len(b)
    prev = [j * 1.0 for j in range(m + 1)]
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + (PUNCT_COST if not b[j - 1].isalnum() else 1.0)
    for i in range(1, n + 1):
        ca = a[i - 1]
        gap_a = PUNCT_COST if not ca.isalnum() else 1.0
        cur = [prev[0] + gap_a] + [0.0] * m
        for j in range(1, m + 1):
            cb = b[j - 1]
            sub = 0.0 if ca == cb else (CONFUSION_COST if is_confusable(ca, cb) else 1.0)
            gap_b = PUNCT_COST if not cb.isalnum() else 1.0
            cur[j] = min(prev[j - 1] + sub, prev[j] + gap_a, cur[j - 1] + gap_b)
        prev = cur
    return prev[m]


def code_score(a: str | None, b: str | None) -> float:
    """Similarity of two printed codes, aware of OCR confusions (``37108`` ~ ``87108``)."""
    ca, cb = code_chars(a), code_chars(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    cost = code_cost(ca, cb)
    return max(0.0, 1.0 - cost / max(len(ca), len(cb)))


def match(
    text: str | None,
    choices: Mapping[Hashable, str],
    *,
    scorer: Scorer = text_score,
    limit: int | None = 5,
    score_cutoff: float = 0.0,
) -> Match:
    """Best choices for ``text`` with scores in 0..1 and the margin over the runner-up."""
    scored = [(choice, float(scorer(text, choice)), key) for key, choice in choices.items()]
    scored = [c for c in scored if c[1] >= score_cutoff]
    scored.sort(key=lambda c: (-c[1], str(c[2])))
    if not scored:
        return Match(None, 0.0, 0.0, ())
    best_choice, best_score, best_key = scored[0]
    rival = next((s for c, s, _ in scored[1:] if fold(c) != fold(best_choice)), 0.0)
    kept = tuple(scored[:limit] if limit else scored)
    return Match(best_key, best_score, best_score - rival, kept)
