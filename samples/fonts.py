"""Find the installed TrueType fonts the sample pages are printed with."""
from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
             Path.home() / ".fonts", Path(__file__).parent / "fonts")

# family name -> (regular file, bold file)
FAMILIES = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "DejaVuSans-Bold": ("DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "LiberationSansNarrow": ("LiberationSansNarrow-Regular.ttf",
                             "LiberationSansNarrow-Bold.ttf"),
    "FreeSans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "FreeSerif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
}

PACKAGES = "fonts-dejavu-core, fonts-liberation or fonts-freefont-ttf"


@functools.lru_cache(maxsize=None)
def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for base in FONT_DIRS:
        if base.is_dir():
            for path in sorted(base.rglob("*.ttf")):
                found.setdefault(path.name, path)
    return found


@functools.lru_cache(maxsize=None)
def available_families() -> tuple[str, ...]:
    """Families whose regular and bold files are both installed, in a fixed order."""
    idx = _index()
    fams = tuple(name for name, files in FAMILIES.items()
                 if all(f in idx for f in files))
    if not fams:
        raise RuntimeError(
            "samples: no usable TrueType font found under "
            + ", ".join(str(d) for d in FONT_DIRS)
            + f"; install one of the Debian packages {PACKAGES}")
    return fams


@functools.lru_cache(maxsize=512)
def font(family: str, px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A loaded font of `family` at `px` pixels (em size)."""
    files = FAMILIES[family]
    return ImageFont.truetype(str(_index()[files[1 if bold else 0]]), max(6, int(px)))
