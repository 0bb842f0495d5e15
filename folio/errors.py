"""Folio's errors: data with a machine-readable code and a message a person understands.

Transient errors (broker, database, a busy machine) are retried; rejected
input (a corrupt, encrypted or unreadable file, a page that is not a report)
ends the page FAILED with its message, and the rest of the batch goes on.
"""
from __future__ import annotations


class FolioError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, file: str | None = None,
                 page: int | str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.file = file
        self.page = page

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}"
            if isinstance(self.page, int):
                where += f", page {self.page}"
            elif self.page:  # "whole file": refused before any page was read
                where += f", {self.page}"
            where += ": "
        return f"{where}{self.message}"


class TransientError(FolioError):
    """Worth retrying: the same work may succeed later."""

    code = "transient"
    max_tries: int | None = None  # at most this many tries of the page (None: FOLIO_RETRY_MAX + 1)


class ProgramTimeout(TransientError):
    """An external program (pdfinfo, pdftoppm, tesseract) ran past its time limit and was killed.

    Tried once more (the machine may have been busy), not FOLIO_RETRY_MAX times: a program that hangs
    on a page usually hangs on it again, and each try holds a worker slot for the whole time limit.
    """

    code = "timeout"
    max_tries = 2

    def __init__(self, program: str, seconds: float, *, file: str | None = None, page: int | str | None = None):
        super().__init__(
            f"{program} did not finish within {seconds:g} s and was stopped; the file may be damaged or "
            f"unusually complex: open it, print it to a new PDF or scan it again, and submit that",
            file=file, page=page)
        self.program = program


class RejectedInput(FolioError):
    """The input cannot be processed as it is; the message says what to do."""

    code = "rejected"


class NotAReport(RejectedInput):
    """The page was read and is not a report page (blank paper, a photo, a cover letter).

    Not a failure: the page is set aside (state ``skipped``) with the reason, is
    listed with its batch, and is not retried; the rest of the file goes on.
    """

    code = "not_a_report"


class MissingDependency(FolioError):
    """A system program or language pack is missing; `folio doctor` tells which."""

    code = "missing_dependency"
