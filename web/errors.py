"""The site's answer to a request Django refuses to read (400), e.g. more files than the upload limit,
and to a body over its size limit (413, raised by web.security before the body is read).

Django raises these while parsing the body, before any view runs (the CSRF
check reads the form first), so the view cannot word them; this handler
does: JSON under /api/, a page elsewhere, both saying what to do.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render

from web.security import UploadTooLarge


def message(exception) -> str:
    """For scripts (the API's language is English, like its description)."""
    if isinstance(exception, UploadTooLarge):
        if exception.file_name:
            return (f"the file {exception.file_name!r} is larger than {exception.limit_mb} MB, the limit per file; "
                    f"nothing was stored")
        return (f"the request is larger than {exception.limit_mb} MB, the limit per request; nothing was stored: "
                f"send the files in several batches")
    if isinstance(exception, TooManyFilesSent):
        return (f"more than {settings.FOLIO_MAX_UPLOAD_FILES} files in one request; "
                f"send them in several batches")
    if isinstance(exception, TooManyFieldsSent):
        return "too many fields in one request"
    return "the request could not be read; send it again, and if it keeps failing tell an administrator"


def mensaje(exception) -> str:
    """For people (the pages are in Spanish)."""
    if isinstance(exception, UploadTooLarge):
        if exception.file_name:
            return (f"El archivo «{exception.file_name}» pesa más de {exception.limit_mb} MB, el límite por archivo. "
                    f"No se guardó nada; reduce el archivo (p. ej. divídelo o escanéalo a 300 ppp) y súbelo de nuevo.")
        return (f"El envío pesa más de {exception.limit_mb} MB, el límite por envío. No se guardó nada; "
                f"sube los archivos en varios lotes.")
    if isinstance(exception, TooManyFilesSent):
        return (f"Más de {settings.FOLIO_MAX_UPLOAD_FILES} archivos en un envío: súbelos en varios lotes.")
    return "No se pudo leer lo enviado. Inténtalo de nuevo; si vuelve a fallar, avisa a un administrador."


def bad_request(request, exception=None):
    status = 413 if isinstance(exception, UploadTooLarge) else 400
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message(exception)}, status=status)
    return render(request, "web/bad_request.html", {"message": mensaje(exception), "too_large": status == 413},
                  status=status)
