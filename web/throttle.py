"""Sign-in throttling: too many failures for one username, or from one address, close sign-in for a while.

Counted in the database (web.models.AuthFailure), not in a cache: the default cache is per process, and a
service runs several web processes on several hosts, which must all see the same count. The rule:

- a username with FOLIO_LOGIN_FAILURES_PER_USER failed passwords within FOLIO_LOGIN_WINDOW_SECONDS, or an
  address with FOLIO_LOGIN_FAILURES_PER_IP, is refused without the password being checked, until the oldest
  failure in the window ages out;
- a successful sign-in clears its username's failures (not its address's);
- the API: an address that sent FOLIO_TOKEN_FAILURES_PER_IP bad tokens within the window gets 429.

Every path that checks a password goes through :class:`ThrottledModelBackend` (the login page, the admin's
login page, anything calling ``authenticate``); the forms in web.forms only word the refusal. See
docs/security.md.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from web.models import AuthFailure

PASSWORD, TOKEN = AuthFailure.Kind.PASSWORD, AuthFailure.Kind.TOKEN


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind a proxy (FOLIO_BEHIND_PROXY=1) the last X-Forwarded-For hop."""
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45] or None


def _name(username) -> str:
    return str(username or "").strip().lower()[:150]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.FOLIO_LOGIN_WINDOW_SECONDS)


def _wait(failures, limit: int) -> int:
    """0 while fewer than ``limit`` of ``failures`` fall in the window; else the seconds until the
    limit-th most recent of them leaves it."""
    since = _window_start()
    times = list(failures.filter(at__gte=since).order_by("-at").values_list("at", flat=True)[:limit])
    return max(1, int((times[-1] - since).total_seconds()) + 1) if len(times) >= limit else 0


def wait_seconds(request, username) -> int:
    """0 when a sign-in may be tried; else how many seconds until it may (the oldest counted failure ages out)."""
    name, ip = _name(username), client_ip(request)
    waits = [_wait(AuthFailure.objects.filter(kind=PASSWORD, **{field: value}), limit)
             for field, value, limit in (("username", name, settings.FOLIO_LOGIN_FAILURES_PER_USER),
                                         ("ip", ip, settings.FOLIO_LOGIN_FAILURES_PER_IP))
             if value]
    return max(waits, default=0)


def record_failure(request, username, kind=PASSWORD) -> None:
    AuthFailure.objects.filter(at__lt=_window_start()).delete()  # the table holds one window at most
    AuthFailure.objects.create(kind=kind, username=_name(username), ip=client_ip(request), at=timezone.now())


def refusal(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (f"Demasiados intentos fallidos. Por seguridad, la entrada está cerrada unos {minutes} minuto(s) "
            f"para este usuario o esta red; espera y vuelve a intentarlo, o pide a un administrador que revise "
            f"tu cuenta.")


class ThrottledModelBackend(ModelBackend):
    """Django's backend, closed while the username or the address has too many recent failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if wait_seconds(request, username):
            if request is not None:
                request.folio_throttled = True
            return None  # not even checked: a right password during the lock-out opens nothing
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="folio-throttle-failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "folio_throttled", False):
        return  # a refused attempt is not a new failure: the lock-out ends when the window says
    record_failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="folio-throttle-success")
def _succeeded(sender, request, user, **kwargs):
    AuthFailure.objects.filter(kind=PASSWORD, username=_name(user.get_username())).delete()


class ThrottledTokenAuthentication(TokenAuthentication):
    """REST framework's token authentication; an address sending too many bad tokens gets 429 for a while."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("token "):
            return None
        wait = _wait(AuthFailure.objects.filter(kind=TOKEN, ip=client_ip(request)),
                     settings.FOLIO_TOKEN_FAILURES_PER_IP)
        if wait:
            raise Throttled(wait=wait, detail="too many invalid tokens from this address; wait before trying again")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            record_failure(request, "", kind=TOKEN)
            raise
