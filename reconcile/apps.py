from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    """The catalog's Django model lives beside the pure reconcile modules."""

    name = "reconcile"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"
