"""Hostile and broken input files (issue 7): one small file per row of the matrix.

    build(folder) -> list[(Row, Path)]   every row's file written into ``folder``
    ROWS                                 the rows, in the order of the matrix

Each builder writes one file, small and fast: the 5,000-page PDF and the
200-inch page are hand-written PDFs of a few hundred KB; the 50,000 x 50,000
PNG is a few KB of compressed zeros; the looping TIFF is a real TIFF whose last
page directory points back at its first. The report-like rows (a JPEG named
.pdf and the reverse, the PNG+HTML polyglot) and the good page hold one
rendered sample report page, so they must be read like any scan.

``folio samples hostile --out DIR`` writes them, runs the real pipeline on
them in one batch and prints what each returned (folio/commands.py).
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

GOOD = "good-report.png"  # a plain sample report page: read fine beside the hostile rows
HTML = (b"<!DOCTYPE html>\n<html><head><title>Informe</title></head>\n<body><h1>Avance programatico</h1>"
        b"<script>alert(document.cookie)</script></body></html>\n")


@dataclass(frozen=True)
class Row:
    name: str  # the matrix row
    file: str  # the file it writes (names chosen so the extension lies where the row says so)
    build: Callable[[Path], None]
    what: str  # the row, in words


# ---- the report page, rendered once ----------------------------------------------------------

@lru_cache(maxsize=1)
def report_image() -> Image.Image:
    """One bundled sample report page as a clean 300 dpi scan (RGB)."""
    from samples.generate import bundled_records, render_page
    from samples.scan import scan_page

    page = render_page(bundled_records()[0], 1)
    return scan_page(page, "clean300", np.random.default_rng(1), 0).convert("RGB")


def _image_bytes(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def report_pdf() -> bytes:
    return _image_bytes(report_image(), "PDF", resolution=300.0)


def report_jpeg() -> bytes:
    return _image_bytes(report_image(), "JPEG", quality=90, dpi=(300, 300))


# ---- hand-written PDFs -----------------------------------------------------------------------

def pdf(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _pages_pdf(n: int, width_pt: float = 612, height_pt: float = 792) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] >>" % (width_pt, height_pt)
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
                *[page] * n])


def pdf_5000_pages(path: Path) -> None:
    path.write_bytes(_pages_pdf(5000))


def pdf_200_inch_page(path: Path) -> None:
    path.write_bytes(_pages_pdf(1, 200 * 72, 200 * 72))  # 14,400 pt square: 60,000 px a side at 300 dpi


def encrypted_pdf(path: Path) -> None:
    """Standard security handler (RC4, revision 2) with a user password nobody gave us."""
    o, u, ident = (bytes(range(i, i + 32)).hex().encode() for i in (7, 91, 160))
    path.write_bytes(pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -3904 >>" % (o, u),
    ], trailer=b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (ident[:32], ident[:32])))


def truncated_pdf(path: Path) -> None:
    """A report PDF cut at 60 %: an interrupted download or copy."""
    data = report_pdf()
    path.write_bytes(data[: len(data) * 6 // 10])


# ---- files that are not scans at all ----------------------------------------------------------

def zero_byte(path: Path) -> None:
    path.write_bytes(b"")


def html_named_pdf(path: Path) -> None:
    path.write_bytes(HTML)


def zip_named_pdf(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("informe/scan-01.txt", "the scans are inside")
    path.write_bytes(buf.getvalue())


def exe_named_pdf(path: Path) -> None:
    """The start of a Windows program (MZ header, DOS stub, PE signature)."""
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    head = bytearray(b"MZ" + b"\x90\x00\x03\x00" + b"\x00" * 54)
    head[0x3C:0x40] = struct.pack("<I", 0x80)
    body = bytes(head) + stub.ljust(0x80 - len(head), b"\x00") + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 250
    path.write_bytes(body)


# ---- the right file under the wrong name ------------------------------------------------------

def jpeg_named_pdf(path: Path) -> None:
    path.write_bytes(report_jpeg())


def pdf_named_jpg(path: Path) -> None:
    path.write_bytes(report_pdf())


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_html_polyglot(path: Path) -> None:
    """A valid PNG of the report page that is also an HTML page: markup in a text chunk (within the
    first kilobyte, where browsers sniff) and appended after the image's end."""
    info = PngInfo()
    info.add_text("Comment", HTML.decode())
    png = _image_bytes(report_image().convert("L"), "PNG", pnginfo=info, dpi=(300, 300), compress_level=3)
    path.write_bytes(png + HTML)


