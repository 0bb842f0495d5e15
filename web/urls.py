"""Staff pages: upload, batches and their progress, archive completeness."""
from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("completeness/", views.completeness, name="completeness"),
]
