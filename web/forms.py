"""The sign-in forms (the site's and the admin's): say in Spanish why a throttled sign-in is refused.

The refusal itself is web.throttle.ThrottledModelBackend's; these only word it."""
from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from web import throttle


class _Throttled:
    throttled_message = ""

    def clean(self):
        wait = throttle.wait_seconds(self.request, self.data.get("username"))
        if wait:
            self.throttled_message = throttle.refusal(wait)
            raise forms.ValidationError(self.throttled_message, code="throttled")
        return super().clean()


class LoginForm(_Throttled, AuthenticationForm):
    pass


class AdminLoginForm(_Throttled, AdminAuthenticationForm):
    pass
