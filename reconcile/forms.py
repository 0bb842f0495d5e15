"""Form understanding: a page as ``ocr/`` read it -> the raw record.

Which form it is (progress report or TMM-F009 modification) and which column
is which are decided by the printed titles (fuzzy, OCR errors tolerated),
never by position. Leaves stay the text as read; ``RawRecord.ocr`` holds each
leaf's confidence and bbox. Duck-typed on :mod:`ocr.types` attribute names
(``header``, ``grid.cells``, ``signature``): ``reconcile`` does not import ``ocr``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from rapidfuzz import fuzz

from reconcile.pageread import MODIFICATION, PROGRESS, RawOut, Tok, best_title, fold, join_tokens, tokens
from reconcile.table import map_columns, read_table
from reconcile.types import HEADER_CODE_NAMES, RawRecord

LABELS = {
    "clasificacion_administrativa": "CLASIFICACION ADMINISTRATIVA", "ramo": "RAMO",
    "programa": "PROGRAMA", "unidad_ejecutora": "UNIDAD EJECUTORA", "finalidad": "FINALIDAD",
    "funcion": "FUNCION", "subfuncion": "SUBFUNCION", "lineas_accion": "LINEAS DE ACCION",
}
ROLES = ("ELABORO", "REVISO", "AUTORIZO")
_FORM_CODE = re.compile(r"\b[A-Z]{2,4}\s?-\s?F\s?-?\s?\d{3}\b")
_LA_CODE = re.compile(r"^\d+(\.\d+)+\.?$")
_LIST_CODE = re.compile(r"^\d{1,2}(\.\d{1,2}){2,}\.?$")  # three short levels: a line of the list, never a date


# ---- header -------------------------------------------------------------------------------

def _label_of(toks: Sequence[Tok]) -> tuple[str | None, int]:
    """(field, tokens used by the label) when the line starts with a printed label."""
    best, used, score = None, 0, 0.0
    for n in range(1, min(4, len(toks)) + 1):
        head = fold(" ".join(t.text for t in toks[:n])).rstrip(":;.").strip()
        for key, label in LABELS.items():
            s = fuzz.ratio(head, label)
            if s > score and s >= 82:
                best, used, score = key, n, s
    return best, used


def _split_side(lines: Sequence[Any], width: int) -> list[list[Tok]]:
    """Header lines as token lists; a "LINEAS DE ACCION" column beside the codes becomes
    its own lines (below the left block) so the list parses the same either way."""
    rows = [tokens(ln) for ln in lines]
    cut = top = None
    for toks in rows:
        for i in range(len(toks)):
            key, n = _label_of(toks[i:])
            if key == "lineas_accion" and toks[i].bbox and toks[i].bbox[0] > width * 0.3:
                cut, top = toks[i].bbox[0] - 25, toks[i].bbox[1] - 10
    if cut is None:
        return rows

    def side(t: Tok) -> bool:  # beside and below the label: the list's column
        return t.bbox is not None and t.bbox[0] >= cut and t.bbox[1] >= top

    left = [[t for t in r if not side(t)] for r in rows]
    right = [[t for t in r if side(t)] for r in rows]
    return [r for r in left if r] + [r for r in right if r]


def _holds_title(title: str, folded: str, cut: int) -> bool:
    """The line holds the title, perhaps among other words; a short line of marks ("MA" from
    a speck) is no title, though it matches inside one ("PROGRAMA")."""
    return len(folded.replace(" ", "")) >= 0.6 * len(title.replace(" ", "")) and fuzz.partial_ratio(title, folded) >= cut


def _titles(data: dict, out: RawOut, rows: list[list[Tok]]) -> list[list[Tok]]:
    """Fill formato, ayuntamiento, ejercicio, report_type; return the remaining lines."""
    rest = []
    for toks in rows:
        text = " ".join(t.text for t in toks)
        f = fold(text)
        code = _FORM_CODE.search(f)
        if code and data["formato"] is None:
            hit = [t for t in toks if fold(t.text) in code.group(0) or code.group(0) in fold(t.text)]
            data["formato"] = out.leaf("formato", code.group(0).replace(" ", ""), join_tokens(hit or toks)[1])
            toks = [t for t in toks if t not in hit]
            f = fold(" ".join(t.text for t in toks))
            if not toks:
                continue
        if data["ayuntamiento"] is None and _holds_title("AYUNTAMIENTO", f, 80):
            data["ayuntamiento"] = out.toks("ayuntamiento", toks)
        elif data["ejercicio"] is None and _holds_title("PROGRAMA OPERATIVO ANUAL", f, 85):
            data["ejercicio"] = out.toks("ejercicio", toks)
        elif data["report_type"] is None and _title_kind(f):
            data["report_type"] = out.toks("report_type", toks)
            if _title_kind(f) == PROGRESS:
                data["trimestre"] = out.toks("trimestre", toks)
        else:
            rest.append(toks)
    return rest


def _has_word(words: Sequence[str], target: str) -> bool:
    return any(fuzz.ratio(w, target) >= 78 for w in words)


def _title_kind(folded: str) -> str | None:
    """Which form a title line names ("PRIMER AVANCE PROGRAMATICO", "MODIFICACIONES ...")."""
    words = folded.split()
    if len(words) > 6 or not _has_word(words, "PROGRAMATICO"):
        return None
    if _has_word(words, "MODIFICACIONES"):
        return MODIFICATION
    if _has_word(words, "AVANCE"):
        return PROGRESS
    return None


def _unread_label(toks: Sequence[Tok]) -> bool:
    """A line of a few words, no digits, ending in a colon: a label not read as any known one."""
    text = " ".join(t.text for t in toks).strip()
    return text.endswith(":") and len(toks) <= 4 and not any(ch.isdigit() for ch in text)


def _code_name(out: RawOut, path: str, toks: Sequence[Tok]) -> dict | None:
    if not toks:
        return None
    return {"code": out.toks(f"{path}.code", toks[:1]), "name": out.toks(f"{path}.name", toks[1:])}


def _labelled(data: dict, out: RawOut, rows: list[list[Tok]]) -> None:
    """LABEL: CODE NAME lines (names may wrap) and the header's lineas de accion list."""
    current, parts, las = None, {}, []
    for toks in rows:
        key, n = _label_of(toks)
        if key is None and toks and _unread_label(toks):
            current = "?"  # a label line too damaged to read: what follows is not its neighbour's
            continue
        if key is None and current not in (None, "lineas_accion") and toks and _LIST_CODE.match(toks[0].text):
            key, n = "lineas_accion", 0  # the list's label lost (a streak, a stamp): its codes tell
        if key is not None:
            current = key
            if key != "lineas_accion":
                parts[key] = list(toks[n:])
            elif toks[n:]:
                las.append(list(toks[n:]))
            continue
        if current == "lineas_accion":
            if toks and _LA_CODE.match(toks[0].text) or not las:
                las.append(list(toks))
            else:
                las[-1].extend(toks)
        elif current in parts:
            parts[current].extend(toks)
    for key, toks in parts.items():
        data[key] = _code_name(out, key, toks)
    data["lineas_accion"] = [_code_name(out, f"lineas_accion[{i}]", t) for i, t in enumerate(las)]


