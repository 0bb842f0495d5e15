"""Input files: kind by magic bytes, page counts, and one page at a time as an image."""
from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image, ImageOps

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

    @classmethod
    def from_settings(cls) -> "Limits":
        """The limits as configured (docs/input-limits.md); needs Django's settings, not its database."""
        from django.conf import settings

        return cls(max_megabytes=settings.FOLIO_MAX_UPLOAD_MB, max_pages=settings.FOLIO_MAX_PAGES,
                   max_megapixels=settings.FOLIO_MAX_MEGAPIXELS, dpi=settings.FOLIO_RENDER_DPI,
                   timeout=settings.FOLIO_POPPLER_TIMEOUT)


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the scan files inside folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


# What a file that is not a scan is, told by its first bytes, so the message can say so.
_NOT_SCANS = (
    (b"PK\x03\x04", "a ZIP archive (Word and Excel files are ZIP archives too)",
     "if it holds scans, unpack it and upload the scans; print a document to PDF first"),
    (b"PK\x05\x06", "an empty ZIP archive", "upload the scans themselves"),
    (b"MZ", "a Windows program", "programs are never read; upload the scan itself"),
    (b"\x7fELF", "a program (ELF executable)", "programs are never read; upload the scan itself"),
    (b"#!", "a script", "programs are never read; upload the scan itself"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)", "print it to PDF and upload that"),
    (b"Rar!", "a RAR archive", "unpack it and upload the scans inside"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it and upload the scans inside"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and upload the scans inside"),
    (b"GIF8", "a GIF image", "save it as PNG or PDF and upload that"),
    (b"II+\x00", "a BigTIFF image", "save it as an ordinary TIFF, PNG or PDF and upload that"),
    (b"MM\x00+", "a BigTIFF image", "save it as an ordinary TIFF, PNG or PDF and upload that"),
    (b"{\\rtf", "an RTF document", "print it to PDF and upload that"),
)
_HTML = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<?xml", b"<svg")


def _not_a_scan(head: bytes) -> tuple[str, str] | None:
    """(what the file is, what to do) for the kinds of non-scans people upload by mistake."""
    for magic, what, todo in _NOT_SCANS:
        if head.startswith(magic):
            return what, todo
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "an HEIC photo (an iPhone's format)", "save or export it as JPEG or PDF and upload that"
    if head.startswith(b"BM") and len(head) > 18 and head[14] in (12, 40, 52, 56, 64, 108, 124):
        return "a BMP image", "save it as PNG or PDF and upload that"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image", "save it as PNG or PDF and upload that"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(_HTML) or any(tag in text[:1024] for tag in (b"<html", b"<body")):
        return "a web page (HTML)", "download the scan itself, not the page that links to it"
    return None


