"""The status rule: from evidence to confidence and ``auto``/``needs_review`` (pure).

A field is accepted (``auto``) only when its confidence reaches ``AUTO`` and
no check on it failed. Confidence comes from the strongest evidence the field
has:

* a catalog match: the match score, cut down when the runner-up (another
  catalog value) is within ``MIN_MARGIN``;
* a number: ``CHECKED`` when an arithmetic identity that passed pins it
  down (every other cell of it firmly read); else the reader's confidence
  (or ``CLEAN`` / ``REPAIRED`` for a parse without one) discounted so that
  only a reading at ``ALONE`` or above is accepted on its own;
* free text with no catalog: the reader's confidence, discounted as a
  number's that nothing corroborates (only a reading at ``ALONE`` or above is
  accepted), else ``UNKNOWN`` (a person must look: nothing vouches for it);
* a rule of the contract (a later quarter's alcanzado is null): ``RULE``.

A failed check caps the confidence at ``FAILED`` and always flags.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from reconcile.types import Candidate, CheckResult, FieldResult, Provenance

AUTO = 0.85
MIN_MARGIN = 0.05
CLEAN = 0.9
REPAIRED = 0.75
CHECKED = 0.95
UNKNOWN = 0.5
RULE = 0.95
ALONE = 0.95  # a number nothing corroborates needs this reader's confidence (see number_confidence)
FAILED = 0.4


@dataclass(frozen=True)
class Settings:
    """Thresholds of the status rule; pass one to override the defaults."""

    auto: float = AUTO
    min_margin: float = MIN_MARGIN


DEFAULT = Settings()


def match_confidence(score: float, margin: float, settings: Settings = DEFAULT) -> float:
    """A catalog match: its score, cut when a different value scores almost as well."""
    if margin < settings.min_margin:
        return min(score, score * (0.6 + 4 * max(margin, 0.0)))
    return score


def number_confidence(ocr: float | None, clean: bool, checks: Iterable[CheckResult],
                      corroborated: bool = False) -> float:
    """A number: lifted to ``CHECKED`` when an identity pins it down (see ``numbers.corroboration``);
    otherwise it rests on the reader alone, whose confidence is discounted by ``AUTO / ALONE``.

    Measured on rendered fax and phone scans: digits misread at reader confidence 0.85-0.93 with no
    identity over them, none at 0.95 and above; so a reading alone is accepted only from ``ALONE`` up."""
    checks = list(checks)
    base = ocr if ocr is not None else (CLEAN if clean else REPAIRED)
    if any(not c.ok for c in checks):
        return min(base, FAILED)
    if corroborated:
        return max(base, CHECKED) if base >= 0.3 else base
    return alone(base)


def text_confidence(ocr: float | None) -> float:
    """Text that only the reader vouches for: its confidence discounted as a number's alone
    (a page the reader does not vouch for, a fax, caps it at 0.9: "Vila" for "Villa" there
    reads as good prose and must not pass unseen)."""
    return alone(ocr) if ocr is not None else UNKNOWN


def alone(ocr: float) -> float:
    """The reader's confidence in a value nothing else vouches for, scaled so that it reaches
    ``AUTO`` from ``ALONE`` up."""
    return ocr * AUTO / ALONE


def make_field(
    value: Any,
    raw: Any,
    confidence: float,
    prov: Provenance | None = None,
    *,
    candidates: Iterable[Candidate] = (),
    checks: Iterable[CheckResult] = (),
    review: bool = False,
    settings: Settings = DEFAULT,
) -> FieldResult:
    """A FieldResult whose status follows the rule above."""
    checks = tuple(checks)
    failed = any(not c.ok for c in checks)
    confidence = max(0.0, min(1.0, float(confidence)))
    if failed:
        confidence = min(confidence, FAILED)
    status = "needs_review" if failed or review or confidence < settings.auto else "auto"
    prov = prov or Provenance()
    return FieldResult(
        value=value,
        raw=None if raw is None else str(raw),
        confidence=confidence,
        status=status,
        candidates=tuple(candidates),
        checks=checks,
        page=prov.page,
        bbox=prov.bbox,
    )
