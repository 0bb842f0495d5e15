"""ocr.cells / ocr.read: cell texts through stamps and scribbles (tesseract runs here)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.cells import read_cells
from ocr.cleanup import to_gray
from ocr.codes import read_codes
from ocr.layout import find_layout
from ocr.read import read_page
from ocr.testing import render_progress, sample_rows
from ocr.types import BBox, OcrText


@pytest.fixture(scope="module")
def drawn():
    return render_progress(sample_rows(3))


def _cell(grid, row, col):
    return next(c for c in grid.cells if c.row == row and c.col == col)


def _multiply(rgb: np.ndarray, layer: np.ndarray) -> np.ndarray:
    """Ink laid over print as on paper: black stays black under a coloured stroke."""
    return (rgb.astype(np.uint16) * layer // 255).astype(np.uint8)


def _read(gray):
    layout = find_layout(gray)
    return read_cells(gray, layout.grid, layout.rulings)


def test_cells_are_read_by_geometry(drawn):
    img, _ = drawn
    grid = _read(img)
    assert _cell(grid, 0, 4).text.text == "PERIODO"
    assert _cell(grid, 3, 0).text.text == "4.6.1"
    assert _cell(grid, 3, 1).text.text.startswith("201.- SEGUIMIENTO")
    assert [_cell(grid, 3, j).text.text for j in (3, 4, 5, 6, 12, 13)] == ["52", "13", "1,105", "846", "1,105", "25%"]
    assert _cell(grid, 3, 11).text.text == ""  # empty cell stays empty
    assert 0.5 < _cell(grid, 3, 5).text.confidence <= 1.0
    box = _cell(grid, 3, 5).text.bbox
    assert box is not None and _cell(grid, 3, 5).bbox.x0 <= box.x0 < box.x1 <= _cell(grid, 3, 5).bbox.x1


def test_a_stamp_over_a_number_still_reads_the_number(drawn):
    img, geom = drawn
    rgb = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    xs, ys = geom["col_edges"], geom["row_edges"]
    cx, cy = (xs[5] + xs[6]) // 2, (ys[4] + ys[5]) // 2  # over "1,105" of the second body row
    stamp = np.full_like(rgb, 255)
    cv2.circle(stamp, (cx + 20, cy - 10), 75, (120, 50, 150), 6)
    cv2.circle(stamp, (cx + 20, cy - 10), 55, (120, 50, 150), 3)
    cv2.putText(stamp, "2023", (cx - 25, cy + 5), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (120, 50, 150), 3)
    grid = _read(to_gray(_multiply(rgb, stamp)))
    assert _cell(grid, 4, 5).text.text == "1,105"


def test_dotted_codes_keep_their_dots_and_commas():
    canvas = np.full((220, 700), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(canvas, "2.1.1, 2.4.5, 4.6.1", (20, 70), font, 1.1, 0, 2, cv2.LINE_AA)
    cv2.putText(canvas, "4.6.3", (20, 170), font, 1.1, 0, 2, cv2.LINE_AA)
    got = read_codes(canvas, [BBox(5, 20, 690, 100), BBox(5, 120, 690, 200)])
    assert [t.text for t in got] == ["2.1.1, 2.4.5, 4.6.1", "4.6.3"]


def test_a_black_and_white_scan_has_its_codes_read_softened(drawn, monkeypatch):
    """Codes of a fax (every pixel black or white) are read through a blur, those of a grey
    scan as they are; either way they read right."""
    import ocr.cells
    from ocr.read import SOFTEN

    img, _ = drawn
    blurs = []

    def spy(*args, **kwargs):
        blurs.append(kwargs.get("blur", 0.0))
        return read_codes(*args, **kwargs)

    monkeypatch.setattr(ocr.cells, "read_codes", spy)
    grey = np.clip(img.astype(np.int16) + np.random.default_rng(2).normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    for page in (grey, np.where(img < 160, 0, 255).astype(np.uint8)):
        _, read = read_page(page, dpi=300)
        assert _cell(read.grid, 3, 0).text.text == "4.6.1"
    assert blurs == [0.0, SOFTEN]


@pytest.mark.parametrize("blur", [0.0, 1.0])
def test_doubtful_numbers_of_a_black_and_white_scan_are_re_read_softened(monkeypatch, blur):
    """The digit re-read of a fax goes through the blur (grey edges), the free re-read of
    its words does not; without a blur both read the page as it is."""
    import ocr.cells
    from ocr.cells import ReadSettings, _reread
    from ocr.types import Cell, Grid

    page = np.full((100, 400), 255, np.uint8)
    cv2.putText(page, "52", (30, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    cv2.putText(page, "NOMINA", (220, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3)
    cells = (Cell(0, 0, 1, 1, BBox(0, 0, 200, 100), OcrText("", 0.0)),
             Cell(0, 1, 1, 1, BBox(200, 0, 400, 100), OcrText("", 0.0)))
    grid = Grid(BBox(0, 0, 400, 100), (0, 100), (0, 200, 400), cells)
    seen = {}

    def spy(image, boxes, *, scale, whitelist, psm=6):
        seen[whitelist] = image
        return [OcrText("", 0.0) for _ in boxes]

    monkeypatch.setattr(ocr.cells, "mosaic_read", spy)
    _reread(page, grid, [OcrText("sz", 0.5), OcrText("NOMNA", 0.4)], [0, 1], {0}, ReadSettings(reread_blur=blur))
    digits = seen[ocr.cells.NUMBER_WHITELIST]
    assert seen[None] is page
    assert (digits is page) is (blur == 0)
    if blur:  # blurred, not moved: the ink's centre stays where it was
        assert digits.shape == page.shape and digits.min() < 128 and ((digits > 0) & (digits < 255)).sum() > \
            ((page > 0) & (page < 255)).sum()


def test_a_code_read_through_a_blur_keeps_its_dots_and_commas():
    canvas = np.full((120, 700), 255, np.uint8)
    cv2.putText(canvas, "2.1.1, 2.4.5, 4.6.1", (20, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2)
    fax = np.where(canvas < 128, 0, 255).astype(np.uint8)
    assert [t.text for t in read_codes(fax, [BBox(5, 20, 690, 100)], blur=1.0)] == ["2.1.1, 2.4.5, 4.6.1"]


@pytest.mark.slow
def test_a_scribble_over_a_name_still_reads_the_name(drawn):
    img, _ = drawn
    rgb = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    clean, page = read_page(img)
    name_line = next(ln for ln in page.signature[0] if "RAMONA" in ln.text)
    b = name_line.bbox
    t = np.linspace(0, 1, 200)
    xs = b.x0 - 40 + (b.width + 80) * t
    ys = (b.y0 + b.y1) / 2 + 45 * np.sin(2 * np.pi * 5 * t) - 20 * t
    pts = np.stack([xs, ys], axis=1).astype(np.int32)
    pen = np.full_like(rgb, 255)
    cv2.polylines(pen, [pts], False, (25, 45, 150), 4, cv2.LINE_AA)
    clean, page = read_page(_multiply(rgb, pen))
    texts = [ln.text for ln in page.signature[0]]
    assert "C.P. RAMONA MARTINEZ ACOSTA" in texts
    assert page.rotation == 0 and abs(page.skew) < 0.1
    assert clean.image.shape == img.shape


@pytest.mark.parametrize("read, printed", [
    ("CON El, AUMENTO DE APOYOS SOCIALES", "CON EL AUMENTO DE APOYOS SOCIALES"),  # the L's foot read as a comma
    ("SUPERVISAR El. CUMPLIMIENTO EFICIENTE", "SUPERVISAR EL CUMPLIMIENTO EFICIENTE"),
    ("SEGUIMIENTO Al GASTO DE SERVICIOS", "SEGUIMIENTO AL GASTO DE SERVICIOS"),
    ("PAGO DE NOMINA DEL PERSONAl.", "PAGO DE NOMINA DEL PERSONAL."),  # the text's last word keeps its mark
    ("PROTECCION Y PARTICIPACION SOCIAL, QUE", "PROTECCION Y PARTICIPACION SOCIAL, QUE"),  # an L read right: as read
    ("El proveedor no pudo hacer la entrega.", "El proveedor no pudo hacer la entrega."),  # mixed case: as read
    ("DIF Estatal", "DIF Estatal"),  # too short to tell
])
def test_a_lowercase_l_among_capitals_is_a_capital_l(read, printed):
    from ocr.words import capital_ls

    assert capital_ls(read) == printed


def test_a_cells_words_are_joined_with_their_capital_ls_mended():
    from ocr._exec.tesseract import Word
    from ocr.words import to_text

    line = ["CONTRIBUIR", "Al,", "INCREMENTO", "DE", "LOS", "APOYOS"]
    words, x = [], 0
    for i, text in enumerate(line):
        words.append(Word(text, 90.0, x, 10, x + 12 * len(text), 30, 1, 1, 1))
        x += 12 * len(text) + 10
    words.append(Word("El.", 90.0, 0, 40, 30, 60, 1, 1, 2))  # the cell's second line
    words.append(Word("MISMO", 90.0, 40, 40, 100, 60, 1, 1, 2))
    assert to_text(words).text == "CONTRIBUIR AL INCREMENTO DE LOS APOYOS EL MISMO"


@pytest.mark.parametrize("read, printed", [
    ("CONCLUIR AL. CIERRE DEL EJERCICIO.", "CONCLUIR AL CIERRE DEL EJERCICIO."),  # a speck after an article
    ("EN EL, MES DE ENERO SE ENTREGARON", "EN EL MES DE ENERO SE ENTREGARON"),
    ("la entrega de la. despensa", "la entrega de la despensa"),
    ("SE CUMPLIO LA META PARA EL.", "SE CUMPLIO LA META PARA EL."),  # the text's last word keeps its mark
    ("se entregó a él. Luego se", "se entregó a él. Luego se"),  # a pronoun ends a sentence
    ("SE ATENDIO A LA POBLACION, DE", "SE ATENDIO A LA POBLACION, DE"),  # a mark after a noun: as read
    ("PERIODO DEL: ENERO AL: MARZO", "PERIODO DEL: ENERO AL: MARZO"),  # a label's colon: as read
])
def test_no_mark_is_kept_after_an_article_or_a_preposition(read, printed):
    from ocr.words import no_break_marks

    assert no_break_marks(read) == printed


def test_a_cells_words_are_joined_without_a_mark_after_an_article():
    from ocr._exec.tesseract import Word
    from ocr.words import to_text

    words, x = [], 0
    for text in ["REALIZAR", "LA.", "ENTREGA", "DE", "APOYOS"]:
        words.append(Word(text, 90.0, x, 10, x + 12 * len(text), 30, 1, 1, 1))
        x += 12 * len(text) + 10
    assert to_text(words).text == "REALIZAR LA ENTREGA DE APOYOS"


@pytest.mark.parametrize("read, printed", [
    ("DEBIDO ALA FALTA DELA COMUNIDAD", "DEBIDO A LA FALTA DE LA COMUNIDAD"),  # two function words, no word
    ("CONTRIBUIR ALOS PROGRAMAS", "CONTRIBUIR A LOS PROGRAMAS"),
    ("CONFORME ALO ESTABLECIDO", "CONFORME A LO ESTABLECIDO"),
    ("Nose alcanza la meta", "No se alcanza la meta"),
    ("BRINDAR LAATENCIÓN A UNAAMPLIA POBLACIÓN", "BRINDAR LA ATENCIÓN A UNA AMPLIA POBLACIÓN"),  # no word opens with AA
    ("SINO QUE ESA ES LA SEDE DEL AÑO", "SINO QUE ESA ES LA SEDE DEL AÑO"),  # words that are two function words
    ("EN EL ANO 2023", "EN EL ANO 2023"),  # AÑO read without its tilde
    ("C. AARÓN PÉREZ", "C. AARÓN PÉREZ"),  # a name opening with AA
    ("YE", "YE"),  # two letters alone: a misreading sooner than two words
])
def test_two_words_a_lost_space_ran_together_are_parted(read, printed):
    from ocr.words import lost_spaces

    assert lost_spaces(read) == printed


def test_a_cells_words_are_joined_with_lost_spaces_and_marks_mended():
    from ocr._exec.tesseract import Word
    from ocr.words import to_text

    words, x = [], 0
    for text in ["APOYO", "DELA.", "COMUNIDAD"]:
        words.append(Word(text, 90.0, x, 10, x + 12 * len(text), 30, 1, 1, 1))
        x += 12 * len(text) + 10
    assert to_text(words).text == "APOYO DE LA COMUNIDAD"  # parted, then the mark after LA dropped


@pytest.mark.parametrize("read, printed", [
    ("REDUCIR 1,A BRECHA ENTRE HOMBRES Y MUJERES", "REDUCIR LA BRECHA ENTRE HOMBRES Y MUJERES"),  # stem a 1, foot a comma
    ("ATENDER A 1.AS PERSONAS DEI. MUNICIPIO", "ATENDER A LAS PERSONAS DEL MUNICIPIO"),  # foot after an I
    ("SE ENTREGO EN 1A ETAPA DEL PROGRAMA", "SE ENTREGO EN 1A ETAPA DEL PROGRAMA"),  # no mark: as read
    ("SE APOYO A 1,5 FAMILIAS DEL MUNICIPIO", "SE APOYO A 1,5 FAMILIAS DEL MUNICIPIO"),  # a number
    ("SE ATENDIO A 1.EY DEL ESTADO", "SE ATENDIO A 1.EY DEL ESTADO"),  # LEY is no function word: as read
    ("no se alcanzo ta meta por fa falta de", "no se alcanzo la meta por la falta de"),  # mixed case: la
    ("Ja meta se cumplio en tiempo", "La meta se cumplio en tiempo"),
])
def test_an_l_a_fax_broke_is_mended_in_a_function_word(read, printed):
    from ocr.words import broken_ls

    assert broken_ls(read) == printed
