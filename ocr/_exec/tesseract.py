"""The one wrapper around tesseract (through pytesseract).

Every call has a timeout, runs single-threaded (``OMP_THREAD_LIMIT=1``: pages
run in parallel, tesseract's own threads only contend) and turns failures
into :class:`ocr.errors.OcrError`. Nothing else in Folio imports pytesseract.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

from ocr.errors import OcrError, OcrMissing, OcrTimeout

os.environ["OMP_THREAD_LIMIT"] = "1"

LANG = "spa"
DEFAULT_TIMEOUT = 60.0
DIGITS = "0123456789,.%-"
_calls = 0  # tesseract runs started by this process (the bench reports calls per page)


def calls() -> int:
    """How many times this process has run tesseract so far (a measure, not a control)."""
    return _calls


@dataclass(frozen=True)
class Word:
    """One word as tesseract read it; ``conf`` is 0..100 (tesseract's scale)."""

    text: str
    conf: float
    x0: int
    y0: int
    x1: int
    y1: int
    block: int
    par: int
    line: int

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Probe:
    version: str
    languages: tuple[str, ...]

    @property
    def has_spa(self) -> bool:
        return LANG in self.languages


def probe() -> Probe:
    """Tesseract's version and languages; raises :class:`OcrMissing` with the fix."""
    try:
        version = str(pytesseract.get_tesseract_version())
        langs = tuple(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrMissing("tesseract is not installed: install the Debian package "
                         "'tesseract-ocr' (and 'tesseract-ocr-spa')") from exc
    found = Probe(version=version, languages=langs)
    if not found.has_spa:
        raise OcrMissing("tesseract has no Spanish language data ('spa'): install the "
                         "Debian package 'tesseract-ocr-spa'")
    return found


def _config(psm: int, whitelist: str | None, extra: str) -> str:
    parts = [f"--psm {psm}", "-c preserve_interword_spaces=1", "-c tessedit_do_invert=0"]
    if whitelist:
        parts.append(f"-c tessedit_char_whitelist={whitelist}")
    if extra:
        parts.append(extra)
    return " ".join(parts)


def _as_pnm(image: np.ndarray) -> Image.Image:
    """A PIL image that pytesseract writes as uncompressed PGM/PPM (PNG costs ~15 ms/Mpx)."""
    pil = Image.fromarray(image)
    if pil.mode == "1":
        pil = pil.convert("L")
    pil.format = "PPM"  # PIL writes mode L as binary PGM under this name
    return pil


def _run(fn, image: np.ndarray, config: str, timeout: float, **kw):
    global _calls
    _calls += 1
    try:
        return fn(_as_pnm(image), lang=LANG, config=f"--dpi 300 {config}", timeout=timeout, **kw)
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrMissing("tesseract is not installed: install the Debian package 'tesseract-ocr'") from exc
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrTimeout(f"tesseract took longer than {timeout:.0f} s") from exc
        raise OcrError("ocr_failed", f"tesseract failed: {exc}") from exc
    except pytesseract.TesseractError as exc:
        raise OcrError("ocr_failed", f"tesseract failed: {exc.message}") from exc


def image_to_data(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                  extra: str = "", timeout: float = DEFAULT_TIMEOUT) -> list[Word]:
    """Words with confidence and boxes (pixels of ``image``); empty words dropped."""
    if image.size == 0:
        return []
    data = _run(pytesseract.image_to_data, image, _config(psm, whitelist, extra), timeout,
                output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        words.append(Word(text, conf, x, y, x + w, y + h,
                          int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])))
    return words


def image_to_string(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                    extra: str = "", timeout: float = DEFAULT_TIMEOUT) -> str:
    if image.size == 0:
        return ""
    return _run(pytesseract.image_to_string, image, _config(psm, whitelist, extra), timeout)


def osd_rotation(image: np.ndarray, *, timeout: float = 30.0) -> tuple[int, float] | None:
    """Tesseract's orientation guess ``(rotate_degrees, confidence)``, or None if unsure."""
    global _calls
    _calls += 1
    try:
        out = pytesseract.image_to_osd(image, config="--psm 0", timeout=timeout,
                                       output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, RuntimeError):
        return None
    return int(out.get("rotate", 0)), float(out.get("orientation_conf", 0.0))


@dataclass(frozen=True)
class Glyph:
    """One recognised character and its box (top-left origin, like words)."""

    char: str
    x0: int
    y0: int
    x1: int
    y1: int


def image_to_boxes(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                   timeout: float = DEFAULT_TIMEOUT) -> list[Glyph]:
    """Characters with their boxes (tesseract gives no per-character confidence here)."""
    if image.size == 0:
        return []
    out = _run(pytesseract.image_to_boxes, image, _config(psm, whitelist, ""), timeout)
    h = image.shape[0]
    glyphs = []
    for row in out.splitlines():
        parts = row.split(" ")
        if len(parts) < 5:
            continue
        ch, x0, y0, x1, y1 = parts[0], *(int(v) for v in parts[1:5])
        glyphs.append(Glyph(ch, x0, h - y1, x1, h - y0))
    return glyphs
