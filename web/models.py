"""The web entrances' own rows: failed sign-ins, counted for web.throttle."""
from __future__ import annotations

from django.db import models


class AuthFailure(models.Model):
    """One failed sign-in (a password) or API call (a bad token), kept for the throttle's window.

    In the database so that every web process (several gunicorn workers, several hosts) counts the same
    failures; rows older than the window are deleted as new ones are written."""

    class Kind(models.TextChoices):
        PASSWORD = "password"
        TOKEN = "token"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)
    username = models.CharField(max_length=150, blank=True, default="", db_index=True,
                                help_text="as typed, lower-cased; empty for a bad API token")
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"], name="authfailure_kind_at")]
