"""Raw cell text -> typed values (pure). Only the form's printed vocabulary lives here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Iterable

from reconcile.normalize import clean_spaces, digits_reading, fold


@dataclass(frozen=True)
class Parsed:
    """A typed reading of one raw text: ``ok`` false when the text could not be read cleanly."""

    value: object
    ok: bool = True
    repaired: bool = False  # look-alike letters read as digits, a code run split, ...
    note: str = ""


EMPTY = Parsed(None)

# ---------------------------------------------------------------- numbers
_GROUPED = re.compile(r"^\d{1,3}([,. ]\d{3})+$")


def parse_int(text: str | None) -> Parsed:
    """``"121,568"``, ``"1.957"``, ``"1 957"``, ``"l3"``, ``"O"`` -> int; blank -> None."""
    raw = clean_spaces(text)
    if raw is None or raw in ("-", "—", "–"):
        return EMPTY
    body = raw.replace("$", "").strip()
    digits = digits_reading(body)
    repaired = digits != body
    if re.fullmatch(r"\d+", digits):
        return Parsed(int(digits), True, repaired, "look-alike letters read as digits" if repaired else "")
    if _GROUPED.match(digits):
        return Parsed(int(re.sub(r"[,. ]", "", digits)), True, repaired, "thousands separators")
    compact = re.sub(r"\s+", "", digits)
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", compact):
        return Parsed(int(re.sub(r"[,.]", "", compact)), True, True, "thousands separators, spacing")
    if re.fullmatch(r"\d+[.,]0+", compact):
        return Parsed(int(re.split(r"[.,]", compact)[0]), True, True, "decimal zeros")
    return Parsed(None, False, False, f"not a whole number: {raw!r}")


def parse_percent(text: str | None) -> Parsed:
    """``"25%"`` -> 25, ``"1OO %"`` -> 100; a decimal percent is rounded."""
    raw = clean_spaces(text)
    if raw is None:
        return EMPTY
    body = raw.rstrip("%").strip().rstrip("%").strip()
    found = parse_int(body)
    if found.ok or found.value is not None:
        return Parsed(found.value, found.ok, found.repaired or not raw.endswith("%"), found.note)
    decimal = digits_reading(body).replace(",", ".")
    if re.fullmatch(r"\d+\.\d+", decimal):
        return Parsed(round(float(decimal)), True, True, "decimal percent rounded")
    return Parsed(None, False, False, f"not a percent: {raw!r}")


def number_readings(text: str | None, limit: int = 64) -> list[int]:
    """Every integer the printed text could be if look-alike digits were misread (for repairs)."""
    from reconcile.normalize import DIGIT_CONFUSIONS

    base = parse_int(text)
    if base.value is None:
        return []
    digits = str(base.value)
    options = []
    for ch in digits:
        alts = {ch} | {next(iter(p - {ch})) for p in DIGIT_CONFUSIONS if ch in p}
        options.append(sorted(alts))
    out = []
    for combo in product(*options):
        value = int("".join(combo))
        changed = sum(a != b for a, b in zip(combo, digits))
        if changed <= 1:
            out.append(value)
        if len(out) >= limit:
            break
    return sorted(set(out))


def digit_edits(text: str | None) -> set[int]:
    """Integers one dropped or one extra digit away from the printed text."""
    base = parse_int(text)
    if base.value is None:
        return set()
    digits = str(base.value)
    out = set()
    for i in range(len(digits) + 1):
        for d in "0123456789":
            out.add(int(digits[:i] + d + digits[i:]))
    for i in range(len(digits)):
        if len(digits) > 1:
            out.add(int(digits[:i] + digits[i + 1:]))
    out.discard(base.value)
    return out


# ---------------------------------------------------------------- header words
_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50),
          ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def to_roman(n: int) -> str:
    out = ""
    for sym, val in _ROMAN:
        while n >= val:
            out += sym
            n -= val
    return out


def from_roman(text: str) -> int | None:
    text = text.upper()
    if not text or not re.fullmatch(r"[MDCLXVI]+", text):
        return None
    total, i = 0, 0
    for sym, val in _ROMAN:
        while text.startswith(sym, i):
            total += val
            i += len(sym)
    return total if i == len(text) and to_roman(total) == text else None


def parse_ayuntamiento(text: str | None) -> Parsed:
    """``"31 AVUNTAMIENT0 DE ..."`` or ``"XXXI AYUNTAMIENTO"`` -> ``"XXXI"`` (check against the catalog)."""
    folded = fold(text)
    if not folded:
        return EMPTY
    words = folded.split()
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        near = nxt.endswith("UNTAMIENTO") or nxt.startswith("AYUNT") or nxt.endswith("NTAMIENTO")
        roman = from_roman(word)
        if roman and (near or len(word) >= 2):
            return Parsed(to_roman(roman), True, not near)
        digits = digits_reading(word.rstrip("O").rstrip("A")) if near else digits_reading(word)
        if re.fullmatch(r"\d{1,2}", digits) and near:
            return Parsed(to_roman(int(digits)), True, word != digits)
    return Parsed(None, False, False, f"no council number in {text!r}")


def parse_year(text: str | None, lo: int = 1990, hi: int = 2100) -> Parsed:
    """The fiscal year printed in a line (``"PROGRAMA OPERATIVO ANUAL 2023"`` -> 2023)."""
    raw = clean_spaces(text)
    if raw is None:
        return EMPTY
    if isinstance(text, int):
        return Parsed(text)
    found = []
    for token in re.findall(r"[0-9OoIlSZB]{4}", raw):
        digits = digits_reading(token)
        if digits.isdigit() and lo <= int(digits) <= hi:
            found.append((int(digits), digits != token))
    years = {y for y, _ in found}
    if len(years) == 1:
        return Parsed(found[0][0], True, all(r for _, r in found))
    if not years:
        return Parsed(None, False, False, f"no year in {raw!r}")
    return Parsed(max(years), False, False, f"several years in {raw!r}")


_ORDINALS = {"PRIMER": 1, "PRIMERO": 1, "SEGUNDO": 2, "TERCER": 3, "TERCERO": 3, "CUARTO": 4}
_MONTHS = {
    "ENE": 1, "FEB": 2, "MAR": 3, "MZO": 3, "ABR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AGO": 8,
    "SEP": 9, "SEPT": 9, "OCT": 10, "NOV": 11, "DIC": 12,
}


def parse_trimestre(text: str | None) -> Parsed:
    """``"PRIMER AVANCE"`` -> 1, ``"FECHA: ENE-MZO 2021"`` -> 1, ``"ENE-JUN"`` -> 2."""
    folded = fold(text)
    if not folded:
        return EMPTY
    words = folded.split()
    for word in words:
        if word in _ORDINALS:
            return Parsed(_ORDINALS[word])
    for word in ("1ER", "1RO", "2DO", "3ER", "3RO", "4TO"):
        if word in words:
            return Parsed(int(word[0]))
    months = [_MONTHS[w[:4]] if w[:4] in _MONTHS else _MONTHS[w[:3]] for w in words
              if w[:3] in _MONTHS and (len(w) <= 4 or w.startswith(("ENERO", "MARZO", "JUNIO", "SEPTIEMBRE", "DICIEMBRE")))]
    if months:
        end = months[-1]
        if end % 3 == 0:
            return Parsed(end // 3, True, len(months) < 2)
        return Parsed(None, False, False, f"period ends in month {end}")
    return Parsed(None, False, False, f"no period in {text!r}")


REPORT_TYPES = ("avance_programatico", "modificacion_programatica")
_MODIFICATION_KEYS = {"meta_anual_modificada", "meta_anual_autorizada", "movimiento", "calendario"}


def parse_report_type(text: str | None, row_keys: Iterable[str] = ()) -> Parsed:
    """The form from its printed title; the table's columns decide when the title is unreadable."""
    folded = fold(text)
    if folded in REPORT_TYPES:
        return Parsed(folded.lower())
    if text in REPORT_TYPES:
        return Parsed(text)
    by_title = None
    if "MODIFICACION" in folded or "MODIFICACIONES" in folded:
        by_title = "modificacion_programatica"
    elif "AVANCE" in folded:
        by_title = "avance_programatico"
    keys = set(row_keys)
    by_rows = None
    if keys:
        by_rows = "modificacion_programatica" if keys & _MODIFICATION_KEYS else "avance_programatico"
    if by_title and by_rows and by_title != by_rows:
        return Parsed(by_rows, False, False, f"title says {by_title}, columns say {by_rows}")
    if by_title:
        return Parsed(by_title)
    if by_rows:
        return Parsed(by_rows, True, True, "from the table's columns")
    return Parsed(None, False, False, f"unknown form title {text!r}")


