from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from web.forms import AdminLoginForm, LoginForm
from web.views import home

handler400 = "web.errors.bad_request"  # JSON under /api/, a page elsewhere (e.g. too many files; 413 too large)
admin.site.login_form = AdminLoginForm  # the admin's sign-in is throttled and worded like the site's

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("password_done"), template_name="web/password_change.html"), name="password"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="web/password_done.html"), name="password_done"),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("api/", include("folio.api.urls")),
    path("", include("web.urls")),
]