def sniff(path: Path, *, name: str | None = None) -> str:
    """The file's kind from its first bytes (never from its name; ``name``, as given, is only quoted)."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise RejectedInput("the file is empty (0 bytes): the upload or copy did not finish; upload the scan again",
                            code="empty_file", file=path.name)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # PDFs may carry a few bytes of junk before the header
        return "pdf"
    suffix = Path(name or path.name).suffix
    named = f" (although its name ends in {suffix})" if suffix.lower() in SUFFIXES else ""
    found = _not_a_scan(head)
    if found:
        what, todo = found
        raise RejectedInput(f"the file is {what}, not a scan{named}; Folio reads PDF, TIFF, JPEG and PNG: {todo}",
                            code="unsupported_format", file=path.name)
    raise RejectedInput(
        f"the file is not a PDF, TIFF, JPEG or PNG file{named}: its first bytes are none of those; "
        "upload the scan in one of those formats",
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
    """A display name that can never be a path: last component, printable, bounded (its suffix kept).

    Only ever shown: originals are stored by content (sha256), never under a name given to us."""
    name = name.replace("\x00", "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" ._") or "unnamed"
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and stem and len(suffix) <= 5 else ""
        name = name[:MAX_NAME - len(keep)].rstrip(" .") + keep
    return name


MAX_NAME = 120


def check_size(path: Path, limits: Limits, *, name: str) -> None:
    """Refuse a file over ``limits.max_megabytes`` before anything of it is read."""
    size = path.stat().st_size
    if size > limits.max_megabytes * 1024 * 1024:
        raise RejectedInput(
            f"the file is {size / 2**20:.0f} MB, more than the limit of {limits.max_megabytes} MB "
            f"(FOLIO_MAX_UPLOAD_MB); split it into smaller files, or scan at a lower resolution",
            code="too_large", file=name,
        )


def count_pages(path: Path, kind: str, limits: Limits) -> int:
    """Pages in the file, refused above ``limits.max_pages`` (found without reading more than that)."""
    if kind == "pdf":
        n = poppler.page_count(path, timeout=limits.timeout)
    elif kind == "tiff":
        n = len(tiff_pages(path, limits.max_pages + 1))
        _open_image(path, limits).close()  # Pillow must be able to open it, too
    else:
        _open_image(path, limits).close()
        n = 1
    if n < 1:
        raise RejectedInput("the file holds no pages; export or scan it again", code="no_pages", file=path.name)
    if n > limits.max_pages:
        shown = f"more than {limits.max_pages}" if kind == "tiff" else str(n)
        raise RejectedInput(
            f"the file has {shown} pages, more than the limit of {limits.max_pages} per file "
            f"(FOLIO_MAX_PAGES); split it into files of at most {limits.max_pages} pages and upload those",
            code="too_many_pages",
            file=path.name,
        )
    return n


def tiff_pages(path: Path, cap: int) -> list[int]:
    """Offsets of a TIFF's page directories (IFDs), at most ``cap`` of them, in bounded time.

    A damaged or hostile TIFF can chain its directories in a loop (Pillow quietly stops at a repeat)
    or point outside the file; either is refused as damaged."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise RejectedInput("the TIFF is cut short (no page directory); scan or export it again",
                                code="corrupt_image", file=path.name)
        end = "<" if head[:2] == b"II" else ">"
        offset = struct.unpack(end + "I", head[4:8])[0]
        seen: list[int] = []
        known: set[int] = set()
        while offset and len(seen) < cap:
            if offset in known:
                raise RejectedInput(
                    f"the TIFF's list of pages loops back on itself (page {len(seen)} leads to page "
                    f"{seen.index(offset) + 1} again): the file is damaged; scan or export it again",
                    code="corrupt_image", file=path.name)
            if offset < 8 or offset + 2 > size:
                raise RejectedInput(
                    f"the TIFF's page {len(seen) + 1} lies outside the file (it is damaged or cut short); "
                    "scan or export it again", code="corrupt_image", file=path.name)
            seen.append(offset)
            known.add(offset)
            fh.seek(offset)
            count = struct.unpack(end + "H", fh.read(2))[0]
            fh.seek(offset + 2 + 12 * count)
            raw = fh.read(4)
            if len(raw) < 4:
                raise RejectedInput(
                    f"the TIFF's page {len(seen)} is cut short (the file is damaged or incomplete); "
                    "scan or export it again", code="corrupt_image", file=path.name)
            offset = struct.unpack(end + "I", raw)[0]
    return seen


def _pillow_limit(limits: Limits) -> None:
    """Pillow refuses images above twice this (DecompressionBombError) wherever it opens one."""
    Image.MAX_IMAGE_PIXELS = int(limits.max_megapixels * 1_000_000)


def _too_many_pixels(path: Path, page: int, megapixels: float, limits: Limits, size: str = "") -> RejectedInput:
    return RejectedInput(
        f"the page is {size}{megapixels:,.0f} megapixels, more than the limit of {limits.max_megapixels} "
        f"(FOLIO_MAX_MEGAPIXELS); a report page is letter or legal size: scan it at {limits.dpi} dpi or less, "
        f"or export it at its real size, and upload that", code="too_many_pixels", file=path.name, page=page)


