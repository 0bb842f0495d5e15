from django.contrib import admin

from reconcile.models import CatalogEntry


@admin.register(CatalogEntry)
class CatalogEntryAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "name", "parent", "cargo", "year_from", "year_to")
    list_filter = ("kind", "year_from")
    search_fields = ("code", "name", "parent", "cargo")
