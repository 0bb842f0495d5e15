"""The catalog in Django's admin (administrators only): entries, learned aliases, CSV in and out."""
from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reconcile.catalog import CatalogError
from reconcile.catalog_db import export_text, import_csv, merge_csv
from reconcile.models import CatalogEntry


class ImportForm(forms.Form):
    file = forms.FileField(label="Catalog CSV")
    mode = forms.ChoiceField(
        choices=[("merge", "Merge: add new entries, keep existing ones and their learned aliases"),
                 ("replace", "Replace: the CSV becomes the whole catalog (aliases not in it are lost)")],
        initial="merge", widget=forms.RadioSelect,
    )


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin.register(CatalogEntry)
class CatalogEntryAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "name", "parent", "cargo", "year_from", "year_to", "alias_list")
    list_filter = ("kind", "year_from")
    search_fields = ("code", "name", "parent", "cargo")
    actions = ["export_selected"]
    change_list_template = "admin/reconcile/catalogentry/change_list.html"

    @admin.display(description="aliases")
    def alias_list(self, obj: CatalogEntry) -> str:
        return " | ".join(obj.aliases or [])

    @admin.action(description="Export the selected entries as CSV")
    def export_selected(self, request, queryset):
        return _csv_response(export_text(queryset.order_by("id")), "catalog-selected.csv")

    def get_urls(self):
        own = [
            path("export-csv/", self.admin_site.admin_view(self.export_view), name="reconcile_catalogentry_export"),
            path("import-csv/", self.admin_site.admin_view(self.import_view), name="reconcile_catalogentry_import"),
        ]
        return own + super().get_urls()

    def export_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        return _csv_response(export_text(), "catalog.csv")

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
                if form.cleaned_data["mode"] == "replace":
                    n = import_csv(io.StringIO(text))
                    self.message_user(request, f"Catalog replaced: {n} entries.")
                else:
                    added, updated = merge_csv(io.StringIO(text))
                    self.message_user(request, f"Catalog merged: {added} added, {updated} updated.")
                return redirect("admin:reconcile_catalogentry_changelist")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            except CatalogError as exc:
                form.add_error("file", str(exc))
                self.message_user(request, str(exc), level=messages.ERROR)
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": "Import catalog CSV"}
        return render(request, "admin/reconcile/catalogentry/import_csv.html", context)