# The form codes printed on the two forms (the form's vocabulary, not a municipality's data).
FORM_CODES = {"TMM-F004": "avance_programatico", "TMM-F009": "modificacion_programatica"}


def parse_formato(text: str | None) -> Parsed:
    """The printed form code, ``"TMM-F004"``; look-alike letters in the digits repaired."""
    raw = clean_spaces(text)
    if raw is None:
        return EMPTY
    m = re.search(r"([A-Z]{2,5})\s*[-–]\s*([A-Z])\s*([0-9OIlSZB]{3})", raw.upper())
    if not m:
        return Parsed(raw, False, False, f"no form code in {raw!r}")
    digits = digits_reading(m.group(3))
    return Parsed(f"{m.group(1)}-{m.group(2)}{digits}", True, digits != m.group(3))


# ---------------------------------------------------------------- rows
_ROW_NUMBER = re.compile(
    r"^\s*(?P<num>M\s*[.,\-]?\s*[0-9OIlSZB]{1,3}|[0-9OIlSZB]{1,4}(?=\s*(?:[.\-)]|[,:]\s*-|,\s)|\s))(?:\s*[.,:\-–)])*\s*(?P<rest>.*)$",
    re.S,
)


def clean_row_number(text: str | None) -> str | None:
    """``"708.-"`` -> ``"708"``, ``"M.7"`` stays, ``"M 8"`` -> ``"M8"``, ``"M,7"`` (its dot read
    as a comma) -> ``"M.7"``."""
    raw = clean_spaces(text)
    if raw is None:
        return None
    raw = raw.upper().strip(" .,-–)")
    m = re.fullmatch(r"M\s*([.,\-]?)\s*([0-9OIlSZB]{1,3})", raw)
    if m:
        return "M" + ("." if m.group(1) else "") + digits_reading(m.group(2))
    return digits_reading(raw.replace(" ", "")) if re.fullmatch(r"[0-9OIlSZB ]{1,5}", raw) else raw


