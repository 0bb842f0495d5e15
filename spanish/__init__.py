"""Words of Spanish that are language, not facts of a municipality (pure data).

Both halves of the core need them and may not import each other: ``ocr/`` to drop a
mark a fax or a speck put after an article ("CONCLUIR AL. CIERRE") and to part two
words a lost space ran together ("DELA"), ``reconcile/`` to tell a well-formed free
text from one with two words run together.
"""
from __future__ import annotations

import unicodedata

# Spanish function words: the glue between a text's words.
FUNCTION_WORDS = frozenset("""
A AL LA LAS EL LOS LO UN UNA UNOS UNAS DE DEL EN CON POR PARA SIN SOBRE ENTRE HASTA DESDE
SE SU SUS QUE Y E O U NO SI YA MAS MUY ES SON FUE HA HAN QUIEN CUAL CUANDO COMO DONDE PORQUE
""".split())
# One-letter words of Spanish; any other lone letter is a speck or a split word.
ONE_LETTER = frozenset("AEOUY")
# Words a Spanish sentence or clause never ends or breaks on ("CONCLUIR AL." is "AL" and a misread mark).
NO_BREAK_AFTER = frozenset("""
AL LA LAS EL LOS UN UNA UNOS UNAS DE DEL EN CON POR PARA SIN SOBRE ENTRE HASTA DESDE QUE SU SUS SE
""".split())
# Spanish words that happen to be two function words run together, folded (ANO is AÑO read without its
# tilde; ALA and ALAS, wings, and ALO, a greeting on the telephone, are left out: in a report they are
# "A LA", "A LAS", "A LO" far more often); any other such pair is a lost space ("DEBIDO ALA", "DELA",
# "Nose alcanza").
REAL_PAIRS = frozenset("""
ADONDE ALLA AMAS ANO ASI AUN AUNA AYA CONO CUALES DELE DEMAS DESE ELE ELLA ELLAS ELLO ELLOS ENE
ENTRENO ESA ESE ESO FUESE HALO HAY HAYA LOA LOMAS LOSA MASA OLA OLAS PORO PORQUE QUEDE QUEMAS QUIENES
SEA SEDE SENO SINO SUMAS SUYA SUYO UNA UNE UNEN UNO USE YA YO
""".split())
# Function words ending in A, after which a word opening with A was run on: no Spanish word opens
# with AA ("LAATENCIÓN" is "LA ATENCIÓN").
_BEFORE_A = ("LA", "UNA", "PARA")
_MIN_REST = 4  # letters of the word run on after them


def _fold(word: str) -> str:
    """Upper case without accents, letter for letter (the same length as the word)."""
    return "".join(unicodedata.normalize("NFKD", c)[0] for c in word).upper()


def function_word_pair(word: str) -> int | None:
    """Where a word is two function words run together that make no word ("DELA", "ALOS";
    not "SINO", see :data:`REAL_PAIRS`): the split's index, or None."""
    return _pair_at(_fold(word))


def _pair_at(folded: str) -> int | None:
    if folded in FUNCTION_WORDS or folded in REAL_PAIRS:
        return None
    return next((i for i in range(1, len(folded)) if folded[:i] in FUNCTION_WORDS and folded[i:] in FUNCTION_WORDS),
                None)


def lost_space(word: str) -> int | None:
    """Where a word is two words run together that Spanish alone tells apart: two function
    words (:func:`function_word_pair`), or a function word ending in A before a word
    opening with A ("LAATENCIÓN"; a lone A is left out: AARÓN is a name). The split's
    index, or None."""
    if len(word) < 3:  # two letters read apart from the rest are a misreading sooner than two words
        return None
    folded = _fold(word)
    at = _pair_at(folded)
    if at is not None:
        return at
    return next((len(b) for b in _BEFORE_A if folded.startswith(b + "A") and len(folded) - len(b) >= _MIN_REST),
                None)


__all__ = ["FUNCTION_WORDS", "ONE_LETTER", "NO_BREAK_AFTER", "REAL_PAIRS", "function_word_pair", "lost_space"]
