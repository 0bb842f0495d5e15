"""Security middleware: headers on every response, and request bodies bounded before they are read.

- :class:`SecurityHeadersMiddleware` adds Content-Security-Policy and Permissions-Policy (Django's own
  SecurityMiddleware and XFrameOptionsMiddleware send nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and
  X-Frame-Options). No page has inline script or style, so the policy allows neither.
- :class:`RequestSizeMiddleware` answers 413 from the Content-Length header alone when a body announces more than
  FOLIO_MAX_REQUEST_MB: nothing of the body is read. For multipart bodies it also installs
  :class:`LimitingUploadHandler`, which counts the bytes as they stream and stops the read as soon as one file
  passes FOLIO_MAX_UPLOAD_MB or the whole passes FOLIO_MAX_REQUEST_MB (the file count is Django's own
  DATA_UPLOAD_MAX_NUMBER_FILES, checked as each file begins). web.errors words the answer: JSON under /api/,
  a page elsewhere.

See docs/security.md.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

MB = 1024 * 1024
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class UploadTooLarge(RequestDataTooBig):
    """A request body, or one file in it, over its limit. A SuspiciousOperation: Django hands it to
    ``handler400`` (web.errors.bad_request), which answers 413."""

    def __init__(self, *, limit_mb: int, file_name: str | None = None):
        self.limit_mb, self.file_name = limit_mb, file_name
        what = f"file {file_name!r}" if file_name else "request body"
        super().__init__(f"{what} larger than {limit_mb} MB")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.FOLIO_CSP)
        response.headers.setdefault("Permissions-Policy", settings.FOLIO_PERMISSIONS_POLICY)
        # XFrameOptionsMiddleware sits inside; answers made before it (a 413 from the size check) get it here.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class LimitingUploadHandler(FileUploadHandler):
    """First of the request's upload handlers: passes every chunk on, and stops the parse (raising
    :class:`UploadTooLarge`, which reads nothing more) when a file or the whole passes its limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.in_file = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.in_file = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        self.in_file += len(raw_data)
        if self.in_file > settings.FOLIO_MAX_UPLOAD_MB * MB:
            self._stop(UploadTooLarge(limit_mb=settings.FOLIO_MAX_UPLOAD_MB, file_name=self.file_name))
        if self.total > settings.FOLIO_MAX_REQUEST_MB * MB:
            self._stop(UploadTooLarge(limit_mb=settings.FOLIO_MAX_REQUEST_MB))
        return raw_data

    def _stop(self, exc: UploadTooLarge):
        if self.request is not None:
            self.request._mark_post_parse_error()  # whoever looks at request.POST now sees it empty, no re-read
        raise exc

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


class RequestSizeMiddleware:
    """413 for a body that announces more than FOLIO_MAX_REQUEST_MB; streamed limits for multipart bodies.

    Sits before the session, CSRF and authentication middleware, so even an anonymous request is refused
    without its body being read (the CSRF check would otherwise parse a form to find its token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from web.errors import bad_request

        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0  # Django reads such a body as empty
        if announced > settings.FOLIO_MAX_REQUEST_MB * MB:
            return bad_request(request, UploadTooLarge(limit_mb=settings.FOLIO_MAX_REQUEST_MB))
        if request.method in UNSAFE and request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            request.upload_handlers.insert(0, LimitingUploadHandler(request))
        return self.get_response(request)
