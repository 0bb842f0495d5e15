"""Seeded layout choices for a rendered page: fonts, sizes, margins, titles."""
from __future__ import annotations

import csv
import functools
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .fonts import available_families

DPI = 300
PAGE_SIZES = {"letter": (3300, 2550), "legal": (4200, 2550)}  # landscape at 300 dpi
NARROW_FIRST = ("LiberationSansNarrow", "FreeSans", "LiberationSerif", "FreeSerif")
PREFIXES = ("C.P.", "LIC.", "DRA.", "L.C.", "C.", "ING.")
CATALOG = Path(__file__).parent / "data" / "catalog.csv"


def pt(points: float) -> int:
    """Points to pixels at 300 dpi."""
    return int(round(points * DPI / 72))


@dataclass(frozen=True)
class Style:
    seed: int
    page: str
    family: str
    body_pt: float
    head_pt: float
    title_pt: float
    margins: tuple[int, int, int, int]  # left, top, right, bottom (px)
    line_w: int
    outer_w: int
    pad: int
    min_row: int
    col_jitter: tuple[float, ...]
    shade: int | None
    la_title: str
    desc_title: str
    rel_title: str
    numeral: str          # "roman" or "arabic" in the council line
    num_sep: str          # ".- " or ".-" between a row number and its text
    header_side: bool     # lineas de accion to the right of the classification
    sig_labels: bool
    stamp: bool
    sig_gap: int
    balance: bool = False  # share the text columns' width by content (fallback only)

    @property
    def size(self) -> tuple[int, int]:
        return PAGE_SIZES[self.page]


def make_style(seed: int) -> Style:
    rng = np.random.default_rng([seed, 0x5F0110])
    fams = available_families()
    return Style(
        seed=seed,
        page=str(rng.choice(["letter", "legal"])),
        family=fams[int(rng.integers(len(fams)))],
        body_pt=float(rng.choice([7.0, 7.5, 8.0])),
        head_pt=float(rng.choice([8.0, 8.5, 9.0, 9.5])),
        title_pt=float(rng.choice([11.0, 12.0, 13.0])),
        margins=tuple(int(v) for v in rng.integers(90, 200, size=4)),
        line_w=int(rng.integers(1, 4)),
        outer_w=int(rng.integers(2, 5)),
        pad=int(rng.integers(5, 12)),
        min_row=int(rng.integers(50, 90)),
        col_jitter=tuple(float(v) for v in rng.uniform(0.8, 1.25, size=24)),
        shade=None if rng.random() < 0.5 else int(rng.integers(215, 240)),
        la_title=str(rng.choice(["L/A", "LINEA DE ACCION P.M.D."])),
        desc_title=str(rng.choice(["METAS Y ACCIONES", "DESCRIPCION DE LAS METAS/ACCIONES"])),
        rel_title=str(rng.choice(["AVANCE RELATIVO", "ACUMULADO RELATIVO"])),
        numeral=str(rng.choice(["roman", "arabic"])),
        num_sep=str(rng.choice([".- ", ".-"])),
        header_side=bool(rng.random() < 0.6),
        sig_labels=bool(rng.random() < 0.8),
        stamp=bool(rng.random() < 0.6),
        sig_gap=int(rng.integers(60, 160)),
    )


def fallbacks(style: Style):
    """Progressively more compact variants of a style, to fit a long record."""
    yield style
    if style.page != "legal":
        yield replace(style, page="legal")
    s = replace(style, page="legal")
    for body in (7.0, 6.5):
        if body < s.body_pt:
            s = replace(s, body_pt=body, head_pt=min(s.head_pt, 8.0))
            yield s
    s = replace(s, header_side=True, pad=min(s.pad, 6), min_row=40, sig_gap=60,
                margins=tuple(min(m, 110) for m in s.margins), title_pt=min(s.title_pt, 11),
                balance=True)
    yield s
    s = replace(s, body_pt=6.5, head_pt=7.5, pad=4)
    yield s
    for family in NARROW_FIRST:  # a long page is typed in a narrower face
        if family in available_families() and family != s.family:
            yield replace(s, family=family)


def prefix_for(seed: int, name: str) -> str:
    """The academic prefix printed before a signatory's name on this seed."""
    return PREFIXES[zlib.crc32(f"{seed}:{name}".encode()) % len(PREFIXES)]


ROMAN = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def roman_to_int(roman: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(roman.upper()):
        if ch not in ROMAN:
            return None
        v = ROMAN[ch]
        total += -v if v < prev else v
        prev = max(prev, v)
    return total


@functools.lru_cache(maxsize=8)
def _council_names(path: str = str(CATALOG)) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["kind"] == "ayuntamiento"}


def council_line(code: str, numeral: str) -> str:
    """The printed council line, e.g. "XXIV AYUNTAMIENTO DE ..." or "24 AYUNTAMIENTO DE ..."."""
    name = _council_names().get(code, f"{code} AYUNTAMIENTO")
    if numeral == "arabic" and name.startswith(code + " "):
        number = roman_to_int(code)
        if number:
            name = f"{number}{name[len(code):]}"
    return name
