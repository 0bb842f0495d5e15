"""The site's answer to a request Django refuses to read (400), e.g. more files than the upload limit.

Django raises these while parsing the body, before any view runs (the CSRF
check reads the form first), so the view cannot word them; this handler
does: JSON under /api/, a page elsewhere, both saying what to do.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render


def message(exception) -> str:
    """For scripts (the API's language is English, like its description)."""
    if isinstance(exception, TooManyFilesSent):
        return (f"more than {settings.FOLIO_MAX_UPLOAD_FILES} files in one request; "
                f"send them in several batches")
    if isinstance(exception, TooManyFieldsSent):
        return "too many fields in one request"
    return "the request could not be read; send it again, and if it keeps failing tell an administrator"


def mensaje(exception) -> str:
    """For people (the pages are in Spanish)."""
    if isinstance(exception, TooManyFilesSent):
        return (f"Más de {settings.FOLIO_MAX_UPLOAD_FILES} archivos en un envío: súbelos en varios lotes.")
    return "No se pudo leer lo enviado. Inténtalo de nuevo; si vuelve a fallar, avisa a un administrador."


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message(exception)}, status=400)
    return render(request, "web/bad_request.html", {"message": mensaje(exception)}, status=400)
