"""Staff pages: the landing page, upload, batches and their progress, archive completeness.

Thin: each view checks the request, calls ingest/worker/records (through
web.uploads and web.listing), and renders. The live parts of the batch page
poll the JSON API (/api/batches/<id>), so the page and the API never differ.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ingest.models import Batch, Document
from ingest.progress import batch_progress
from records.completeness import completeness as completeness_of
from records.completeness import known_years
from records.review import whole_number
from web import scope
from web.listing import as_row, batches_with_counts, percent_done
from web.roles import ARCHIVE, REVIEWER, role_required, roles_of
from web.uploads import UploadError, submit_uploads

DOCUMENTS_SHOWN = 500


def home(request):
    mine = roles_of(request.user)
    if ARCHIVE in mine:
        return redirect("web:batches")
    if REVIEWER in mine:
        return redirect("review:queue")
    return render(request, "web/home.html")


@require_http_methods(["GET", "POST"])
@role_required(ARCHIVE)
def upload(request):
    """The upload page. Its script posts to the API with a progress bar; without script, this form posts here."""
    if request.method == "POST":
        try:
            batch, submitted = submit_uploads(request.FILES.getlist("files"), batch_name=request.POST.get("name"),
                                              user=request.user)
        except UploadError:
            messages.error(request, "Elige uno o más archivos para subir." if not request.FILES else
                           f"Demasiados archivos en un envío: el límite es {settings.FOLIO_MAX_UPLOAD_FILES}; "
                           f"súbelos en varios lotes.")
        else:
            rejected = sum(1 for s in submitted if s.document.error)
            messages.success(request, f"Lote {batch.id}: {len(submitted)} archivo(s) recibidos"
                                      + (f", {rejected} rechazado(s) (ver abajo por qué)" if rejected else "") + ".")
            return redirect("web:batch", batch_id=batch.id)
    return render(request, "web/upload.html", {
        "max_mb": settings.FOLIO_MAX_UPLOAD_MB, "max_files": settings.FOLIO_MAX_UPLOAD_FILES,
    })


@require_GET
@role_required(ARCHIVE)
def batches(request):
    page = Paginator(scope.batches(request.user, batches_with_counts()), 50).get_page(request.GET.get("page"))
    rows = []
    for batch in page:
        row = as_row(batch)
        row["percent"] = percent_done(row)
        row["created"] = batch.created_at
        rows.append(row)
    return render(request, "web/batches.html", {"page": page, "rows": rows})


def _documents(batch_id: int) -> tuple[list[Document], int]:
    docs = (Document.objects.filter(batch_id=batch_id).order_by("id")
            .select_related("duplicate_of").prefetch_related("pages__report"))
    return list(docs[:DOCUMENTS_SHOWN]), docs.count()


def review_url(report_id: int) -> str:
    """The record's page view (image with every field's box, the record beside it): open to archive staff."""
    return reverse("review:report", args=[report_id])


@require_GET
@role_required(ARCHIVE)
def batch(request, batch_id: int):
    scope.batch_or_404(request.user, batch_id)  # someone else's batch is a batch that does not exist
    try:
        progress = scope.redact_progress(request.user, batch_progress(batch_id))
    except Batch.DoesNotExist as exc:
        raise Http404(f"no batch {batch_id}") from exc
    progress["percent"] = percent_done(progress)
    docs, n_docs = _documents(batch_id)
    rows = []
    for doc in docs:
        pages = []
        for page in doc.pages.all():
            report = getattr(page, "report", None)
            pages.append({"page": page, "report": report, "review": review_url(report.id) if report else None})
        rows.append({"doc": doc, "pages": pages})
    return render(request, "web/batch.html", {
        "progress": progress, "rows": rows, "documents_shown": len(docs), "documents": n_docs,
        "api_url": reverse("api:batch", args=[batch_id]),
    })


@require_GET
@role_required(ARCHIVE, REVIEWER)
def completeness(request):
    years = known_years()
    raw = request.GET.get("year") or (str(years[0]) if years else "")
    year = whole_number(raw, max_digits=4)
    year = year if year is not None and 1900 <= year <= 2999 else None  # four digits: 1900 to 2999
    if raw and year is None:
        messages.error(request, f"«{raw}» no es un año; escribe un año de cuatro cifras, p. ej. 2023.")
    result = completeness_of(year) if year else None
    return render(request, "web/completeness.html", {"years": years, "year": year, "result": result})
