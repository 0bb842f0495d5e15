"""Folio's errors: data with a machine-readable code and a message a person understands.

Transient errors (broker, database, a busy machine) are retried; rejected
input (a corrupt, encrypted or unreadable file, a page that is not a report)
ends the page FAILED with its message, and the rest of the batch goes on.
"""
from __future__ import annotations


class FolioError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, file: str | None = None, page: int | None = None):
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
            if self.page:
                where += f", page {self.page}"
            where += ": "
        return f"{where}{self.message}"


class TransientError(FolioError):
    """Worth retrying: the same work may succeed later."""

    code = "transient"


class RejectedInput(FolioError):
    """The input cannot be processed as it is; the message says what to do."""

    code = "rejected"


class MissingDependency(FolioError):
    """A system program or language pack is missing; `folio doctor` tells which."""

    code = "missing_dependency"
