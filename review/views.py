"""The reviewer's pages: the queue, one item at a time, the page view, the images behind them.

Views parse and check what came in, call records.review, and render. A
decision on an item is one POST whose answer is the next item: the page's
script swaps it in (the ``X-Folio-Fragment`` request header asks for the item
alone, ``X-Folio-Url`` in the answer names it); without the script the POST
redirects to the next item.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from records import review
from records.models import Correction, Field, Report
from review import images
from review.presenting import item_context, page_boxes, queue_choices, record_rows
from web import scope
from web.exports import CONTENT_TYPES, export_response
from web.roles import ARCHIVE, REVIEWER, role_required

FRAGMENT_HEADER = "HTTP_X_FOLIO_FRAGMENT"
QUEUE_PAGE = 100


def _query(flt: review.QueueFilter, **extra) -> str:
    params = {**flt.as_params(), **{k: v for k, v in extra.items() if v is not None}}
    return f"?{urlencode(params)}" if params else ""


def _item_url(field: Field | None, flt: review.QueueFilter) -> str:
    if field is None:
        return reverse("review:queue") + _query(flt)
    return reverse("review:item", args=[field.pk]) + _query(flt)


@require_GET
@role_required(REVIEWER)
def queue(request):
    flt = review.QueueFilter.from_query(request.GET)
    items = scope.fields(request.user, review.queue(flt))
    context = {
        "flt": flt, "query": _query(flt), "total": items.count(), "items": items[:QUEUE_PAGE],
        "choices": queue_choices(), "export_query": urlencode(flt.as_params()),
    }
    return render(request, "review/queue.html", context)


def _show(request, field: Field | None, flt, *, notice: str = "", error: str = "", status: int = 200):
    """The item page, or only the item when the page's script asked for it."""
    fragment = request.META.get(FRAGMENT_HEADER) == "1"
    context = item_context(field, flt, notice=notice, error=error) if field else {"flt": flt, "notice": notice}
    context["query"] = _query(flt)
    template = "review/item.html" if not fragment else ("review/_item.html" if field else "review/_empty.html")
    response = render(request, template, context, status=status)
    response["X-Folio-Url"] = _item_url(field, flt)
    return response


@require_GET
@role_required(REVIEWER)
def next_item(request):
    """The next item after ``after`` (a skip): nothing changes but what is shown."""
    flt = review.QueueFilter.from_query(request.GET)
    after_pk = review.whole_number(request.GET.get("after", ""))
    after = Field.objects.filter(pk=after_pk).first() if after_pk is not None else None
    field = review.next_item(flt, after)
    if request.META.get(FRAGMENT_HEADER) == "1":
        return _show(request, field, flt)
    return redirect(_item_url(field, flt))


def _decide(field: Field, post) -> tuple[object, str]:
    """(new value, reason for the audit) from the submitted form."""
    pick = post.get("pick", "")
    number = review.whole_number(pick)
    action = "pick" if number is not None else "bad pick" if pick else post.get("action", "")
    if action == "accept":
        value, reason = field.value, "aceptado como estaba"
    elif action == "pick":
        value = review.candidate_value(field, number)
        score = field.candidates[number - 1].get("score")
        reason = f"candidato {number}" + (f" (puntaje {score:.2f})" if isinstance(score, (int, float)) else "")
    elif action == "set":
        value, reason = review.parse_value(field, post.get("value")), "escrito por el revisor"
    elif action == "bad pick":
        raise review.CorrectionError(f"no hay candidato {pick[:20]}")
    else:
        raise review.CorrectionError("acción desconocida")
    note = (post.get("note") or "").strip()
    return value, f"{reason}; {note[:500]}" if note else reason


