"""Staff pages: upload, batches and their progress, archive completeness."""
from django.urls import path  # noqa: F401  (routes are added by the issue that builds these pages)

app_name = "web"
urlpatterns: list = []
