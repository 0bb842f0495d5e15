"""Reviewer pages: review queue, one item at a time, page view, export."""
from django.urls import path

from review import views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_item, name="next"),
    path("field/<int:pk>/", views.item, name="item"),
    path("field/<int:pk>/crop.jpg", views.crop, name="crop"),
    path("report/<int:pk>/", views.page, name="report"),
    path("report/<int:pk>/image.jpg", views.page_image, name="report_image"),
    path("export/", views.export, name="export"),
]
