"""The one wrapper around tesseract: in-process (tesserocr) where installed, else the CLI.

Both engines are the same libtesseract (``probe()`` checks the version), asked
the same way (page segmentation mode, whitelist, 300 dpi, no inverted-text
pass) and answering in the same formats (TSV words, makebox characters), so
callers never know which ran. The in-process engine saves tesseract's start-up
(~0.11 s of model loading per CLI call, several calls per page) and the image
encoding; the CLI (pytesseract) always works.

Every call has a timeout, runs single-threaded (``OMP_THREAD_LIMIT=1``: pages
run in parallel, tesseract's own threads only contend) and turns failures into
:class:`ocr.errors.OcrError`. Nothing else in Folio imports pytesseract or tesserocr.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

os.environ["OMP_THREAD_LIMIT"] = "1"  # before libtesseract (OpenMP) is loaded

import numpy as np  # noqa: E402
import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from ocr.errors import OcrError, OcrMissing, OcrTimeout  # noqa: E402

try:  # the in-process binding is optional (needs libtesseract-dev to build)
    import tesserocr  # noqa: E402
except ImportError:  # pragma: no cover - depends on the machine
    tesserocr = None

LANG = "spa"
DEFAULT_TIMEOUT = 60.0
_timeout = DEFAULT_TIMEOUT  # seconds per call (set_timeout: FOLIO_TESSERACT_TIMEOUT); a caller may ask for less
DIGITS = "0123456789,.%-"
_BASE_VARS = {"preserve_interword_spaces": "1", "tessedit_do_invert": "0"}
_calls = 0  # tesseract runs started by this process (the bench reports calls per page)
_engine = "auto"  # "auto" (in-process when installed), "tesserocr" or "cli"
_apis: dict[int, object] = {}


def calls() -> int:
    """How many times this process has run tesseract so far (a measure, not a control)."""
    return _calls


def use_engine(name: str) -> None:
    """Choose the engine: "auto" (in-process when tesserocr is installed), "tesserocr", "cli".
    For tests that compare the two; the service keeps "auto"."""
    global _engine
    if name not in ("auto", "tesserocr", "cli"):
        raise ValueError(f"unknown tesseract engine {name!r}")
    if name == "tesserocr" and not _inprocess_usable():
        raise OcrMissing("tesserocr is not installed, or not built against this machine's tesseract")
    _engine = name


def set_timeout(seconds: float) -> None:
    """The time limit of every tesseract call from now on (a call may ask for less); past it the
    call is stopped and raises :class:`OcrTimeout`."""
    global _timeout
    if seconds <= 0:
        raise ValueError("the tesseract timeout must be positive")
    _timeout = float(seconds)


def engine() -> str:
    """The engine calls go to now: "tesserocr" or "cli"."""
    return "tesserocr" if _engine != "cli" and _inprocess_usable() else "cli"


@functools.cache
def _inprocess_usable() -> bool:
    """The binding counts only as this machine's own engine: the same libtesseract version as the CLI,
    with the Spanish data. A binary wheel that bundles another tesseract build (and looks for its data
    elsewhere) would read differently, so the CLI is used instead (scripts/setup.sh builds it from source)."""
    if tesserocr is None:
        return False
    try:
        version = tesserocr.tesseract_version().split()[1]
        _, languages = tesserocr.get_languages()
        return version == str(pytesseract.get_tesseract_version()) and LANG in languages
    except Exception:  # noqa: BLE001 - any doubt about the binding: use the CLI
        return False


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
class Glyph:
    """One recognised character and its box (top-left origin, like words)."""

    char: str
    x0: int
    y0: int
    x1: int
    y1: int


@dataclass(frozen=True)
class Probe:
    version: str
    languages: tuple[str, ...]
    engine: str = "cli"

    @property
    def has_spa(self) -> bool:
        return LANG in self.languages


def probe() -> Probe:
    """Tesseract's version, languages and engine; raises :class:`OcrMissing` with the fix."""
    try:
        version = str(pytesseract.get_tesseract_version())
        langs = tuple(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrMissing("tesseract is not installed: install the Debian package "
                         "'tesseract-ocr' (and 'tesseract-ocr-spa')") from exc
    found = Probe(version=version, languages=langs, engine=engine())
    if not found.has_spa:
        raise OcrMissing("tesseract has no Spanish language data ('spa'): install the "
                         "Debian package 'tesseract-ocr-spa'")
    return found


def _variables(whitelist: str | None) -> dict[str, str]:
    out = dict(_BASE_VARS)
    if whitelist:
        out["tessedit_char_whitelist"] = whitelist
    return out


def _cli_config(psm: int, whitelist: str | None) -> str:
    return " ".join([f"--dpi 300 --psm {psm}", *(f"-c {k}={v}" for k, v in _variables(whitelist).items())])


def _as_pnm(image: np.ndarray) -> Image.Image:
    """A PIL image that pytesseract writes as uncompressed PGM/PPM (PNG costs ~15 ms/Mpx)."""
    pil = Image.fromarray(image)
    if pil.mode == "1":
        pil = pil.convert("L")
    pil.format = "PPM"  # PIL writes mode L as binary PGM under this name
    return pil


def _api(psm: int, whitelist: str | None):
    """One in-process engine per segmentation mode, kept for the life of the process (the
    model loads once); the whitelist is set for each call ("" allows every character)."""
    if psm not in _apis:
        try:
            _apis[psm] = tesserocr.PyTessBaseAPI(lang=LANG, psm=psm, variables=_variables(None))
        except RuntimeError as exc:
            raise OcrMissing(f"tesseract could not load '{LANG}': {exc}") from exc
    api = _apis[psm]
    api.SetVariable("tessedit_char_whitelist", whitelist or "")
    return api


def _in_process(kind: str, image: np.ndarray, psm: int, whitelist: str | None, timeout: float) -> str:
    api = _api(psm, whitelist)
    pil = Image.fromarray(image if image.dtype == np.uint8 else image.astype(np.uint8))
    if pil.mode not in ("L", "RGB"):
        pil = pil.convert("L")
    api.SetImage(pil)
    api.SetSourceResolution(300)
    try:
        if not api.Recognize(timeout=int(timeout * 1000)):
            raise OcrTimeout(timeout)
        if kind == "tsv":
            return api.GetTSVText(0)
        if kind == "box":
            return api.GetBoxText(0)
        return api.GetUTF8Text()
    finally:
        api.Clear()


def _cli(kind: str, image: np.ndarray, psm: int, whitelist: str | None, timeout: float) -> str:
    fn = {"tsv": pytesseract.image_to_data, "box": pytesseract.image_to_boxes,
          "txt": pytesseract.image_to_string}[kind]
    try:
        return fn(_as_pnm(image), lang=LANG, config=_cli_config(psm, whitelist), timeout=timeout)
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrMissing("tesseract is not installed: install the Debian package 'tesseract-ocr'") from exc
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrTimeout(timeout) from exc
        raise OcrError("ocr_failed", f"tesseract failed: {exc}") from exc
    except pytesseract.TesseractError as exc:
        raise OcrError("ocr_failed", f"tesseract failed: {exc.message}") from exc


def _run(kind: str, image: np.ndarray, psm: int, whitelist: str | None, timeout: float | None) -> str:
    global _calls
    _calls += 1
    timeout = _timeout if timeout is None else min(timeout, _timeout)
    if engine() == "tesserocr":
        return _in_process(kind, image, psm, whitelist, timeout)
    return _cli(kind, image, psm, whitelist, timeout)


def _parse_tsv(tsv: str) -> list[Word]:
    words = []
    for row in tsv.splitlines():
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue  # the header row and the page/block/paragraph/line rows
        text = parts[11].strip()
        conf = float(parts[10])
        if not text or conf < 0:
            continue
        block, par, line = int(parts[2]), int(parts[3]), int(parts[4])
        x, y, w, h = (int(v) for v in parts[6:10])
        words.append(Word(text, conf, x, y, x + w, y + h, block, par, line))
    return words


def image_to_data(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                  timeout: float | None = None) -> list[Word]:
    """Words with confidence and boxes (pixels of ``image``); empty words dropped."""
    if image.size == 0:
        return []
    return _parse_tsv(_run("tsv", image, psm, whitelist, timeout))


def image_to_string(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                    timeout: float | None = None) -> str:
    if image.size == 0:
        return ""
    return _run("txt", image, psm, whitelist, timeout)


def image_to_boxes(image: np.ndarray, *, psm: int = 6, whitelist: str | None = None,
                   timeout: float | None = None) -> list[Glyph]:
    """Characters with their boxes (tesseract gives no per-character confidence here)."""
    if image.size == 0:
        return []
    out = _run("box", image, psm, whitelist, timeout)
    h = image.shape[0]
    glyphs = []
    for row in out.splitlines():
        parts = row.split(" ")
        if len(parts) < 5:
            continue
        ch, x0, y0, x1, y1 = parts[0], *(int(v) for v in parts[1:5])
        glyphs.append(Glyph(ch, x0, h - y1, x1, h - y0))
    return glyphs
