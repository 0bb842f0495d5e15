"""Free text (observaciones, justificación): is the reading well formed? (pure)

A free-text cell has no catalog to vouch for it, only the reader's
confidence, and a reader can be confident about a line with one slip in it:
two words run together ("LAACCION", "BAJAASISTENCIA"), a stray or swapped
punctuation mark ("EJERCICIO," for "EJERCICIO."). Such a text is sent to
review even when the confidence is high.

The vocabulary that recognises a run-together pair is built from the catalog
(every name, spelling and title) and the record's other printed cells, plus
the short words of Spanish that join them (articles, prepositions, in ``spanish/``):
language, not facts of a municipality.
"""
from __future__ import annotations

import re
from typing import Iterable

from reconcile.normalize import strip_accents
from spanish import FUNCTION_WORDS, NO_BREAK_AFTER, ONE_LETTER, function_word_pair

# Characters of ordinary prose on a form; anything else is a misread mark.
_ODD_CHAR = re.compile(r"[^\w\s.,;:()%/\"'\-ºª°#$]|_")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
MIN_PART = 2  # each half of a run-together pair has at least this many letters
MIN_LONG_PART = 4  # and one of them at least this many (SE+DE is a word, SEDE)


def words(text: str | None) -> list[str]:
    """Folded alphabetic words (upper case, no accents)."""
    if not text:
        return []
    return _WORD.findall(strip_accents(str(text)).upper())


def vocabulary(texts: Iterable[str | None]) -> frozenset[str]:
    """Every word of the given texts, plus the function words."""
    out = set(FUNCTION_WORDS)
    for text in texts:
        out.update(w for w in words(text) if len(w) > 1 or w in ONE_LETTER)
    return frozenset(out)


def glued(word: str, vocab: frozenset[str]) -> str | None:
    """``LAACCION`` -> ``"LA ACCION"`` when the word is not known and splits into two known words."""
    if word in vocab:
        return None
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = word[:i], word[i:]
        if max(len(left), len(right)) >= MIN_LONG_PART and left in vocab and right in vocab:
            return f"{left} {right}"
    return None


def problems(text: str | None, vocab: frozenset[str]) -> list[str]:
    """Why a free text does not read as well-formed prose (empty when it does)."""
    if not text:
        return []
    out: list[str] = []
    stripped = text.strip()
    if stripped[-1:] in (",", ";", ":", "-", "/"):
        out.append(f"ends with {stripped[-1]!r}")
    elif stripped[-1:].isalnum():  # a note is written as sentences: no full stop, and its end may be lost
        out.append("does not end with a full stop: the text may be cut off")
    odd = sorted(set(_ODD_CHAR.findall(stripped)))
    if odd:
        out.append(f"odd characters {''.join(odd)!r}")
    if re.search(r"[.,;:]{2,}|\s[.,;:](?=\s|$)", stripped):
        out.append("stray punctuation")
    if re.search(r"[^\W\d_][.,;:][^\W\d_]{2}|[^\W\d_]['’`´][^\W\d_]", stripped):
        out.append("punctuation inside a word")
    if re.search(r"\d{2,}[^\W\d_]{3,}|[^\W\d_]{3,}\d{2,}", stripped):
        out.append("a number run into a word")
    out.extend(_slips(stripped))
    for token in _TOKEN.findall(stripped):
        bare = words(token.strip(".,;:()"))
        if len(bare) == 1 and len(bare[0]) == 1 and len(token.strip(".,;:()")) == 1 and bare[0] not in ONE_LETTER:
            out.append(f"lone letter {bare[0]!r}")
            continue
        for word in words(token):
            if "AA" in word and word not in vocab:
                out.append(f"{word!r}: two words run together")
            else:
                split = glued(word, vocab)
                if split:
                    out.append(f"{word!r}: {split!r} run together")
    return out


def _slips(text: str) -> list[str]:
    """Slips a confident reader still makes: a mark after an article or preposition, a lost space between
    two short words, a letter of the wrong case (``El`` in upper-case text, ``abRil``)."""
    out = []
    for m in re.finditer(r"(?<![\w.])([^\W\d_]+)[.,;:]", text):
        if strip_accents(m.group(1)).upper() in NO_BREAK_AFTER:
            out.append(f"a break after {m.group(1)!r}")
    found = [w for w in _WORD.findall(text) if len(w) >= 2]
    for word in found:
        if function_word_pair(word) is not None:
            out.append(f"{word!r}: two short words run together")
    letters = [ch for w in found for ch in w]
    upper_text = letters and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)
    if not upper_text:  # sentence case: a full stop after a whole word starts a capitalised sentence
        for m in re.finditer(r"([^\W\d_]{6,})\.\s+([a-zà-ÿ]\w*)", text):
            out.append(f"{m.group(1)}. {m.group(2)}: a full stop before a lower-case word")
    for word in found:
        if upper_text and any(ch.islower() for ch in word):
            out.append(f"{word!r}: lower case in an upper-case text")
        elif re.search(r"[^\W\d_]*[a-zà-ÿ][A-ZÀ-Þ]", word):
            out.append(f"{word!r}: a capital inside a word")
    return out


__all__ = ["FUNCTION_WORDS", "vocabulary", "glued", "problems", "words"]
