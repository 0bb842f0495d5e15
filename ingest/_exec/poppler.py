"""The only module that calls poppler (pdfinfo, and pdftoppm through pdf2image).

Argument lists, never shell strings; a timeout on every call.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

from folio.errors import MissingDependency, RejectedInput, TransientError


def probe() -> str:
    """Return pdftoppm's version line, or raise naming the Debian package to install."""
    exe = shutil.which("pdftoppm")
    if not exe or not shutil.which("pdfinfo"):
        raise MissingDependency("poppler's pdftoppm/pdfinfo not found: install the Debian package poppler-utils")
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10)
    return (out.stderr or out.stdout).splitlines()[0].strip()


def pdfinfo(path: Path, *, timeout: float) -> dict[str, str]:
    """pdfinfo's key/value lines. Raises RejectedInput for unreadable or encrypted PDFs."""
    try:
        out = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, timeout=timeout, errors="replace"
        )
    except subprocess.TimeoutExpired:
        raise TransientError(f"pdfinfo took longer than {timeout:.0f} s", code="timeout", file=path.name)
    text = out.stdout + out.stderr
    if "Incorrect password" in text or "encrypted" in text.lower() and out.returncode != 0:
        raise RejectedInput(
            "the PDF is encrypted; save an unprotected copy and upload that", code="encrypted_pdf", file=path.name
        )
    if out.returncode != 0:
        raise RejectedInput(
            "the PDF cannot be read (damaged or truncated); scan or export it again", code="corrupt_pdf", file=path.name
        )
    info: dict[str, str] = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(path: Path, *, timeout: float) -> int:
    info = pdfinfo(path, timeout=timeout)
    try:
        return int(info.get("Pages", "0"))
    except ValueError:
        raise RejectedInput("the PDF reports no pages", code="corrupt_pdf", file=path.name)


def render_page(path: Path, page: int, *, dpi: int, timeout: float) -> np.ndarray:
    """Render one PDF page as an RGB array (PPM, which is cheap to produce)."""
    try:
        images = convert_from_path(
            str(path), dpi=dpi, first_page=page, last_page=page, fmt="ppm", timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise TransientError(f"pdftoppm took longer than {timeout:.0f} s", code="timeout", file=path.name, page=page)
    except PDFInfoNotInstalledError:
        raise MissingDependency("poppler-utils is not installed")
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise RejectedInput(f"the PDF page cannot be rendered ({exc})", code="corrupt_pdf", file=path.name, page=page)
    if not images:
        raise RejectedInput("the PDF page rendered to nothing", code="corrupt_pdf", file=path.name, page=page)
    return np.asarray(images[0].convert("RGB"))
