"""The stored page image, and the crop of one field with a little of the page around it.

Field boxes are pixels on the clean page image the worker stores (upright,
deskewed, resized to ~300 dpi before cleanup: ``ocr.types``), so a crop is a
plain slice of that image; no rotation or scaling is applied here.
"""
from __future__ import annotations

import io
from functools import lru_cache

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

# Context around a box: at least this many pixels, or this share of the box's height.
MIN_PAD_X, MIN_PAD_Y = 90, 36
PAD_HEIGHTS_X, PAD_HEIGHTS_Y = 3.0, 1.2
MAX_CROP_WIDTH = 1400  # long text lines are shown reduced, never wider than this
BOX_COLOUR = (200, 30, 30)


def open_page(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
    return image


@lru_cache(maxsize=256)
def _size(name: str, stamp: float) -> tuple[int, int]:
    with default_storage.open(name, "rb") as fh:
        return Image.open(fh).size  # reads the header only


def page_size(name: str) -> tuple[int, int]:
    """(width, height) of a stored page image, cached while the file is unchanged."""
    try:
        stamp = default_storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        stamp = 0.0
    return _size(name, stamp)


def crop_box(bbox, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box grown by the context margins, kept inside the page."""
    x0, y0, x1, y1 = (int(v) for v in bbox)
    h = max(1, y1 - y0)
    px, py = max(MIN_PAD_X, int(PAD_HEIGHTS_X * h)), max(MIN_PAD_Y, int(PAD_HEIGHTS_Y * h))
    width, height = size
    return max(0, x0 - px), max(0, y0 - py), min(width, x1 + px), min(height, y1 + py)


def field_crop(name: str, bbox) -> bytes:
    """JPEG of the field's box on its page, the box outlined, with context around it."""
    page = open_page(name).convert("RGB")
    left, top, right, bottom = crop_box(bbox, page.size)
    crop = page.crop((left, top, right, bottom))
    x0, y0, x1, y1 = (int(v) for v in bbox)
    ImageDraw.Draw(crop).rectangle((x0 - left - 3, y0 - top - 3, x1 - left + 2, y1 - top + 2),
                                   outline=BOX_COLOUR, width=2)
    if crop.width > MAX_CROP_WIDTH:
        crop = crop.resize((MAX_CROP_WIDTH, max(1, round(crop.height * MAX_CROP_WIDTH / crop.width))))
    out = io.BytesIO()
    crop.save(out, "JPEG", quality=88)
    return out.getvalue()
