"""Input files: kind by magic bytes, page counts, and one page at a time as an image."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from folio.errors import RejectedInput
from ingest._exec import poppler

SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


@dataclass(frozen=True)
class Limits:
    max_megabytes: int = 200
    max_pages: int = 500
    max_megapixels: int = 60
    dpi: int = 300
    timeout: float = 120.0


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the scan files inside folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def sniff(path: Path) -> str:
    """The file's kind from its first bytes (never from its name)."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise RejectedInput("the file is empty (0 bytes); upload the scan again", code="empty_file", file=path.name)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # PDFs may carry a few bytes of junk before the header
        return "pdf"
    raise RejectedInput(
        "not a PDF, TIFF, JPEG or PNG file; upload the scan in one of those formats",
        code="unsupported_format",
        file=path.name,
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """A display name that can never be a path: last component, printable, bounded."""
    name = name.replace("\x00", "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" .") or "unnamed"
    return name[:120]


def count_pages(path: Path, kind: str, limits: Limits) -> int:
    if kind == "pdf":
        n = poppler.page_count(path, timeout=limits.timeout)
    else:
        n = getattr(_open_image(path), "n_frames", 1)
    if n < 1:
        raise RejectedInput("the file holds no pages", code="no_pages", file=path.name)
    if n > limits.max_pages:
        raise RejectedInput(
            f"the file has {n} pages, more than the limit of {limits.max_pages}; split it into smaller files",
            code="too_many_pages",
            file=path.name,
        )
    return n


def _open_image(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise RejectedInput(f"the image cannot be read ({exc}); scan it again", code="corrupt_image", file=path.name)


def load_page(path: Path, kind: str, number: int, limits: Limits) -> tuple[np.ndarray, int]:
    """Page ``number`` (1-based) as an RGB or grayscale array, and its resolution in dpi."""
    if kind == "pdf":
        return poppler.render_page(path, number, dpi=limits.dpi, timeout=limits.timeout), limits.dpi
    image = _open_image(path)
    try:
        image.seek(number - 1)
        megapixels = image.width * image.height / 1e6
        if megapixels > limits.max_megapixels:
            raise RejectedInput(
                f"the image is {megapixels:.0f} megapixels, more than the limit of {limits.max_megapixels}; "
                "scan at 300 dpi or less",
                code="too_many_pixels",
                file=path.name,
                page=number,
            )
        dpi = image.info.get("dpi", (0, 0))[0] or 0
        image = ImageOps.exif_transpose(image) if kind == "jpeg" else image
        mode = "L" if image.mode in ("1", "L", "I;16", "I") else "RGB"
        array = np.asarray(image.convert(mode))
    except RejectedInput:
        raise
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise RejectedInput(f"the image cannot be decoded ({exc}); scan it again", code="corrupt_image",
                            file=path.name, page=number)
    return array, int(round(float(dpi))) or _guess_dpi(array)


def _guess_dpi(array: np.ndarray) -> int:
    """No dpi recorded: assume a letter/legal landscape page's long side is 11-14 inches."""
    long_side = max(array.shape[:2])
    return max(100, min(600, int(round(long_side / 11.0))))
