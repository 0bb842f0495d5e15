from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from web.views import home

handler400 = "web.errors.bad_request"  # JSON under /api/, a page elsewhere (e.g. too many files)

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("api/", include("folio.api.urls")),
    path("", include("web.urls")),
]
