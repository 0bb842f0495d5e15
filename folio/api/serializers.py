"""The API's shapes. They describe (for OpenAPI) and check; the data comes from ingest/ and records/.

Batch progress is ``ingest.progress.batch_progress`` as is; a record is the
contract's export shape (``records.store.export_json``, docs/record.md) with
the ids that locate it.
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records.completeness import HELD, MISSING, RESCANNED

STATE_CHOICES = ("queued", "running", "done", "failed", "poison", "skipped")
EXPORT_FORMATS = ("jsonl", "csv", "xlsx")


class UploadRequest(serializers.Serializer):
    """multipart/form-data: ``files`` repeated once per file, ``name`` optional."""

    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True),
                                  help_text="the scans: PDF, TIFF, JPEG or PNG; repeat the field per file")
    name = serializers.CharField(required=False, max_length=200, help_text="batch name (default: upload date and user)")


class SubmittedDocument(serializers.Serializer):
    id = serializers.IntegerField()
    file = serializers.CharField(help_text="the uploaded file's name, sanitised")
    sha256 = serializers.CharField()
    pages = serializers.IntegerField(help_text="page rows created (a rejected file has one FAILED page)")
    error = serializers.CharField(allow_blank=True, help_text="why the file was rejected; empty if accepted")
    duplicate_of = serializers.IntegerField(
        allow_null=True, help_text="document id of the same bytes held before (null when held in a batch the "
                                   "caller may not see: no pages then says it is held)")


class UploadResponse(serializers.Serializer):
    batch_id = serializers.IntegerField()
    name = serializers.CharField()
    pages = serializers.IntegerField(help_text="page rows created over all files")
    queued = serializers.IntegerField(help_text="pages sent to the workers")
    rejected = serializers.IntegerField(help_text="files that failed at submission (their reason is in documents)")
    documents = SubmittedDocument(many=True)
    progress = serializers.CharField(help_text="URL of the batch's progress")


class Failure(serializers.Serializer):
    file = serializers.CharField()
    page = serializers.IntegerField()
    state = serializers.ChoiceField(choices=("failed", "poison"))
    code = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True, help_text="what went wrong and what to do")
    document_id = serializers.IntegerField()
    page_id = serializers.IntegerField()


class SetAside(serializers.Serializer):
    file = serializers.CharField()
    page = serializers.IntegerField()
    code = serializers.CharField(help_text="blank_page or not_a_report")
    reason = serializers.CharField(help_text="what Folio found on the page, and what to do if it is a report")
    document_id = serializers.IntegerField()
    page_id = serializers.IntegerField()


class HeldDocument(serializers.Serializer):
    """The earlier copy; in a batch the caller may not see, only that it is held (ids null, docs/security.md)."""

    document_id = serializers.IntegerField(allow_null=True)
    file = serializers.CharField()
    batch_id = serializers.IntegerField(allow_null=True)


class Duplicate(serializers.Serializer):
    file = serializers.CharField()
    document_id = serializers.IntegerField()
    same_as = HeldDocument()


class HeldReport(serializers.Serializer):
    """The earlier record; in a batch the caller may not see, only that it is held (ids null, docs/security.md)."""

    report_id = serializers.IntegerField(allow_null=True)
    file = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)
    batch_id = serializers.IntegerField(allow_null=True)


class Rescan(serializers.Serializer):
    file = serializers.CharField()
    page = serializers.IntegerField()
    report_id = serializers.IntegerField()
    rescan_of = HeldReport()


class BatchCounts(serializers.Serializer):
    batch_id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    total = serializers.IntegerField(help_text="pages")
    queued = serializers.IntegerField()
    running = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    poison = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="pages set aside: read, and not a report (blank, a photo, a letter)")
    finished = serializers.BooleanField(help_text="no page queued or running")


class BatchSummary(BatchCounts):
    progress = serializers.CharField(help_text="URL of the batch's progress")


class BatchProgress(BatchCounts):
    documents = serializers.IntegerField(help_text="files in the batch")
    failures = Failure(many=True)
    set_aside = SetAside(many=True, help_text="pages read and set aside as not a report; not retried")
    duplicates = Duplicate(many=True, help_text="files already held; their pages are not read again")
    rescans = Rescan(many=True, help_text="records of a report already held (same ramo, unidad, year, quarter)")
    records = serializers.CharField(help_text="URL of the batch's records")
    export = serializers.CharField(help_text="URL of the batch's export (add ?format=jsonl, csv or xlsx)")


class RecordQuery(serializers.Serializer):
    batch = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)  # a database integer
    ramo = serializers.CharField(required=False, max_length=20, help_text="ramo code as printed, e.g. 52")
    unidad = serializers.CharField(required=False, max_length=20, help_text="unidad ejecutora code")
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999, help_text="ejercicio")
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4, help_text="trimestre")


@extend_schema_field(OpenApiTypes.OBJECT)
class ContractRecord(serializers.JSONField):
    """The report record in the contract's export shape (docs/record.md)."""


class RecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    batch_id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    page_id = serializers.IntegerField()
    rescan_of = serializers.IntegerField(allow_null=True, help_text="the earlier report of the same quarter")
    record = ContractRecord()


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, default="jsonl")


class CompletenessQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2999)


class QuarterCell(serializers.Serializer):
    quarter = serializers.IntegerField()
    state = serializers.ChoiceField(choices=(HELD, RESCANNED, MISSING))
    reports = serializers.ListField(child=serializers.IntegerField(), help_text="record ids, oldest first")


class CompletenessUnit(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    ramo = serializers.CharField(allow_blank=True)
    in_catalog = serializers.BooleanField(help_text="false: records held for a unidad the catalog lacks that year")
    quarters = QuarterCell(many=True)


class CompletenessOut(serializers.Serializer):
    year = serializers.IntegerField()
    expected = serializers.IntegerField(help_text="quarters expected: catalog unidades valid that year x 4")
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="held / rescanned / missing")
    units = CompletenessUnit(many=True)


class Problem(serializers.Serializer):
    detail = serializers.JSONField(help_text="what is wrong with the request and what to do")
