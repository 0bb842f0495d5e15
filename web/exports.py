"""Exports as HTTP answers, for the API and the review pages alike: streamed, never built whole in memory.

JSONL and CSV go out a record (a table row) at a time as the database is read;
an XLSX workbook is written to a temporary file (in memory while small) and sent
from there. Every export is an attachment.
"""
from __future__ import annotations

import tempfile
from typing import Iterable

from django.http import FileResponse, StreamingHttpResponse

from records.export import export_lines, write_export
from records.models import Report

CONTENT_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SPOOL_BYTES = 16 << 20  # a workbook larger than this is spooled to disk


def export_response(reports: Iterable[Report], fmt: str, filename: str):
    if fmt == "xlsx":
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        write_export(reports, fmt, spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES[fmt])
    else:
        response = StreamingHttpResponse((piece.encode("utf-8") for piece in export_lines(reports, fmt)),
                                         content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