def _open_image(path: Path, limits: Limits = Limits()) -> Image.Image:
    _pillow_limit(limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked per page in load_page
            return Image.open(path)
    except Image.DecompressionBombError as exc:  # more than twice the limit: Pillow would not even open it
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(path, 1, int(pixels.group(1)) / 1e6 if pixels else float("inf"), limits)
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on a malformed file
        raise RejectedInput(f"the image cannot be read, it is damaged ({without_paths(exc)}); scan it again",
                            code="corrupt_image", file=path.name)


def without_paths(exc: Exception) -> str:
    """An exception's text for people who upload: this machine's paths taken out, bounded.

    (Operators get the whole exception in the log.)"""
    text = str(exc).replace(str(Path.cwd()), "").strip() or type(exc).__name__
    return re.sub(r" ?'/[^']*'", "", text)[:160]


MIN_DPI = 100  # a resolution recorded below this is no scanner's (phones and editors write 72): guessed instead
MAX_DPI = 1200  # nor above this (a crafted file could say a billion): guessed instead


SCANNED_SHARE = 0.5  # a PDF page whose images cover this share of it is a scan


def drawn_page(path: Path, kind: str, number: int, limits: Limits) -> bool:
    """Is page ``number`` drawn from text and shapes (a PDF exported by the program that
    wrote the report), not scanned? Its images together (a scanner may store a page in
    strips) cover less than :data:`SCANNED_SHARE` of it.
    Its print is then never a fax's, however black its letters (the reader needs telling:
    rendered, it has pure white paper and pure black print, as a fax has). A page pdfimages
    cannot list is taken for a scan: read as one, nothing on it is trusted more than it was."""
    if kind != "pdf":
        return False
    width_pt, height_pt = poppler.page_size(path, number, timeout=limits.timeout)
    area = (width_pt / 72) * (height_pt / 72)
    images = poppler.page_images(path, number, timeout=limits.timeout)
    return images is not None and sum(w * h for w, h in images) < SCANNED_SHARE * area


def load_page(path: Path, kind: str, number: int, limits: Limits) -> tuple[np.ndarray, int]:
    """Page ``number`` (1-based) as an RGB or grayscale array, and its resolution in dpi.

    The page's size is checked against ``limits.max_megapixels`` before it is decoded or rendered:
    a PDF page's size (pdfinfo) at the rendering resolution, an image's pixels as the reader will see
    them (an image below the rendering resolution is enlarged to it first)."""
    if kind == "pdf":
        width_pt, height_pt = poppler.page_size(path, number, timeout=limits.timeout)
        megapixels = (width_pt / 72 * limits.dpi) * (height_pt / 72 * limits.dpi) / 1e6
        if megapixels > limits.max_megapixels:
            raise _too_many_pixels(path, number, megapixels, limits,
                                   f"{width_pt / 72:,.1f} x {height_pt / 72:,.1f} inches: at {limits.dpi} dpi ")
        return poppler.render_page(path, number, dpi=limits.dpi, timeout=limits.timeout), limits.dpi
    image = _open_image(path, limits)
    try:
        with image:
            if number > 1:
                image.seek(number - 1)
            width, height = image.size
            recorded = float(image.info.get("dpi", (0, 0))[0] or 0)
            dpi = recorded if MIN_DPI <= recorded <= MAX_DPI else _guess_dpi(width, height)
            scale = limits.dpi / dpi if dpi < 0.9 * limits.dpi else 1.0
            megapixels = width * height * scale * scale / 1e6
            if megapixels > limits.max_megapixels:
                size = f"{width:,} x {height:,} pixels" + (f" at {dpi:g} dpi: at {limits.dpi} dpi " if scale > 1 else ", ")
                raise _too_many_pixels(path, number, megapixels, limits, size)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                upright = ImageOps.exif_transpose(image) if kind == "jpeg" else image
                mode = "L" if upright.mode in ("1", "L", "I;16", "I") else "RGB"
                array = np.asarray(upright.convert(mode))
    except RejectedInput:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on a malformed file
        raise RejectedInput(f"the image cannot be decoded, it is damaged or cut short ({without_paths(exc)}); "
                            "scan it again, or copy the complete file", code="corrupt_image",
                            file=path.name, page=number)
    return array, int(round(dpi))


def _guess_dpi(width: int, height: int) -> int:
    """No plausible dpi recorded: assume a letter/legal landscape page's long side is 11-14 inches."""
    return max(MIN_DPI, min(600, int(round(max(width, height) / 11.0))))
