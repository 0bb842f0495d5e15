"""Batches, documents and pages: what was submitted and where each page stands."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Batch(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches",
        help_text="who uploaded it (page or API); none for the command line, the watch folder and backfill. "
                  "Archive staff see their own batches only (web/scope.py)",
    )

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """One uploaded file. The original is kept, content-addressed, never modified."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=255, help_text="the uploaded file's name, sanitised")
    sha256 = models.CharField(max_length=64, db_index=True)
    original = models.CharField(max_length=500, help_text="storage path of the original")
    size = models.BigIntegerField()
    kind = models.CharField(max_length=10, help_text="pdf, tiff, jpeg or png, by magic bytes")
    page_count = models.IntegerField(default=0)
    error = models.TextField(blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates",
        help_text="the earlier document with the same bytes (sha256); a duplicate's pages are not read again",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Page(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        POISON = "poison"
        SKIPPED = "skipped", "set aside"  # read, and not a report page (blank, a photo, a letter): not retried

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.IntegerField(help_text="1-based within the document")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    priority = models.CharField(max_length=12, default="interactive",
                                help_text="the queue the page goes to: interactive (staff uploads) or backfill")
    attempts = models.IntegerField(default=0, help_text="how many times a worker claimed the page")
    crashes = models.IntegerField(default=0, help_text="claims whose worker vanished before finishing (poison at 3)")
    lease_until = models.DateTimeField(null=True, blank=True, help_text="a running page's claim holds until then")
    claimed_by = models.CharField(max_length=120, blank=True, default="", help_text="host:pid:token of the claim")
    enqueued_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                       help_text="when a message for it was last sent to the broker")
    error_code = models.CharField(max_length=50, blank=True, default="")
    error = models.TextField(blank=True, default="")
    image = models.CharField(max_length=500, blank=True, default="", help_text="storage path of the cleaned page image")
    rotation = models.IntegerField(null=True, blank=True)
    skew = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_page_number")]
        ordering = ["document_id", "number"]

    def __str__(self) -> str:
        return f"{self.document.name} p.{self.number}"
