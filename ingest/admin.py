"""Batches in Django's admin (administrators only): who a batch belongs to.

Archive staff see only the batches they uploaded (web/scope.py). Batches made
from the command line, the watch folder or a backfill have no uploader; an
administrator gives one here to the person who should follow it.
"""
from __future__ import annotations

from django.contrib import admin

from ingest.models import Batch


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "uploaded_by", "created_at", "documents")
    list_filter = ("uploaded_by",)
    search_fields = ("name", "uploaded_by__username")
    fields = ("name", "uploaded_by", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("uploaded_by",)

    @admin.display(description="files")
    def documents(self, batch: Batch) -> int:
        return batch.documents.count()

    def has_add_permission(self, request) -> bool:  # batches come from uploads and commands, with their files
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # nothing uploaded is ever dropped
        return False
