"""Words of Spanish that are language, not facts of a municipality (pure data).

Both halves of the core need them and may not import each other: ``ocr/`` to drop a
mark a fax or a speck put after an article ("CONCLUIR AL. CIERRE"), ``reconcile/``
to tell a well-formed free text from one with two words run together.
"""
from __future__ import annotations

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
# Spanish words that happen to be two function words run together (ALA, a wing, is left out: in a report
# it is "A LA" far more often); any other such pair is a lost space ("DEBIDO ALA", "DELA", "Nose alcanza").
REAL_PAIRS = frozenset("""
ALLA ALO ASI AUN AUNA CONO CUALES DEMAS DESE ELE ELLA ELLAS ELLO ELLOS ENE ENTRENO ESE HAY HAYA
LOMAS LOSA MASA OLA OLAS PORO PORQUE QUEDE QUIENES SEA SEDE SENO SINO SUMAS SUYA UNA UNO YA YO
""".split())

__all__ = ["FUNCTION_WORDS", "ONE_LETTER", "NO_BREAK_AFTER", "REAL_PAIRS"]