def leading_row_number(descripcion: str | None) -> tuple[str, str] | None:
    """The row number opening a description, as read, and the text after it:
    ``"708.-REVISAR ..."`` -> ``("708", "REVISAR ...")``, ``"M.I ENCAUSAR"`` -> ``("M.I",
    "ENCAUSAR")``; ``None`` where the text opens with a word ("O CONTRIBUIR", "MI PROGRAMA")."""
    m = _ROW_NUMBER.match(descripcion or "")
    if not m or not m.group("rest"):
        return None
    # a real digit, or an M-number by its separator ("M.I", a look-alike for its digit)
    if any(ch.isdigit() for ch in m.group("num")) or re.match(r"M\s*[.,\-]", m.group("num")):
        return m.group("num").strip(), m.group("rest")
    return None


def split_number(number: str | None, descripcion: str | None) -> tuple[str | None, str | None]:
    """Split ``"708.-REVISAR ..."`` into ``("708", "REVISAR ...")``; an M-number read with a
    look-alike for its digit (``"M.I ENCAUSAR"``) is split too, its digit read back."""
    desc = clean_spaces(descripcion)
    num = clean_row_number(number)
    lead = leading_row_number(desc)
    found = clean_row_number(lead[0]) if lead is not None else None
    if lead is not None and (num is None or num == found):
        return found, clean_spaces(lead[1])
    return num, desc


BAND_LABELS = ("META", "ACCION")  # the bands across a table that head its metas and its acciones


def band_kind(label: str | None) -> str | None:
    """``meta``/``accion`` for a band's label as read ("META", "ACCIONES"), else None."""
    printed = fold(label)
    return next((name.lower() for name in BAND_LABELS if printed.startswith(name)), None)


def row_kind(number: str | None, index: int, previous_kind: str | None = None) -> str:
    """``meta`` for M-numbers, block heads (``100``, ``300``) and the first row; ``accion`` otherwise."""
    if number and number.upper().startswith("M"):
        return "meta"
    if number and number.isdigit() and len(number) >= 3 and number.endswith("00"):
        return "meta"
    if index == 0 and not (number and number.isdigit() and not number.endswith("00") and previous_kind):
        return "meta"
    return "accion"


_MOVES = ("CUM", "AP", "AM", "S", "R", "D", "T")


def parse_movimiento(text: str | None) -> Parsed:
    """``"T / AM"`` stays ``"T / AM"``; ``"t/am"`` -> ``"T / AM"``; unknown codes are not ok."""
    raw = clean_spaces(text)
    if raw is None:
        return EMPTY
    parts = [p for p in re.split(r"\s*[/,;+]\s*|\s+", raw.upper()) if p]
    fixed = [{"0": "D", "5": "S", "8": "R", "AN": "AM", "RM": "AM"}.get(p, p) for p in parts]
    ok = bool(fixed) and all(p in _MOVES for p in fixed)
    return Parsed(" / ".join(fixed), ok, fixed != parts, "" if ok else f"unknown movement {raw!r}")


ROLES = {"ELABORO": "elaboro", "REVISO": "reviso", "AUTORIZO": "autorizo"}
ROLE_ORDER = ("elaboro", "reviso", "autorizo")


def parse_rol(text: str | None) -> Parsed:
    """``"ELABORÓ"`` -> ``"elaboro"``; a misread label is matched by its closest spelling."""
    from rapidfuzz import fuzz

    folded = fold(text).replace(" ", "")
    if not folded:
        return EMPTY
    if folded.lower() in ROLE_ORDER:
        return Parsed(folded.lower())
    best = max(ROLES, key=lambda k: fuzz.ratio(folded, k))
    score = fuzz.ratio(folded, best) / 100
    return Parsed(ROLES[best], score >= 0.75, score < 1.0, f"label score {score:.2f}")
