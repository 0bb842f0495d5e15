"""Typed values that enter and leave ``reconcile/``. Data only, no logic.

The *raw record* (contract: shared/contract/report-record.md) is what OCR
read, as text. Its JSON form is the contract's raw shape plus one extension
key, ``"ocr"``: ``{path: {"confidence": float, "bbox": [x0, y0, x1, y1]}}``,
so that reconciliation can weigh how sure the reader was. Records read by
another engine (the corpus ``raw.jsonl``) simply have no ``"ocr"`` key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["auto", "needs_review", "corrected"]

HEADER_CODE_NAMES = (
    "clasificacion_administrativa",
    "ramo",
    "programa",
    "unidad_ejecutora",
    "finalidad",
    "funcion",
    "subfuncion",
)


@dataclass(frozen=True)
class Provenance:
    """How sure the reader was of one raw leaf, and where it stood on the page."""

    confidence: float | None = None
    bbox: tuple[int, int, int, int] | None = None
    page: int | None = None


@dataclass
class RawRecord:
    """A raw record: the contract's raw JSON shape plus per-path provenance.

    ``data`` holds exactly the contract's raw shape (every leaf a string or
    None); ``ocr`` maps a leaf path (``rows[3].meta_anual``) to its provenance.
    """

    data: dict[str, Any]
    ocr: dict[str, Provenance] = field(default_factory=dict)

    def provenance(self, path: str) -> Provenance:
        return self.ocr.get(path, Provenance())

    def to_json(self) -> dict[str, Any]:
        out = dict(self.data)
        out["ocr"] = {
            path: {
                "confidence": p.confidence,
                "bbox": list(p.bbox) if p.bbox else None,
                "page": p.page,
            }
            for path, p in self.ocr.items()
        }
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> RawRecord:
        data = {k: v for k, v in obj.items() if k != "ocr"}
        ocr = {
            path: Provenance(
                confidence=p.get("confidence"),
                bbox=tuple(p["bbox"]) if p.get("bbox") else None,
                page=p.get("page"),
            )
            for path, p in (obj.get("ocr") or {}).items()
        }
        return cls(data=data, ocr=ocr)


@dataclass(frozen=True)
class Candidate:
    """An alternative value for a field, with a score in 0..1."""

    value: Any
    score: float
    entry_id: str | None = None  # catalog entry, where the value came from one


@dataclass(frozen=True)
class CheckResult:
    rule: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class FieldResult:
    """One field of the report record: its value and the evidence behind it."""

    value: Any
    raw: str | None
    confidence: float
    status: Status
    candidates: tuple[Candidate, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    page: int | None = None
    bbox: tuple[int, int, int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "confidence": round(float(self.confidence), 4),
            "status": self.status,
            "candidates": [{"value": c.value, "score": round(float(c.score), 4)} for c in self.candidates],
            "checks": [{"rule": c.rule, "ok": c.ok, **({"detail": c.detail} if c.detail else {})} for c in self.checks],
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox else None,
        }


@dataclass
class ReportRecord:
    """The reconciled record: contract values plus per-field evidence.

    ``data`` is the contract shape (no extension keys); ``fields`` maps each
    leaf path to its :class:`FieldResult`; ``needs_review`` is the list the
    contract's ``review.needs_review`` carries (flagging a path flags every
    leaf under it).
    """

    data: dict[str, Any]
    fields: dict[str, FieldResult]
    needs_review: list[str]
    source: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source}
        out.update(self.data)
        out["review"] = {"needs_review": list(self.needs_review)}
        out["fields"] = {path: f.to_json() for path, f in self.fields.items()}
        return out
