"""Errors of the reading core: data with a machine-readable code.

``ocr/`` imports nothing from Folio above it, so these do not derive from
``folio.errors``; the shell maps them (``code`` is stable).
"""
from __future__ import annotations


class OcrError(Exception):
    """Reading failed; ``code`` says why in a word a program can test."""

    code = "ocr_error"

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class OcrTimeout(OcrError):
    """Tesseract took longer than its time limit, ``seconds`` (transient: worth a retry)."""

    def __init__(self, seconds: float):
        super().__init__("ocr_timeout", f"tesseract took longer than {seconds:.0f} s")
        self.seconds = seconds


class OcrMissing(OcrError):
    """Tesseract or its Spanish language pack is not installed (permanent)."""

    def __init__(self, message: str):
        super().__init__("ocr_missing", message)
