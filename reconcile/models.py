"""The catalog as Django data (the shell side of reconcile/; the pure index is reconcile.catalog)."""
from __future__ import annotations

from django.db import models


class CatalogEntry(models.Model):
    KINDS = [
        (k, k)
        for k in (
            "ayuntamiento", "clasificacion_administrativa", "ramo", "programa", "unidad_ejecutora",
            "finalidad", "funcion", "subfuncion", "linea_accion", "unidad_medida", "accion", "persona",
        )
    ]
    kind = models.CharField(max_length=40, choices=KINDS, db_index=True)
    code = models.CharField(max_length=40, blank=True, default="", db_index=True)
    name = models.TextField()
    parent = models.CharField(max_length=40, blank=True, default="")
    cargo = models.CharField(max_length=200, blank=True, default="")
    year_from = models.IntegerField(null=True, blank=True)
    year_to = models.IntegerField(null=True, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="spellings learned from reviewers")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "catalog entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.name}".strip()
