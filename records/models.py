"""Reports, their fields with provenance, and reviewers' corrections (append-only)."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from ingest.models import Page


class Report(models.Model):
    """The report record of one page: contract data plus review state."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="report")
    report_type = models.CharField(max_length=40, blank=True, default="")
    ejercicio = models.IntegerField(null=True, blank=True, db_index=True)
    trimestre = models.IntegerField(null=True, blank=True)
    ramo_code = models.CharField(max_length=20, blank=True, default="", db_index=True)
    unidad_code = models.CharField(max_length=20, blank=True, default="", db_index=True)
    data = models.JSONField(help_text="the record in the contract shape, current values")
    source = models.JSONField(default=dict)
    needs_review = models.JSONField(default=list)
    rescan_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescans",
        help_text="the earlier report of the same ramo, unidad, year and quarter (another scan of it); flagged",
    )
    updated_at = models.DateTimeField(auto_now=True)


class Field(models.Model):
    class Status(models.TextChoices):
        AUTO = "auto"
        NEEDS_REVIEW = "needs_review"
        CORRECTED = "corrected"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="fields")
    path = models.CharField(max_length=200)
    value = models.JSONField(null=True)
    raw = models.TextField(null=True, blank=True)
    confidence = models.FloatField(default=0.0)
    status = models.CharField(max_length=15, choices=Status.choices, db_index=True)
    candidates = models.JSONField(default=list)
    checks = models.JSONField(default=list)
    page_number = models.IntegerField(null=True, blank=True)
    bbox = models.JSONField(null=True, blank=True)
    failed_checks = models.IntegerField(default=0, help_text="checks that failed: the review queue shows these first")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "path"], name="unique_field_path")]
        indexes = [models.Index(fields=["status", "-failed_checks", "confidence", "id"], name="field_review_order")]


class Correction(models.Model):
    """Append-only audit of every change a person made to a field."""

    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="corrections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    reason = models.TextField(blank=True, default="")