# ---- TIFF page directories -------------------------------------------------------------------

def _tiff(frames: list[Image.Image], **kw) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], **kw)
    return buf.getvalue()


def tiff_ifd_offsets(data: bytes) -> list[int]:
    """Offsets of a TIFF's page directories, in chain order (stops at a repeat)."""
    end = "<" if data[:2] == b"II" else ">"
    offset, seen = struct.unpack(end + "I", data[4:8])[0], []
    while offset and offset not in seen and offset + 2 <= len(data):
        seen.append(offset)
        count = struct.unpack(end + "H", data[offset:offset + 2])[0]
        offset = struct.unpack(end + "I", data[offset + 2 + 12 * count:offset + 6 + 12 * count])[0]
    return seen


def tiff_1000_frames(path: Path) -> None:
    frames = [Image.new("1", (16, 16), 1) for _ in range(1000)]
    path.write_bytes(_tiff(frames, compression="group4"))


def tiff_ifd_loop(path: Path) -> None:
    """Three pages whose last directory's next-directory offset points back at the first."""
    frames = [Image.new("L", (64, 64), v) for v in (255, 250, 245)]
    data = bytearray(_tiff(frames))
    ifds = tiff_ifd_offsets(bytes(data))
    last = ifds[-1]
    count = struct.unpack("<H", data[last:last + 2])[0]
    data[last + 2 + 12 * count:last + 6 + 12 * count] = struct.pack("<I", ifds[0])
    path.write_bytes(bytes(data))


# ---- images Pillow cannot decode ------------------------------------------------------------

def _small_png() -> bytes:
    rng = np.random.default_rng(3)
    return _image_bytes(Image.fromarray(rng.integers(0, 255, (200, 300), dtype=np.uint8)), "PNG")


def png_bad_header_crc(path: Path) -> None:
    data = bytearray(_small_png())
    data[29] ^= 0xFF  # the IHDR chunk's CRC (8 signature + 4 length + 4 type + 13 data)
    path.write_bytes(bytes(data))


def png_broken_data(path: Path) -> None:
    """Valid chunks, but the compressed pixels are garbage: fails only when decoded."""
    data = _small_png()
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8:start - 4])[0]
    body = bytearray(data[start:start + length])
    body[2:] = bytes((b * 7 + 13) % 256 for b in body[2:])
    path.write_bytes(data[:start - 8] + _png_chunk(b"IDAT", bytes(body)) + data[start + length + 4:])


