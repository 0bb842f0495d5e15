"""Routes of the JSON API, mounted at /api/ by folio/urls.py.

Every view is exempt from the site's LoginRequiredMiddleware (which would
answer a script with a login redirect); REST framework's own authentication
and the role permissions answer instead, in JSON (401/403).
"""
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from folio.api import views

app_name = "api"


def _api(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


def _page(view_class, **kwargs):
    """An HTML page of the API (the browsable description): anonymous people go to the login page."""
    view = view_class.as_view(**kwargs)
    view.login_required = True  # REST framework opts its views out of the site's login redirect
    return view


urlpatterns = [
    path("batches", _api(views.BatchList), name="batches"),
    path("batches/<int:batch_id>", _api(views.BatchDetail), name="batch"),
    path("batches/<int:batch_id>/export", _api(views.BatchExport), name="batch-export"),
    path("records", _api(views.RecordList), name="records"),
    path("records/<int:record_id>", _api(views.RecordDetail), name="record"),
    path("completeness", _api(views.Completeness), name="completeness"),
    path("schema/", _api(SpectacularAPIView), name="schema"),
    # The split view serves its start-up script at ?script (no inline script: the Content-Security-Policy).
    path("docs/", _page(SpectacularSwaggerSplitView, url_name="api:schema", template_name="api/swagger_ui.html"),
         name="docs"),
]
