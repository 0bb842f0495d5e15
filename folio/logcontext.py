"""Context on every log line: which batch, document, page and task a message is about.

A worker's log interleaves pages; a line that says "page failed" without
naming the page is no help at 3 a.m. ``log_context(batch=..., page=...)``
sets the context for the code inside it (a ContextVar, so threads and the
inline runner keep their own), and :class:`ContextFilter` (installed on the
console handler by folio/settings.py) puts it on every record as ``%(ctx)s``.
"""
from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

_CONTEXT: contextvars.ContextVar[tuple[tuple[str, object], ...]] = contextvars.ContextVar("folio_log", default=())


@contextmanager
def log_context(**values):
    """Add ``key=value`` pairs to every log line written inside the block."""
    merged = dict(_CONTEXT.get())
    merged.update({k: v for k, v in values.items() if v not in (None, "")})
    token = _CONTEXT.set(tuple(merged.items()))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current() -> str:
    return " ".join(f"{k}={v}" for k, v in _CONTEXT.get())


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = current()
        record.ctx = f"[{ctx}] " if ctx else ""
        return True
