"""API views: parse and check the request, call ingest/worker/records, answer JSON. Nothing else."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from folio.api import serializers as s
from folio.api.permissions import ArchiveStaff, ReadsRecords
from ingest.models import Batch, Page
from ingest.progress import batch_progress
from records.completeness import as_json, completeness
from records.models import Report
from records.store import export_json
from web import scope
from web.exports import CONTENT_TYPES, export_response
from web.listing import as_row, batches_with_counts
from web.uploads import UploadError, submit_uploads

PROBLEM = {400: s.Problem, 401: s.Problem, 403: s.Problem}


def _query(serializer_class, request) -> dict:
    q = serializer_class(data=request.query_params)
    q.is_valid(raise_exception=True)
    return q.validated_data


def _submitted_json(sub, user) -> dict:
    doc = sub.document
    held = doc.duplicate_of_id
    if held is not None and not scope.batches(user).filter(documents=held).exists():
        held = None  # held in a batch the caller may not see: "no pages" says it is held, not where
    return {"id": doc.id, "file": doc.name, "sha256": doc.sha256, "pages": len(sub.pages), "error": doc.error,
            "duplicate_of": held}


class Pages(LimitOffsetPagination):
    """``?limit=`` and ``?offset=`` (PAGE_SIZE by default), never more than ``max_limit`` rows in one answer."""

    max_limit = 500


class BatchList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated, ArchiveStaff]
    pagination_class = Pages
    serializer_class = s.BatchSummary

    def get_queryset(self):
        return scope.batches(self.request.user, batches_with_counts())

    @extend_schema(summary="Batches, newest first, with page counts per state",
                   responses={200: s.BatchSummary(many=True), **PROBLEM})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = [{**as_row(b), "progress": request.build_absolute_uri(reverse("api:batch", args=[b.id]))}
                for b in page]
        return self.get_paginated_response(rows)

    @extend_schema(summary="Upload files as a new batch (interactive priority)",
                   request={"multipart/form-data": s.UploadRequest},
                   responses={201: s.UploadResponse, **PROBLEM})
    def post(self, request):
        # More files than DATA_UPLOAD_MAX_NUMBER_FILES fail while the body is parsed: web.errors answers (400 JSON).
        uploads, name = request.FILES.getlist("files"), request.data.get("name")
        try:
            batch, submitted = submit_uploads(uploads, batch_name=name, user=request.user)
        except UploadError as exc:
            raise ValidationError({"files": [str(exc)]}) from exc
        docs = [_submitted_json(sub, request.user) for sub in submitted]
        pages = [p for sub in submitted for p in sub.pages]
        body = {
            "batch_id": batch.id, "name": batch.name, "pages": len(pages),
            "queued": sum(1 for p in pages if p.state != Page.State.FAILED),
            "rejected": sum(1 for d in docs if d["error"]), "documents": docs,
            "progress": request.build_absolute_uri(reverse("api:batch", args=[batch.id])),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class BatchDetail(APIView):
    permission_classes = [IsAuthenticated, ArchiveStaff]

    @extend_schema(summary="A batch's progress: counts per state, failures with reasons, duplicates, re-scans",
                   responses={200: s.BatchProgress, 404: s.Problem, **PROBLEM})
    def get(self, request, batch_id: int):
        if not scope.batches(request.user).filter(pk=batch_id).exists():
            raise NotFound(f"no batch {batch_id}")  # someone else's batch answers like one that does not exist
        try:
            body = scope.redact_progress(request.user, batch_progress(batch_id))
        except Batch.DoesNotExist as exc:
            raise NotFound(f"no batch {batch_id}") from exc
        body["records"] = request.build_absolute_uri(reverse("api:records") + f"?batch={batch_id}")
        body["export"] = request.build_absolute_uri(reverse("api:batch-export", args=[batch_id]))
        return Response(body)


class BatchExport(APIView):
    permission_classes = [IsAuthenticated, ReadsRecords]

    @extend_schema(summary="The batch's records as a file: JSONL (the contract), CSV (one line per table row), XLSX",
                   parameters=[s.ExportQuery],
                   responses={(200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR),
                              (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
                              (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
                              404: s.Problem, **PROBLEM})
    def get(self, request, batch_id: int):
        fmt = _query(s.ExportQuery, request)["format"]
        batch = get_object_or_404(scope.batches(request.user), pk=batch_id)
        reports = (scope.reports(request.user).filter(page__document__batch_id=batch.id)
                   .select_related("page__document").order_by("page__document_id", "page__number"))
        return export_response(reports, fmt, f"batch-{batch.id}.{fmt}")


def _record_json(report: Report) -> dict:
    return {"id": report.id, "batch_id": report.page.document.batch_id, "document_id": report.page.document_id,
            "page_id": report.page_id, "rescan_of": report.rescan_of_id,
            "record": export_json(report)}


class RecordList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated, ReadsRecords]
    pagination_class = Pages
    serializer_class = s.RecordOut
    FILTERS = {"batch": "page__document__batch_id", "ramo": "ramo_code", "unidad": "unidad_code",
               "year": "ejercicio", "quarter": "trimestre"}

    def get_queryset(self):
        q = _query(s.RecordQuery, self.request)
        reports = scope.reports(self.request.user).select_related("page__document").order_by("page__document_id",
                                                                                              "page__number")
        return reports.filter(**{self.FILTERS[k]: v for k, v in q.items()})

    @extend_schema(summary="Records in the contract's shape, filtered by batch, ramo, unidad, year, quarter",
                   parameters=[s.RecordQuery], responses={200: s.RecordOut(many=True), **PROBLEM})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_record_json(r) for r in page])


class RecordDetail(APIView):
    permission_classes = [IsAuthenticated, ReadsRecords]

    @extend_schema(summary="One record in the contract's shape", responses={200: s.RecordOut, 404: s.Problem,
                                                                           **PROBLEM})
    def get(self, request, record_id: int):
        report = get_object_or_404(scope.reports(request.user, Report.objects.select_related("page__document")),
                                   pk=record_id)
        return Response(_record_json(report))


class Completeness(APIView):
    permission_classes = [IsAuthenticated, ReadsRecords]

    @extend_schema(summary="Which unidades ejecutoras and quarters of a year are held, re-scanned or missing",
                   parameters=[s.CompletenessQuery], responses={200: s.CompletenessOut, **PROBLEM})
    def get(self, request):
        year = _query(s.CompletenessQuery, request)["year"]
        return Response(as_json(completeness(year)))
