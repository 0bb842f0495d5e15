"""Reviewer pages: review queue, page view, corrections."""
from django.urls import path  # noqa: F401  (routes are added by the issue that builds these pages)

app_name = "review"
urlpatterns: list = []
