"""Text normalisation for matching (pure).

Only the form's printed vocabulary lives here (academic prefixes, OCR
character confusions); every fact of a municipality comes from the catalog.
"""
from __future__ import annotations

import re
import unicodedata

# Academic / courtesy prefixes printed before a signatory's name, longest first.
PREFIXES = (
    "M.C.", "L.C.P.", "L.A.E.", "L.A.", "L.C.", "C.P.", "MTRA.", "MTRO.", "PROFRA.", "PROFR.",
    "ARQ.", "ING.", "LIC.", "DRA.", "DR.", "SRA.", "SR.", "C.",
)
_PREFIX_KEYS = tuple(sorted({p.replace(".", "") for p in PREFIXES}, key=len, reverse=True))

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]|_")

# Characters an OCR engine mistakes for one another. Each group is a set of
# glyphs that look alike; the *digit* of a group is what it reads as in a code.
CONFUSION_GROUPS = (
    "0OoDQ", "1lI|i!", "5Ss", "8B", "6Gb", "2Zz", "4A", "9gq", "7T",
)
DIGIT_OF = {}
for _group in CONFUSION_GROUPS:
    for _ch in _group[1:]:
        DIGIT_OF.setdefault(_ch, _group[0])
# Digit pairs that are easily misread for one another.
DIGIT_CONFUSIONS = frozenset({
    frozenset(p) for p in (
        "35", "38", "58", "68", "69", "89", "17", "14", "01", "06", "08", "09", "13", "27", "23",
    )
})
_CONFUSABLE = {}
for _group in CONFUSION_GROUPS:
    for _a in _group:
        _CONFUSABLE.setdefault(_a, set()).update(_group)
for _pair in DIGIT_CONFUSIONS:
    _a, _b = tuple(_pair)
    _CONFUSABLE.setdefault(_a, set()).add(_b)
    _CONFUSABLE.setdefault(_b, set()).add(_a)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str | None) -> str:
    """Upper case, no accents, punctuation as space, single spaces."""
    if not text:
        return ""
    out = strip_accents(text).upper()
    out = _PUNCT.sub(" ", out)
    return _SPACE.sub(" ", out).strip()


def clean_spaces(text: str | None) -> str | None:
    """Fold runs of white space; ``None`` and blank become ``None``."""
    if text is None:
        return None
    out = _SPACE.sub(" ", str(text)).strip()
    return out or None


def split_prefix(name: str | None) -> tuple[str | None, str]:
    """``"C.P. ERNESTO ..."`` -> ``("C.P.", "ERNESTO ...")``; any case, dots optional on long forms."""
    tokens = (clean_spaces(name) or "").split(" ")
    taken: list[str] = []
    while len(tokens) > 1:
        key = tokens[0].replace(".", "").upper()
        dotted = "." in tokens[0]
        if key not in _PREFIX_KEYS or not (dotted or len(key) >= 3 or key in ("DR",)):
            break
        taken.append(tokens.pop(0))
    return (" ".join(taken) or None), " ".join(tokens)


LETTER_OF = {"0": "O", "1": "I", "5": "S", "8": "B", "4": "A", "6": "G", "2": "Z", "7": "T"}


def letters_reading(folded: str) -> str:
    """In words that are mostly letters, read look-alike digits as letters (``USUARIO5`` -> ``USUARIOS``)."""
    words = []
    for word in folded.split(" "):
        letters = sum(ch.isalpha() for ch in word)
        if letters and letters >= len(word) - 2 and not word.isdigit():
            word = "".join(LETTER_OF.get(ch, ch) for ch in word)
        words.append(word)
    return " ".join(words)


def is_confusable(a: str, b: str) -> bool:
    """Two characters an OCR engine may mistake for one another."""
    return a == b or b in _CONFUSABLE.get(a, ()) or a.upper() == b.upper()


def code_chars(text: str | None) -> str:
    """A code as printed, without spaces, upper case (``" 71 948"`` -> ``"71948"``)."""
    return re.sub(r"\s+", "", text or "").upper()


def digits_reading(text: str) -> str:
    """Read look-alike letters as the digits they resemble (``"l3"`` -> ``"13"``)."""
    return "".join(DIGIT_OF.get(ch, ch) for ch in text)
