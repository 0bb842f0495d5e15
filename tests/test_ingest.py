"""Ingest: kind by magic bytes, safe names, one page row per page, bad files kept and explained."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from folio.errors import RejectedInput
from ingest import files
from ingest.models import Page
from ingest.service import submit_paths


def _png(path: Path, size=(120, 80)) -> Path:
    Image.fromarray(np.full((size[1], size[0]), 255, np.uint8)).save(path, format="PNG")
    return path


def test_kind_comes_from_magic_bytes_not_the_name(tmp_path):
    jpeg_named_pdf = tmp_path / "scan.pdf"
    Image.new("RGB", (50, 40), "white").save(jpeg_named_pdf, format="JPEG")
    assert files.sniff(jpeg_named_pdf) == "jpeg"
    html_named_pdf = tmp_path / "fake.pdf"
    html_named_pdf.write_text("<html><body>hello</body></html>")
    with pytest.raises(RejectedInput) as err:
        files.sniff(html_named_pdf)
    assert err.value.code == "unsupported_format" and "fake.pdf" in str(err.value)


def test_empty_file_is_rejected_with_its_name(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(RejectedInput) as err:
        files.sniff(empty)
    assert "empty.png" in str(err.value) and "empty" in err.value.message


@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\scan.pdf", "scan.pdf"),
    ("/abs/path/report.tif", "report.tif"),
    ("a\x00b.png", "ab.png"),
])
def test_safe_name_never_carries_a_path(name, expected):
    assert files.safe_name(name) == expected
    assert "/" not in files.safe_name(name) and "\\" not in files.safe_name(name)


def test_safe_name_is_bounded():
    assert len(files.safe_name("x" * 300 + ".pdf")) <= 120


def test_tiff_frames_are_pages(tmp_path):
    frames = [Image.new("L", (100, 80), v) for v in (255, 200, 150)]
    path = tmp_path / "multi.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert files.count_pages(path, files.sniff(path), files.Limits()) == 3
    image, dpi = files.load_page(path, "tiff", 3, files.Limits())
    assert image.shape == (80, 100) and int(image.mean()) == 150 and dpi > 0


@pytest.mark.django_db
def test_submit_keeps_every_file_and_explains_bad_ones(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    _png(folder / "good.png")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    (folder / "notes.txt").write_text("ignored: not a scan suffix")
    batch, submitted = submit_paths([folder], batch_name="t")
    by_name = {s.document.name: s for s in submitted}
    assert set(by_name) == {"good.png", "broken.pdf"}
    assert [p.state for p in by_name["good.png"].pages] == [Page.State.QUEUED]
    bad = by_name["broken.pdf"].pages[0]
    assert bad.state == Page.State.FAILED and "broken.pdf" in bad.error and bad.error_code == "corrupt_pdf"
    # the original is kept even when it cannot be read
    from django.core.files.storage import default_storage

    assert default_storage.exists(by_name["broken.pdf"].document.original)


@pytest.mark.django_db
def test_same_bytes_are_stored_once(tmp_path):
    a = _png(tmp_path / "a.png")
    b = tmp_path / "b.png"
    b.write_bytes(a.read_bytes())
    _, submitted = submit_paths([a, b], batch_name="t")
    assert submitted[0].document.original == submitted[1].document.original
    assert submitted[0].document.sha256 == files.sha256_of(a)


@pytest.mark.django_db
def test_an_unexpected_failure_while_examining_names_no_server_path(tmp_path, monkeypatch):
    """The message is shown to the uploader (batch page, API): the failure's kind, not where Folio keeps files."""
    def broken(path, kind, limits):
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr(files, "count_pages", broken)
    where = _png(tmp_path / "scan.png")
    batch, (sub,) = submit_paths([where], batch_name="b")
    assert sub.pages[0].error_code == "internal_error"
    assert "OSError" in sub.document.error and "Input/output error" in sub.document.error
    assert str(tmp_path) not in sub.document.error and "'/" not in sub.document.error


@pytest.mark.parametrize("recorded", [1, 72, 10_000_000])
def test_a_resolution_no_scanner_writes_is_guessed_from_the_page_size(tmp_path, recorded):
    """Phones write 72, Pillow 1, a crafted file a billion: the reader would enlarge or shrink the page to
    nothing. Such a resolution is replaced by one guessed from the page's size (a letter page's long side)."""
    import numpy as np
    from PIL import Image

    from ingest import files

    path = tmp_path / "p.png"
    Image.fromarray(np.full((1700, 2200), 255, np.uint8)).save(path, dpi=(recorded, recorded))
    _, dpi = files.load_page(path, "png", 1, files.Limits())
    assert dpi == 200  # 2,200 px over 11 inches


def test_a_plausible_recorded_resolution_is_kept(tmp_path):
    import numpy as np
    from PIL import Image

    from ingest import files

    path = tmp_path / "p.png"
    Image.fromarray(np.full((1700, 2200), 255, np.uint8)).save(path, dpi=(300, 300))
    assert files.load_page(path, "png", 1, files.Limits())[1] == 300


def _text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose print is text in a PDF font (exported, never scanned)."""
    from samples.hostile import pdf

    body = b"BT /F1 10 Tf 60 520 Td 14 TL " + b" ".join(b"(%s) '" % ln.encode("latin-1") for ln in lines) + b" ET"
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 792 612] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def test_a_pdf_page_drawn_from_text_is_told_from_a_scanned_one(tmp_path):
    from samples.hostile import report_pdf

    drawn, scanned = tmp_path / "exported.pdf", tmp_path / "scanned.pdf"
    drawn.write_bytes(_text_pdf(["PROGRAMA OPERATIVO ANUAL 2023", "RAMO: 52 DESARROLLO INTEGRAL"]))
    scanned.write_bytes(report_pdf())
    assert files.drawn_page(drawn, "pdf", 1, files.Limits())
    assert not files.drawn_page(scanned, "pdf", 1, files.Limits())
    assert not files.drawn_page(scanned, "png", 1, files.Limits())  # an image is a scan


@pytest.mark.slow
def test_print_rendered_from_a_pdf_font_is_vouched_for_though_its_pixels_look_like_a_fax(tmp_path):
    """Rendered, a PDF font gives pure white paper and pure black print, as a fax does; told
    that the page is drawn, the reader reads it as the clean page it is."""
    from ocr.read import _bilevel, read_page

    path = tmp_path / "exported.pdf"
    path.write_bytes(_text_pdf(["PROGRAMA OPERATIVO ANUAL 2023", "RAMO: 52 DESARROLLO INTEGRAL",
                                "UNIDAD EJECUTORA: 52102 JEFATURA", "FINALIDAD: 2 DESARROLLO SOCIAL"]))
    image, dpi = files.load_page(path, "pdf", 1, files.Limits())
    assert _bilevel(image[:, :, 0])
    as_fax = read_page(image, dpi=dpi)[1].header
    as_drawn = read_page(image, dpi=dpi, drawn=True)[1].header
    assert [ln.text for ln in as_drawn][:2] == ["PROGRAMA OPERATIVO ANUAL 2023", "RAMO: 52 DESARROLLO INTEGRAL"]
    assert max(ln.confidence for ln in as_fax) <= 0.9 < min(ln.confidence for ln in as_drawn)
