"""A row's líneas de acción: split the printed cell and repair merged code runs (pure).

OCR sometimes drops the separator between two codes ("2.4.4.2.4.6") or the
separator and a digit next to it ("3.2.3.5.2" for "3.2.2, 3.5.2"). A run is
segmented into codes of the catalog's shape (``x.y.z``); a component lost at
a boundary is filled from the codes the header lists (or, failing that, the
catalog), and only when exactly one code fits.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from reconcile.normalize import digits_reading
from reconcile.parse import Parsed

_SPLIT = re.compile(r"[,;\s/]+")  # a comma inside a code run is read as a separator


def code_shape(codes: Iterable[str], default: int = 3) -> int:
    """The usual number of components of a code (3 for ``7.3.1``)."""
    counts = Counter(len(c.split(".")) for c in codes if c)
    return counts.most_common(1)[0][0] if counts else default


def _piece_score(code: str, header: set[str], known: set[str]) -> float:
    if code in header:
        return 1.0
    if code in known:
        return 0.8
    return 0.2


def _fill(parts: list[str], where: str, header: set[str], known: set[str], used: set[str]) -> tuple[str | None, float]:
    """The one code that completes ``parts`` by a component at ``where`` ("start"/"end")."""
    for pool, score in ((header, 0.6), (known, 0.4)):
        fits = set()
        for code in pool - used:
            comps = code.split(".")
            if len(comps) != len(parts) + 1:
                continue
            if (where == "end" and comps[:-1] == parts) or (where == "start" and comps[1:] == parts):
                fits.add(code)
        if len(fits) == 1:
            return fits.pop(), score
        if len(fits) > 1:
            return None, 0.0
    return None, 0.0


def segment_run(comps: list[str], shape: int, header: set[str], known: set[str]) -> tuple[list[str], bool, float]:
    """Split one run of components into codes. Returns (codes, unique, score)."""
    n = len(comps)
    missing = (-n) % shape
    if missing == 0:
        codes = [".".join(comps[i:i + shape]) for i in range(0, n, shape)]
        alt = _try_fills(comps, shape, header, known, max_fills=0)
        return codes, True, sum(_piece_score(c, header, known) for c in codes) if not alt else alt[0][1]
    options = _try_fills(comps, shape, header, known, max_fills=missing)
    if not options:
        return [".".join(comps)], False, 0.0
    best_codes, best_score = options[0]
    unique = len(options) == 1 or options[1][1] < best_score - 1e-9
    return best_codes, unique, best_score


def _try_fills(comps: list[str], shape: int, header: set[str], known: set[str], max_fills: int) -> list[tuple[list[str], float]]:
    """Every segmentation with exactly ``max_fills`` filled-in components, best first."""
    results: list[tuple[list[str], float]] = []

    def walk(i: int, fills: int, acc: list[str], score: float) -> None:
        if i == len(comps):
            if fills == max_fills:
                results.append((list(acc), score))
            return
        if i + shape <= len(comps):
            code = ".".join(comps[i:i + shape])
            walk(i + shape, fills, acc + [code], score + _piece_score(code, header, known))
        if fills < max_fills and i + shape - 1 <= len(comps):
            parts = comps[i:i + shape - 1]
            for where in ("end", "start"):
                if where == "end" and i + shape - 1 == len(comps):
                    continue  # the lost component sits at a boundary between two codes
                if where == "start" and i == 0:
                    continue
                code, s = _fill(parts, where, header, known, set(acc))
                if code:
                    walk(i + shape - 1, fills + 1, acc + [code], score + s)

    walk(0, 0, [], 0.0)
    results.sort(key=lambda r: -r[1])
    # keep distinct readings only
    seen, out = set(), []
    for codes, score in results:
        key = tuple(codes)
        if key not in seen:
            seen.add(key)
            out.append((codes, score))
    return out


def split_lineas(text: str | list | None, header: Iterable[str] = (), known: Iterable[str] = ()) -> Parsed:
    """``"7.3.1, 7.3.2"`` -> ``["7.3.1", "7.3.2"]``; merged runs repaired when one reading fits."""
    if text is None:
        return Parsed([])
    if isinstance(text, list):
        text = ", ".join(str(t) for t in text if t)
    header_set, known_set = set(header), set(known)
    shape = code_shape(header_set | known_set)
    one_digit = bool(known_set | header_set) and all(len(c) == 1 for k in known_set | header_set for c in k.split("."))
    codes: list[str] = []
    ok, repaired, notes = True, False, []
    for token in _SPLIT.split(text.strip()):
        token = token.strip(".-")
        if not token:
            continue
        read = digits_reading(token)
        comps = [c for c in read.split(".") if c]
        if not comps or not all(c.isdigit() for c in comps):
            ok = False
            notes.append(f"not a code: {token!r}")
            codes.append(token)
            continue
        repaired |= read != token
        if one_digit and any(len(c) > 1 for c in comps):  # dots lost: "461.462463" -> 4 6 1 4 6 2 4 6 3
            comps = list("".join(comps))
            repaired = True
            notes.append(f"dots lost in {token!r}")
        if len(comps) == shape:
            codes.append(".".join(comps))
            continue
        run, unique, _ = segment_run(comps, shape, header_set, known_set)
        repaired = True
        if not unique or len(run) == 1 and len(comps) != shape:
            ok = False
            notes.append(f"cannot split {token!r} into one reading")
        else:
            notes.append(f"{token!r} read as {', '.join(run)}")
        codes.extend(run)
    return Parsed(codes, ok, repaired, "; ".join(notes))