@require_http_methods(["GET", "POST"])
@role_required(REVIEWER)
def item(request, pk: int):
    field = get_object_or_404(scope.fields(request.user, Field.objects.select_related("report__page__document")),
                              pk=pk)
    flt = review.QueueFilter.from_query(request.GET)
    if request.method == "GET":
        return _show(request, field, flt)
    try:
        value, reason = _decide(field, request.POST)
        outcome = review.apply_correction(field, request.user, value, reason,
                                          keep_alias=request.POST.get("keep_alias") == "1")
    except review.CorrectionError as exc:
        return _show(request, field, flt, error=str(exc), status=400)
    notice = f"{field.path}: guardado."
    if outcome.alias:
        notice += f" «{outcome.alias}» queda como variante de «{outcome.entry.name}» en el catálogo."
    elif request.POST.get("keep_alias") == "1":
        notice += " No se guardó variante: el valor no es una entrada del catálogo o ya la conocía."
    following = review.next_item(flt, field)
    if request.META.get(FRAGMENT_HEADER) == "1":
        return _show(request, following, flt, notice=notice)
    messages.success(request, notice)
    return redirect(_item_url(following, flt))


@require_GET
@role_required(REVIEWER)
def crop(request, pk: int):
    field = get_object_or_404(scope.fields(request.user, Field.objects.select_related("report__page")), pk=pk)
    name = field.report.page.image
    if not name or not field.bbox:
        raise Http404("this field has no position on a stored page image")
    return _image_response(images.field_crop(name, field.bbox), f"campo-{field.pk}")


IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg", "jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"))


def _image_response(body: bytes, stem: str) -> HttpResponse:
    """Stored or made image bytes, never rendered as anything but an image: the type from the bytes' own
    signature (anything else is sent as opaque bytes), nosniff (SecurityMiddleware), a download when opened on
    its own, and a policy that runs nothing even if a browser did render it."""
    for magic, content_type, ext in IMAGE_TYPES:
        if body.startswith(magic):
            break
    else:
        content_type, ext = "application/octet-stream", "bin"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{ext}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@role_required(REVIEWER, ARCHIVE)  # read-only: archive staff reach it from their batch pages
def page_image(request, pk: int):
    report = get_object_or_404(scope.reports(request.user, Report.objects.select_related("page")), pk=pk)
    if not report.page.image:
        raise Http404("no stored page image")
    with default_storage.open(report.page.image, "rb") as fh:
        return _image_response(fh.read(), f"registro-{report.pk}")


@require_GET
@role_required(REVIEWER, ARCHIVE)  # read-only: archive staff reach it from their batch pages
def page(request, pk: int):
    """The page image with every field's box over it, the record beside it, and its audit."""
    report = get_object_or_404(scope.reports(request.user, Report.objects.select_related("page__document__batch")),
                               pk=pk)
    fields = list(report.fields.order_by("id"))
    size = images.page_size(report.page.image) if report.page.image else None
    context = {
        "report": report, "size": size, "boxes": page_boxes(fields) if size else [],
        "rows": record_rows(fields), "focus": request.GET.get("field", ""),
        "audit": Correction.objects.filter(field__report=report).select_related("field", "user").order_by("-at", "-id"),
        "waiting": sum(1 for f in fields if f.status == Field.Status.NEEDS_REVIEW),
    }
    return render(request, "review/page.html", context)


@require_GET
@role_required(REVIEWER, ARCHIVE)
def export(request):
    """The records of a batch or of a filter (ramo, unidad, year) as JSONL, CSV or XLSX."""
    fmt = request.GET.get("format", "jsonl")
    if fmt not in CONTENT_TYPES:
        return HttpResponseBadRequest(f"format must be one of {', '.join(CONTENT_TYPES)}")
    flt = review.QueueFilter.from_query(request.GET)
    reports = scope.reports(request.user, flt.reports()).select_related("page__document").order_by("page__document_id", "page__number")
    stem = "folio" + "".join(f"-{k}{re.sub(r'[^A-Za-z0-9.]', '', v)}" for k, v in flt.as_params().items())
    return export_response(reports, fmt, f"{stem}.{fmt}")
