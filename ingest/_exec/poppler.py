"""The only module that calls poppler (pdfinfo, pdftoppm, pdfimages).

Argument lists, never shell strings; a timeout on every call. Each program
runs in its own process group, and on a timeout the whole group is killed
(a program that forked leaves nothing behind holding the worker), then
:class:`ProgramTimeout` says which program, on which file and page.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from folio.errors import MissingDependency, ProgramTimeout, RejectedInput

_SIZE = re.compile(r"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_BOX = re.compile(r"^Page\s+\d+\s+(MediaBox|CropBox):\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", re.M)


def probe() -> str:
    """Return pdftoppm's version line, or raise naming the Debian package to install."""
    exe = shutil.which("pdftoppm")
    if not exe or not shutil.which("pdfinfo") or not shutil.which("pdfimages"):
        raise MissingDependency("poppler's pdftoppm/pdfinfo/pdfimages not found: install the Debian package "
                                "poppler-utils")
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10)
    return (out.stderr or out.stdout).splitlines()[0].strip()


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: bytes
    stderr: str


def run(args: list[str], *, timeout: float, file: str, page: int | None = None) -> Done:
    """Run a poppler program; on a timeout kill its whole process group and raise ProgramTimeout."""
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except FileNotFoundError:
        raise MissingDependency(f"{args[0]} not found: install the Debian package poppler-utils")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ProgramTimeout(args[0], timeout, file=file, page=page)
    return Done(proc.returncode, out, err.decode("utf-8", "replace"))


def _truncated(path: Path) -> bool:
    """A PDF's objects, but no end-of-file marker in its last kilobyte: the file was cut short."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    return b"%%EOF" not in tail and re.search(rb"\d+\s+\d+\s+obj\b", head) is not None


def pdfinfo_text(path: Path, *, timeout: float, page: int | None = None) -> str:
    """pdfinfo's output (with ``page``: that page's sizes and boxes too).

    Raises RejectedInput for encrypted, truncated and unreadable PDFs."""
    args = ["pdfinfo"] + (["-f", str(page), "-l", str(page), "-box"] if page else []) + [str(path)]
    done = run(args, timeout=timeout, file=path.name, page=page)
    text = done.stdout.decode("utf-8", "replace")
    if "Incorrect password" in done.stderr or ("encrypted" in done.stderr.lower() and done.returncode != 0):
        raise RejectedInput(
            "the PDF is encrypted (password-protected); open it with its password, save or print an "
            "unprotected copy, and upload that", code="encrypted_pdf", file=path.name)
    if done.returncode != 0:
        if _truncated(path):
            raise RejectedInput(
                "the PDF is cut short (it stops before its end: an interrupted download, copy or upload); "
                "copy or export the file again and upload the complete file", code="truncated_pdf", file=path.name)
        first = next((ln for ln in done.stderr.splitlines() if ln.strip()), "no reason given")
        raise RejectedInput(
            f"the PDF cannot be read, it is damaged ({first.strip()[:120]}); export or scan it again",
            code="corrupt_pdf", file=path.name)
    return text


def pdfinfo(path: Path, *, timeout: float) -> dict[str, str]:
    """pdfinfo's key/value lines."""
    info: dict[str, str] = {}
    for line in pdfinfo_text(path, timeout=timeout).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(path: Path, *, timeout: float) -> int:
    info = pdfinfo(path, timeout=timeout)
    try:
        return int(info.get("Pages", "0"))
    except ValueError:
        raise RejectedInput("the PDF reports no pages; export or scan it again", code="corrupt_pdf", file=path.name)


def page_size(path: Path, page: int, *, timeout: float) -> tuple[float, float]:
    """Page ``page``'s width and height in points (1/72 inch): the largest of its size, media and crop
    boxes, so the check before rendering never underestimates what pdftoppm would draw."""
    text = pdfinfo_text(path, timeout=timeout, page=page)
    sizes = [(float(w), float(h)) for w, h in _SIZE.findall(text)]
    sizes += [(abs(float(x1) - float(x0)), abs(float(y1) - float(y0))) for _, x0, y0, x1, y1 in _BOX.findall(text)]
    if not sizes:
        raise RejectedInput(f"the PDF has no page {page} (or it has no size); export or scan it again",
                            code="corrupt_pdf", file=path.name, page=page)
    return max(w for w, _ in sizes), max(h for _, h in sizes)


def page_images(path: Path, page: int, *, timeout: float) -> list[tuple[float, float]] | None:
    """The images drawn on page ``page``: each one's size on the page in inches, its pixels
    over its resolution (``pdfimages -list``; masks left out). None when pdfimages fails."""
    done = run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)],
               timeout=timeout, file=path.name, page=page)
    if done.returncode != 0:
        return None
    sizes = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[2:]:
        f = line.split()
        if len(f) < 14 or f[2] != "image":
            continue
        try:
            width, height, x_ppi, y_ppi = int(f[3]), int(f[4]), float(f[12]), float(f[13])
        except ValueError:
            continue
        if x_ppi > 0 and y_ppi > 0:
            sizes.append((width / x_ppi, height / y_ppi))
    return sizes


def render_page(path: Path, page: int, *, dpi: int, timeout: float) -> np.ndarray:
    """Render one PDF page as an RGB array (PPM on stdout, which is cheap to produce)."""
    done = run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(path)],
               timeout=timeout, file=path.name, page=page)
    try:
        image = Image.open(io.BytesIO(done.stdout))
        image.load()
    except Exception:  # noqa: BLE001 - nothing usable on stdout, whatever Pillow says about it
        first = next((ln for ln in done.stderr.splitlines() if ln.strip()), f"exit status {done.returncode}")
        raise RejectedInput(f"the PDF page cannot be drawn ({first.strip()[:120]}); export or scan it again",
                            code="corrupt_pdf", file=path.name, page=page)
    return np.asarray(image.convert("RGB"))