def read_header(data: dict, out: RawOut, lines: Sequence[Any], width: int) -> None:
    rows = _split_side(lines, width)
    _labelled(data, out, _titles(data, out, rows))


# ---- signatures and assembly ----------------------------------------------------------------

def _is_noise(line: Any) -> bool:
    text = line.text.strip()
    alnum = sum(ch.isalnum() for ch in text)
    return alnum < 2 or alnum < 0.5 * len(text.replace(" ", "")) or line.confidence < 0.3


def read_signatures(columns: Sequence[Sequence[Any]], out: RawOut) -> list[dict]:
    sigs = []
    for lines in columns:
        lines = [ln for ln in lines if not _is_noise(ln)]
        if not lines:
            continue
        i = len(sigs)
        rol = None
        for k, line in enumerate(lines[:2]):
            if best_title(line.text, ROLES, 70):
                rol = out.toks(f"signatarios[{i}].rol", tokens(line))
                lines = lines[k + 1:]
                break
        nombre = out.toks(f"signatarios[{i}].nombre", tokens(lines[0])) if lines else None
        cargo = out.toks(f"signatarios[{i}].cargo", [t for ln in lines[1:] for t in tokens(ln)])
        sigs.append({"rol": rol, "nombre": nombre, "cargo": cargo})
    return sigs