def jpeg_truncated(path: Path) -> None:
    data = report_jpeg()
    path.write_bytes(data[: len(data) // 3])


def tiff_strips_past_end(path: Path) -> None:
    """A TIFF whose pixel data offsets point far beyond the end of the file."""
    data = bytearray(_tiff([Image.new("L", (64, 64), 200)]))
    ifd = tiff_ifd_offsets(bytes(data))[0]
    count = struct.unpack("<H", data[ifd:ifd + 2])[0]
    for k in range(count):
        entry = ifd + 2 + 12 * k
        if struct.unpack("<H", data[entry:entry + 2])[0] == 273:  # StripOffsets
            data[entry + 8:entry + 12] = struct.pack("<I", 0x7FFFFF00)
    path.write_bytes(bytes(data))


# ---- pixel bombs ----------------------------------------------------------------------------

def png_50000(path: Path) -> None:
    """A 50,000 x 50,000 black-and-white PNG: 2,500 megapixels in 300 KB of compressed white."""
    width = height = 50_000
    row = b"\x00" + b"\xff" * (width // 8)  # filter byte, white pixels (1 bit each)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
                     + _png_chunk(b"IEND", b""))


def png_tiny_dpi(path: Path) -> None:
    """A blank 2,550 x 3,300 page that says it was scanned at 1 dpi (read naively: 300x upscaled)."""
    path.write_bytes(_image_bytes(Image.new("L", (2550, 3300), 255), "PNG", dpi=(1, 1)))


# ---- pages that are not reports ---------------------------------------------------------------

def photo_page(path: Path) -> None:
    """A phone photo of a street (sky, buildings, windows, noise), 72 dpi as phones record."""
    rng = np.random.default_rng(11)
    h, w = 1500, 2000
    y = np.linspace(0, 1, h)[:, None]
    sky = np.dstack([150 + 60 * y, 180 + 40 * y, 235 - 20 * y]) * np.ones((1, w, 1))
    img = Image.fromarray(sky.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    x = 0
    while x < w:
        bw, bh = int(rng.integers(120, 320)), int(rng.integers(300, 1000))
        colour = tuple(int(c) for c in rng.integers(60, 200, 3))
        draw.rectangle([x, h - bh, x + bw, h], fill=colour)
        for wy in range(h - bh + 30, h - 40, 70):
            for wx in range(x + 20, x + bw - 40, 55):
                if rng.random() < 0.7:
                    draw.rectangle([wx, wy, wx + 28, wy + 38], fill=(230, 220, 150) if rng.random() < .3 else (40, 50, 70))
        x += bw + int(rng.integers(0, 30))
    draw.ellipse([1500, 120, 1700, 320], fill=(255, 240, 200))
    arr = np.asarray(img).astype(np.int16) + rng.normal(0, 9, (h, w, 3)).astype(np.int16)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=85, dpi=(72, 72))


def blank_page(path: Path) -> None:
    """The back of a sheet scanned on both sides: paper tone, a few specks."""
    rng = np.random.default_rng(12)
    a = np.clip(rng.normal(246, 3, (3300, 2550)), 0, 255).astype(np.uint8)
    for _ in range(12):
        yy, xx = int(rng.integers(0, 3290)), int(rng.integers(0, 2540))
        a[yy:yy + 3, xx:xx + 3] = 90
    Image.fromarray(a).save(path, "PNG", dpi=(300, 300), compress_level=3)


LETTER = (
    "H. AYUNTAMIENTO DE MEXICALI",
    "Oficialia Mayor",
    "",
    "Mexicali, Baja California, a 14 de abril de 2023",
    "ASUNTO: PRIMER AVANCE PROGRAMATICO",
    "",
    "Lic. Maria Fernanda Ochoa Ruiz",
    "Directora de Programacion y Presupuesto",
    "Presente.",
    "",
    "Por medio de la presente me permito remitir a usted el reporte del primer",
    "trimestre del Programa Operativo Anual de esta dependencia, con las metas",
    "alcanzadas en el periodo de enero a marzo del presente ejercicio, asi como",
    "la justificacion de las variaciones observadas en algunas de las acciones.",
    "",
    "Sin otro particular por el momento, quedo de usted para cualquier duda o",
    "aclaracion al respecto.",
    "",
    "Atentamente,",
    "",
    "Ing. Roberto Castillo Mena",
    "Jefe del Departamento Administrativo",
)


def letter_page(path: Path) -> None:
    """A typed cover letter (it even names the report in its subject line): prose, no form, no table."""
    from samples.fonts import available_families, font

    img = Image.new("L", (2550, 3300), 255)
    draw = ImageDraw.Draw(img)
    family = available_families()[0]
    y = 300
    for k, line in enumerate(LETTER):
        draw.text((300, y), line, fill=0, font=font(family, 44, bold=k < 2 or line.startswith("ASUNTO")))
        y += 70
    img.save(path, "PNG", dpi=(300, 300), compress_level=3)


def good_page(path: Path) -> None:
    path.write_bytes(_image_bytes(report_image(), "PNG", dpi=(300, 300), compress_level=3))


ROWS: tuple[Row, ...] = (
    Row("zero_byte", "empty.pdf", zero_byte, "a zero-byte file"),
    Row("truncated_pdf", "truncated.pdf", truncated_pdf, "a report PDF cut at 60 %"),
    Row("encrypted_pdf", "encrypted.pdf", encrypted_pdf, "an encrypted PDF, no password given"),
    Row("html_as_pdf", "html.pdf", html_named_pdf, "a web page named .pdf"),
    Row("zip_as_pdf", "zip.pdf", zip_named_pdf, "a ZIP archive named .pdf"),
    Row("exe_as_pdf", "program.pdf", exe_named_pdf, "a Windows program named .pdf"),
    Row("jpeg_named_pdf", "jpeg-named.pdf", jpeg_named_pdf, "a JPEG report page named .pdf"),
    Row("pdf_named_jpg", "pdf-named.jpg", pdf_named_jpg, "a PDF report page named .jpg"),
    Row("png_html_polyglot", "polyglot.png", png_html_polyglot, "a report PNG that is also an HTML page"),
    Row("tiff_1000_frames", "frames-1000.tif", tiff_1000_frames, "a TIFF with 1,000 frames"),
    Row("tiff_ifd_loop", "ifd-loop.tif", tiff_ifd_loop, "a TIFF whose page directories loop"),
    Row("png_bad_header_crc", "bad-header.png", png_bad_header_crc, "a PNG whose header checksum is wrong"),
    Row("png_broken_data", "broken-data.png", png_broken_data, "a PNG whose compressed pixels are garbage"),
    Row("jpeg_truncated", "truncated.jpg", jpeg_truncated, "a report JPEG cut at a third"),
    Row("tiff_strips_past_end", "strips-past-end.tif", tiff_strips_past_end, "a TIFF whose pixels lie past its end"),
    Row("pdf_200_inch_page", "page-200-inch.pdf", pdf_200_inch_page, "a PDF page 200 inches square"),
    Row("png_50000px", "huge-50000.png", png_50000, "a 50,000 x 50,000 PNG of 300 KB"),
    Row("png_1_dpi", "one-dpi.png", png_tiny_dpi, "a page that says it was scanned at 1 dpi"),
    Row("pdf_5000_pages", "pages-5000.pdf", pdf_5000_pages, "a PDF of 5,000 pages"),
    Row("photo", "photo.jpg", photo_page, "a photo, not a report"),
    Row("blank_page", "blank.png", blank_page, "a blank page"),
    Row("letter", "letter.png", letter_page, "a typed cover letter"),
)


def build(folder: Path, rows: tuple[Row, ...] = ROWS, *, good: bool = True) -> list[tuple[Row, Path]]:
    """Write every row's file (and the good report page) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for row in rows:
        path = folder / row.file
        row.build(path)
        out.append((row, path))
    if good:
        good_page(folder / GOOD)
    return out


# ---- running the matrix through the real pipeline (needs Django: `folio samples hostile`) ----------

def run_matrix(folder: Path, *, catalog: Path | None = None) -> list[dict]:
    """Build every row into ``folder``, submit them and the good page as one batch, run every queued
    page in this process (as ``folio run`` does) and return one dict per page row, in matrix order."""
    from django.core.files.storage import default_storage

    from ingest.models import Page
    from ingest.service import submit_paths
    from reconcile.catalog_db import import_csv
    from worker.catalog import load_catalog
    from worker.pages import process_page

    built = build(folder)
    import_csv(catalog or Path(__file__).parent / "data" / "catalog.csv")
    index = load_catalog()
    paths = [path for _, path in built] + [Path(folder) / GOOD]
    batch, submitted = submit_paths(paths, batch_name="hostile matrix")
    for sub in submitted:
        for page in sub.pages:
            if page.state == Page.State.QUEUED:
                process_page(page.id, index)
    names = {path.name: row.name for row, path in built}
    out = []
    for sub in submitted:
        doc = sub.document
        for page in Page.objects.filter(document=doc).order_by("number"):
            out.append({
                "row": names.get(doc.name, "good_page"), "file": doc.name, "page": page.number, "kind": doc.kind,
                "state": page.state, "code": page.error_code, "message": page.error,
                "original_kept": default_storage.exists(doc.original), "original": doc.original,
                "image": str(page.image or ""), "batch": batch.id,
                "record": hasattr(page, "report"),
            })
    return out


def table(rows: list[dict]) -> str:
    """The matrix as a Markdown table: row, file, state, error code, message."""
    lines = ["| row | file | state | code | message |", "|---|---|---|---|---|"]
    for r in rows:
        message = r["message"].replace("|", "\\|") or ("read: record stored" if r["record"] else "")
        lines.append(f"| {r['row']} | {r['file']} | {r['state']} | {r['code'] or '-'} | {message} |")
    return "\n".join(lines)
