"""Duck-typed access to a page as ``ocr/`` read it, and the raw record being built from it (pure).

Shared by :mod:`reconcile.forms` (header, signatures, assembly) and
:mod:`reconcile.table` (the table body). Attribute names follow
:mod:`ocr.types` (``words``, ``bbox``, ``confidence``); ``reconcile`` never
imports ``ocr``, so any object of that shape will do.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz

from reconcile.types import Provenance

PROGRESS, MODIFICATION = "avance_programatico", "modificacion_programatica"


def fold(text: str) -> str:
    """Upper case, accents removed, runs of space collapsed (for matching only)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


@dataclass(frozen=True)
class Tok:
    """A word with its provenance (duck-typed from ocr.types.OcrText)."""

    text: str
    conf: float | None
    bbox: tuple[int, int, int, int] | None


def bbox_of(obj: Any) -> tuple[int, int, int, int] | None:
    b = getattr(obj, "bbox", None)
    return None if b is None else (int(b.x0), int(b.y0), int(b.x1), int(b.y1))


def tokens(line: Any) -> list[Tok]:
    words = getattr(line, "words", ()) or ()
    if words:
        return [Tok(w.text, w.confidence, bbox_of(w)) for w in words if w.text.strip()]
    return [Tok(t, line.confidence, bbox_of(line)) for t in line.text.split()]


def join_tokens(toks: Sequence[Tok]) -> tuple[str | None, Provenance]:
    """Text and provenance of a run of tokens (weakest confidence, union box)."""
    if not toks:
        return None, Provenance()
    boxes = [t.bbox for t in toks if t.bbox]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
           max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else None
    confs = [t.conf for t in toks if t.conf is not None]
    return " ".join(t.text for t in toks), Provenance(min(confs) if confs else None, box)


def _box(cell: Any):
    """Where a cell's text was read: its ink's box, else the cell's."""
    return bbox_of(cell.text) or bbox_of(cell)


class RawOut:
    """The raw record being built: data plus provenance per leaf path."""

    def __init__(self, page_no: int):
        self.page_no = page_no
        self.ocr: dict[str, Provenance] = {}

    def leaf(self, path: str, text: str | None, prov: Provenance) -> str | None:
        if text is not None:
            self.ocr[path] = Provenance(prov.confidence, prov.bbox, self.page_no)
        return text

    def toks(self, path: str, toks: Sequence[Tok]) -> str | None:
        return self.leaf(path, *join_tokens(toks))

    def cell(self, path: str, cell: Any) -> str | None:
        if cell is None or not cell.text.text.strip():
            return None
        return self.leaf(path, cell.text.text.strip(), Provenance(cell.text.confidence, _box(cell)))

    def extend(self, path: str, text: str, cell: Any) -> str:
        """``text`` (the leaf at ``path``) with the cell's text after it: one printed text
        read from two cells. Its provenance covers both, at the lower confidence."""
        old = self.ocr.get(path, Provenance())
        return self.leaf(path, *join_tokens([Tok(text, old.confidence, old.bbox),
                                             Tok(cell.text.text.strip(), cell.text.confidence, _box(cell))]))


def best_title(text: str, choices: Iterable[str], cutoff: float = 70) -> str | None:
    scored = [(fuzz.ratio(fold(text), c), c) for c in choices]
    score, choice = max(scored, default=(0, None))
    return choice if score >= cutoff else None