def detect_form(header_text: str, grid_text: str = "") -> str:
    kind = None
    for line in header_text.splitlines():
        kind = kind or _title_kind(fold(line))
    if kind is None:
        g = fold(grid_text)
        kind = MODIFICATION if fuzz.partial_ratio("DISMINUCIONES", g) >= 85 else PROGRESS
    return kind


def _source(source: Mapping[str, Any] | str | None, page_no: int) -> dict:
    base = {"file": None, "page": page_no, "sha256": None}
    if isinstance(source, str):
        base["file"] = source
    elif source:
        base.update({k: source[k] for k in source if k in ("file", "page", "sha256")})
    return base


def understand(page: Any, *, page_no: int = 1, source: Mapping[str, Any] | str | None = None) -> RawRecord:
    """The raw record of a page read by ``ocr`` (a ``PageRead``-shaped object)."""
    out = RawOut(page_no)
    grid = getattr(page, "grid", None)
    grid_text = " ".join(c.text.text for c in grid.cells if c.row < 4) if grid is not None else ""
    form = detect_form("\n".join(ln.text for ln in page.header), grid_text)
    data: dict[str, Any] = {"source": _source(source, page_no), "report_type": None, "formato": None,
                            "ayuntamiento": None, "ejercicio": None, "trimestre": None}
    data.update({k: None for k in HEADER_CODE_NAMES})
    data["lineas_accion"] = []
    read_header(data, out, page.header, int(getattr(page, "width", 0) or 0))
    data["rows"] = read_table(grid, form, out) if grid is not None else []
    data["signatarios"] = read_signatures(getattr(page, "signature", ()) or (), out)
    return RawRecord(data=data, ocr=out.ocr)


# ---- is it a report at all? -----------------------------------------------------------------

@dataclass(frozen=True)
class FormEvidence:
    """What of a report form a page shows: its title (or form code), its labelled header fields
    (RAMO, PROGRAMA, UNIDAD EJECUTORA, ...) and table columns named by their printed titles."""

    title: bool
    labels: int
    columns: int
    text: int  # characters read anywhere on the page

    @property
    def is_report(self) -> bool:
        """A report's table, or its header: the title beside two labelled fields, or four of them.
        A title alone is not enough (a cover letter's subject line names the report it covers)."""
        return self.columns >= 3 or self.labels >= 4 or (self.title and self.labels >= 2)

    def found(self) -> str:
        """What was found, in words: "only a form title", "no report title, header fields or table"."""
        parts = [what for present, what in ((self.title, "a form title"),
                                            (self.labels, f"{self.labels} labelled header field(s)"),
                                            (self.columns, f"{self.columns} table column(s) named like the forms'"))
                 if present]
        return f"only {', '.join(parts)}" if parts else "no report title, header fields or table"


def form_evidence(page: Any, raw: RawRecord) -> FormEvidence:
    """How much of a report form ``understand`` found on a page (``page`` shaped like a ``PageRead``)."""
    data = raw.data
    labels = sum(1 for key in LABELS if key != "lineas_accion" and data.get(key)) + bool(data.get("lineas_accion"))
    columns = 0
    grid = getattr(page, "grid", None)
    if grid is not None and grid.cells:
        grid_text = " ".join(c.text.text for c in grid.cells if c.row < 4)
        form = detect_form("\n".join(ln.text for ln in page.header), grid_text)
        mapping, depth = map_columns(list(grid.cells), len(grid.col_edges) - 1, form)
        columns = len(mapping) if depth else 0
    lines = [*page.header, *getattr(page, "footer", ()), *(ln for col in getattr(page, "signature", ()) for ln in col)]
    text = sum(len(ln.text.strip()) for ln in lines)
    if grid is not None:
        text += sum(len(c.text.text.strip()) for c in grid.cells)
    return FormEvidence(title=bool(data.get("report_type") or data.get("formato")), labels=labels,
                        columns=columns, text=text)


__all__ = ["PROGRESS", "MODIFICATION", "understand", "detect_form", "map_columns", "read_table", "fold",
           "FormEvidence", "form_evidence"]
