"""The web half of issue 7, one test per row of the matrix in docs/security.md.

Each test names its row (``# row N``). Each fails when its protection is taken away; docs/security.md says
which were checked that way and how.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from ingest.models import Batch
from records.models import Field, Report
from web.models import AuthFailure
from web.roles import ADMIN, ARCHIVE, REVIEWER, assign
from webdata import make_report

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "una-contraseña-larga-9"
UNSAFE_METHODS = ("post", "put", "patch", "delete")


# ---------------------------------------------------------------- helpers
@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user(name: str, role: str | None, password: str | None = None):
    u = get_user_model().objects.create_user(name, password=password)
    if role:
        assign(u, role)
    return u


def client_for(u, **kwargs) -> Client:
    c = Client(**kwargs)
    c.force_login(u)
    return c


def jpeg(colour=(255, 255, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "JPEG")
    return out.getvalue()


def with_image(report: Report) -> Report:
    """A stored page image and a field box on it, so the image and crop views have something to send."""
    page = report.page
    page.image = default_storage.save(f"pages/{report.pk}.jpg", ContentFile(jpeg()))
    page.save(update_fields=["image"])
    report.fields.update(bbox=[20, 20, 120, 60])
    return report


@pytest.fixture
def world(settings):
    """Two archive staff with a batch each, a command-line batch (no uploader), a reviewer, an admin."""
    ana, beto = user("ana", ARCHIVE), user("beto", ARCHIVE)
    rita, root = user("rita", REVIEWER), user("root", ADMIN)
    ana_report = with_image(make_report(file="ana.pdf", unidad="71101", uploaded_by=ana))
    beto_report = with_image(make_report(file="beto.pdf", unidad="71102", uploaded_by=beto))
    cli_report = with_image(make_report(file="cli.pdf", unidad="71103"))
    return {"ana": ana, "beto": beto, "rita": rita, "root": root, "ana_report": ana_report,
            "beto_report": beto_report, "cli_report": cli_report,
            "ana_batch": ana_report.page.document.batch, "cli_batch": cli_report.page.document.batch}


def every_route():
    """(route as written, full url name, pattern) for every URL pattern of the project, admin included."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else None
                yield prefix + str(p.pattern), name, p

    return list(walk(get_resolver().url_patterns, "", ""))


def concrete_url(route: str, name: str | None, pattern, w) -> str:
    """The route with its arguments filled by objects that exist (so the view runs to the end)."""
    by_name = {"web:batch": {"batch_id": w["ana_batch"].pk},
               "review:item": {"pk": w["ana_report"].fields.first().pk},
               "review:crop": {"pk": w["ana_report"].fields.first().pk},
               "review:report": {"pk": w["ana_report"].pk}, "review:report_image": {"pk": w["ana_report"].pk},
               "api:batch": {"batch_id": w["ana_batch"].pk}, "api:batch-export": {"batch_id": w["ana_batch"].pk},
               "api:record": {"record_id": w["ana_report"].pk}}
    args = list(pattern.pattern.regex.groupindex)
    kwargs = dict(by_name.get(name, {}))
    for arg in args:
        if arg in kwargs:
            continue
        if arg == "app_label":
            kwargs[arg] = "auth"
        elif arg == "object_id" and not route.startswith("admin/r/"):
            model = apps.get_model(*route.split("/")[1:3])  # admin/<app>/<model>/<path:object_id>/...
            kwargs[arg] = str(model.objects.order_by("pk").values_list("pk", flat=True).first() or 1)
        elif arg == "object_id":  # admin's view-on-site shortcut
            kwargs[arg] = str(w["ana_batch"].pk)
        elif arg == "id":  # admin's password change for a user
            kwargs[arg] = str(w["ana"].pk)
        elif arg == "content_type_id":
            from django.contrib.contenttypes.models import ContentType
            kwargs[arg] = ContentType.objects.get_for_model(Batch).pk
        elif arg == "url":
            kwargs[arg] = "nowhere/"
        else:
            raise AssertionError(f"route {route!r} has an argument {arg!r} this test cannot fill: teach it")
    if name:
        return reverse(name, kwargs=kwargs)
    url = route
    for arg, value in kwargs.items():  # an unnamed pattern: fill the route as written
        url = re.sub(rf"<(\w+:)?{arg}>|\(\?P<{arg}>[^)]*\)", str(value), url)
    return "/" + url.replace("^", "").replace("$", "")


def db_state() -> dict[str, str]:
    """Every table's rows (sessions aside: a request renews its own session's expiry, by design), hashed."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model is Session:
            continue
        rows = list(model.objects.order_by("pk").values_list())
        state[model._meta.db_table] = hashlib.sha256(repr(rows).encode()).hexdigest() + f":{len(rows)}"
    return state


# ---------------------------------------------------------------- row 1: CSRF on every state-changing request
def test_row01_every_route_refuses_unsafe_methods_without_csrf_token(world):
    routes = every_route()
    assert len(routes) > 40  # the admin's included: a walk that found nothing would pass vacuously
    signed_in = client_for(world["root"], enforce_csrf_checks=True)  # a session, so CSRF applies
    signed_in.get("/accounts/login/")  # and the CSRF cookie, as the person's browser holds it: only no token
    assert signed_in.cookies["csrftoken"].value
    before = db_state()
    checked = 0
    for route, name, pattern in routes:
        url = concrete_url(route, name, pattern, world)
        for method in UNSAFE_METHODS:
            response = getattr(signed_in, method)(url, {"action": "accept", "files": []} if method == "post" else "")
            why = response.content.decode(errors="replace") + str(getattr(response, "data", ""))  # DRF's HTML pages
            assert response.status_code == 403 and "CSRF" in why, (method, url, response.status_code)
            checked += 1
    assert db_state() == before
    assert checked == 4 * len(routes)


# ---------------------------------------------------------------- row 2: no state change on GET
def test_row02_get_on_every_route_changes_no_row(world):
    clients = {who: client_for(world[who]) for who in ("root", "ana", "rita")}  # signing in writes last_login
    before = db_state()
    for who, c in clients.items():
        for route, name, pattern in every_route():
            url = concrete_url(route, name, pattern, world)
            response = c.get(url)
            assert response.status_code < 500, (who, url, response.status_code)
            assert db_state() == before, (who, url)
    anonymous = Client()
    for route, name, pattern in every_route():
        anonymous.get(concrete_url(route, name, pattern, world))
    assert db_state() == before


def test_row02b_token_api_calls_are_csrf_exempt_by_design(world):
    """A script's token is sent by the script, never by a browser on its own: no cookie, nothing to forge."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world["ana"])
    script = Client(enforce_csrf_checks=True)
    response = script.post("/api/batches", {"files": []}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400 and "files" in response.json()  # reached the view: no CSRF refusal
    # ... and the same call riding on a session cookie instead is refused.
    browser = client_for(world["ana"], enforce_csrf_checks=True)
    response = browser.post("/api/batches", {"files": []})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# ---------------------------------------------------------------- row 3-5: per-object permissions
def _same_answer(c: Client, theirs: str, missing: str) -> int:
    """Someone else's object answers exactly like one that does not exist (status and body, ids aside)."""
    a, b = c.get(theirs), c.get(missing)
    norm = lambda r: re.sub(rb"\d+", b"N", r.content)  # noqa: E731
    assert (a.status_code, norm(a)) == (b.status_code, norm(b)), (theirs, a.status_code, b.status_code)
    return a.status_code


def test_row03_pages_images_and_exports_of_another_unit_answer_404_like_missing_ids(world):
    beto = client_for(world["beto"])
    batch, report = world["ana_batch"].pk, world["ana_report"].pk
    field = world["ana_report"].fields.first().pk
    for theirs, missing in ((f"/batches/{batch}/", "/batches/999999/"),
                            (f"/review/report/{report}/", "/review/report/999999/"),
                            (f"/review/report/{report}/image.jpg", "/review/report/999999/image.jpg"),
                            (f"/batches/{world['cli_batch'].pk}/", "/batches/999998/")):
        assert _same_answer(beto, theirs, missing) == 404
    # The reviewer-only views are closed by role, to every id alike (no oracle either).
    assert _same_answer(beto, f"/review/field/{field}/crop.jpg", "/review/field/999999/crop.jpg") == 403
    # The owner and the reviewers do get them.
    ana, rita = client_for(world["ana"]), client_for(world["rita"])
    for url in (f"/batches/{batch}/", f"/review/report/{report}/", f"/review/report/{report}/image.jpg"):
        assert ana.get(url).status_code == 200, url
    for url in (f"/review/report/{report}/", f"/review/field/{field}/crop.jpg", f"/review/field/{field}/"):
        assert rita.get(url).status_code == 200, url


def test_row04_api_objects_of_another_unit_answer_404_like_missing_ids(world):
    beto = client_for(world["beto"])
    batch, report = world["ana_batch"].pk, world["ana_report"].pk
    for theirs, missing in ((f"/api/batches/{batch}", "/api/batches/999999"),
                            (f"/api/batches/{batch}/export?format=csv", "/api/batches/999999/export?format=csv"),
                            (f"/api/records/{report}", "/api/records/999999")):
        assert _same_answer(beto, theirs, missing) == 404
    ana = client_for(world["ana"])
    assert ana.get(f"/api/batches/{batch}").status_code == 200
    assert ana.get(f"/api/records/{report}").status_code == 200


def test_row05_lists_and_exports_hold_only_what_the_person_may_see(world):
    ana, rita = client_for(world["ana"]), client_for(world["rita"])
    mine, everything = {world["ana_report"].pk}, {world[k].pk for k in ("ana_report", "beto_report", "cli_report")}
    assert {r["id"] for r in ana.get("/api/records").json()["results"]} == mine
    assert {r["id"] for r in rita.get("/api/records").json()["results"]} == everything
    assert [b["batch_id"] for b in ana.get("/api/batches").json()["results"]] == [world["ana_batch"].pk]
    beto_batch = world["beto_report"].page.document.batch_id
    assert ana.get(f"/api/records?batch={beto_batch}").json()["results"] == []
    page = ana.get("/batches/").content.decode()
    assert f"/batches/{world['ana_batch'].pk}/" in page and f"/batches/{beto_batch}/" not in page
    lines = ana.get("/review/export/?format=jsonl").getvalue().decode().splitlines()
    assert [json.loads(x)["unidad_ejecutora"]["code"] for x in lines] == ["71101"]
    assert ana.get(f"/review/export/?format=jsonl&batch={beto_batch}").getvalue() == b""
    assert len(rita.get("/review/export/?format=jsonl").getvalue().decode().splitlines()) == 3


def test_row06_stored_bytes_are_never_served_as_a_page(world):
    """A PNG that is also HTML, stored as a page image: sent as an image, never sniffed, never rendered."""
    polyglot = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"<html><script>alert(document.cookie)</script></html>")
    report = world["ana_report"]
    default_storage.delete(report.page.image)
    report.page.image = default_storage.save("pages/polyglot.jpg", ContentFile(polyglot))
    report.page.save(update_fields=["image"])
    response = client_for(world["ana"]).get(f"/review/report/{report.pk}/image.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    # Bytes with no image signature at all go as opaque bytes, never as text/html.
    default_storage.delete(report.page.image)
    report.page.image = default_storage.save("pages/plain.jpg", ContentFile(b"<html><script>x()</script></html>"))
    report.page.save(update_fields=["image"])
    response = client_for(world["ana"]).get(f"/review/report/{report.pk}/image.jpg")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    # The crop is made here (a JPEG), and goes out the same way.
    field = world["beto_report"].fields.first()
    response = client_for(world["rita"]).get(f"/review/field/{field.pk}/crop.jpg")
    assert response["Content-Type"] == "image/jpeg" and response["Content-Disposition"].startswith("attachment;")


# ---------------------------------------------------------------- rows 7-9: sessions
def _login(c: Client, username: str, password: str = PASSWORD, **extra):
    return c.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_row07_session_key_is_renewed_at_login(fast_hasher):
    user("ana", ARCHIVE, PASSWORD)
    c = Client()
    planted = c.session  # an attacker's session, fixed in the victim's browser before sign-in
    planted["marker"] = "fixed"
    planted.save()
    c.cookies["sessionid"] = planted.session_key
    assert _login(c, "ana").status_code == 302
    assert c.cookies["sessionid"].value != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    stale = Client()
    stale.cookies["sessionid"] = planted.session_key
    assert stale.get("/batches/").status_code == 302  # the planted key opens nothing


def test_row08_logout_kills_the_session_cookie(fast_hasher):
    user("ana", ARCHIVE, PASSWORD)
    c = Client()
    _login(c, "ana")
    cookie = c.cookies["sessionid"].value
    assert c.get("/batches/").status_code == 200
    assert c.get("/accounts/logout/").status_code == 405  # GET changes nothing, not even this
    assert c.get("/batches/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie  # a copy of the cookie taken before the logout
    response = replay.get("/batches/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_row09_idle_sessions_end(settings, fast_hasher):
    settings.SESSION_COOKIE_AGE = 600  # what FOLIO_SESSION_IDLE_SECONDS=600 sets (checked below)
    user("ana", ARCHIVE, PASSWORD)
    c = Client()
    _login(c, "ana")
    key = c.cookies["sessionid"].value

    def idle(seconds: int):  # as if the person had been away this long since the last request
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=600 - seconds))

    idle(500)
    assert c.get("/batches/").status_code == 200  # still in: and the request renews the idle clock
    left = (Session.objects.get(session_key=key).expire_date - timezone.now()).total_seconds()
    assert 590 < left <= 600
    idle(601)
    response = c.get("/batches/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    out = subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                          "'folio.settings'; from django.conf import settings; "
                          "print(settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST)"],
                         env={**os.environ, "FOLIO_SESSION_IDLE_SECONDS": "600"}, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["600", "True"], out.stderr


# ---------------------------------------------------------------- rows 10-13: throttling
@pytest.fixture
def throttle(settings, fast_hasher):
    settings.FOLIO_LOGIN_FAILURES_PER_USER = 3
    settings.FOLIO_LOGIN_FAILURES_PER_IP = 5
    settings.FOLIO_LOGIN_WINDOW_SECONDS = 900
    settings.FOLIO_TOKEN_FAILURES_PER_IP = 3
    return settings


def test_row10_login_throttled_per_username(throttle):
    user("ana", ARCHIVE, PASSWORD)
    for typed in ("ana", "Ana", "ANA "):  # the name counts as typed, lower-cased and trimmed
        response = _login(Client(), typed, "wrong-password-1")
        assert response.status_code == 200 and "Usuario o contraseña incorrectos" in response.content.decode()
    # From another address, with the right password: still refused, and told why.
    c = Client(REMOTE_ADDR="10.9.9.9")
    response = _login(c, "ana", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200 and "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in c.session
    # The count lives in the database, where every web process (and host) reads it.
    assert AuthFailure.objects.filter(username="ana").count() == 3
    AuthFailure.objects.update(at=timezone.now() - timedelta(seconds=901))  # the window passes
    assert _login(c, "ana", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302
    assert not AuthFailure.objects.filter(username="ana", at__gte=timezone.now() - timedelta(seconds=900)).exists()


def test_row11_login_throttled_per_address(throttle):
    user("ana", ARCHIVE, PASSWORD)
    for i in range(5):  # one address trying many names
        _login(Client(), f"nadie{i}", "wrong-password-1", REMOTE_ADDR="10.0.0.7")
    response = _login(Client(), "ana", PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200 and "Demasiados intentos fallidos" in response.content.decode()
    assert _login(Client(), "ana", PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 302  # others unaffected


def test_row12_admin_login_is_throttled_too(throttle):
    user("root", ADMIN, PASSWORD)
    for _ in range(3):
        Client().post("/admin/login/", {"username": "root", "password": "wrong-password-1"})
    response = Client().post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200 and "Demasiados intentos fallidos" in response.content.decode()


def test_row13_bad_api_tokens_are_throttled(throttle, world):
    from rest_framework.authtoken.models import Token

    good = Token.objects.create(user=world["ana"]).key
    for i in range(3):
        r = Client().get("/api/batches", HTTP_AUTHORIZATION=f"Token {'0' * 39}{i}")
        assert r.status_code == 401
    r = Client().get("/api/batches", HTTP_AUTHORIZATION=f"Token {'f' * 40}")
    assert r.status_code == 429 and "too many invalid tokens" in r.json()["detail"] and r["Retry-After"]
    assert Client().get("/api/batches", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.1.1.1").status_code == 200


# ---------------------------------------------------------------- row 14: password validation
def test_row14_weak_passwords_are_refused_everywhere_one_is_set(monkeypatch, fast_hasher):
    from folio import commands

    class Args:
        action, username, role, password_env = "add", "ana", "archive", "TEST_FOLIO_PW"

    for weak in ("corta1", "1234567890123", "password1234"):  # short, all digits, a common one
        monkeypatch.setenv("TEST_FOLIO_PW", weak)
        assert commands.cmd_users(Args) == 2, weak
    assert not get_user_model().objects.filter(username="ana").exists()
    # The person's own password page.
    u = user("beto", ARCHIVE, PASSWORD)
    c = client_for(u)
    for weak in ("corta1", "12345678901234", "password1234"):
        response = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": weak,
                                                  "new_password2": weak})
        assert response.status_code == 200 and 'id="password-errors"' in response.content.decode(), weak
    u.refresh_from_db()
    assert u.check_password(PASSWORD)
    strong = "otra-contraseña-bastante-larga-7"
    assert c.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": strong,
                                          "new_password2": strong}).status_code == 302
    # The admin's user forms.
    admin = client_for(user("root", ADMIN))
    response = admin.post("/admin/auth/user/add/", {"username": "carla", "password1": "12345678901",
                                                    "password2": "12345678901", "usable_password": "true"})
    assert response.status_code == 200 and not get_user_model().objects.filter(username="carla").exists()


# ---------------------------------------------------------------- rows 15-17: bodies bounded before they are read
def _raw(live_server, head: str, body: bytes = b"", timeout: float = 15) -> tuple[int, dict, bytes]:
    """Send the request line, headers and only ``body`` (less than announced), and read the answer.

    The answer must come while the rest of the body is still unsent. (Django's development server then waits
    to drain the body it was promised before closing, so the answer ends by its length or by silence.)"""
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            assert chunk, f"the server closed without answering: {data!r}"
            data += chunk
        s.settimeout(1.0)
        while len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, rest


def _length(data: bytes) -> int:
    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", data.split(b"\r\n\r\n", 1)[0])
    return int(m.group(1)) if m else 1 << 30


BOUNDARY = "folio-boundary"


def _part(name: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()


@pytest.fixture
def token(transactional_db):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user("script", ARCHIVE)).key


def test_row15_a_body_announced_over_the_request_limit_is_answered_413_unread(live_server, token, settings):
    settings.FOLIO_MAX_REQUEST_MB = 5
    huge = 3 * 1024 ** 3  # 3 GB announced; not one byte of it is sent
    status, headers, body = _raw(live_server, (
        f"POST /api/batches HTTP/1.1\nHost: localhost\nAuthorization: Token {token}\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\nContent-Length: {huge}\n"))
    assert status == 413 and headers["content-type"] == "application/json"
    assert "larger than 5 MB" in json.loads(body)["detail"]
    # The upload page, anonymous even: a readable page, in Spanish.
    status, headers, body = _raw(live_server, (
        f"POST /upload/ HTTP/1.1\nHost: localhost\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\nContent-Length: {huge}\n"))
    assert status == 413 and headers["content-type"].startswith("text/html")
    assert "pesa más de 5 MB" in body.decode()
    assert not Batch.objects.exists()


def test_row16_a_file_over_its_limit_stops_the_read_midway(live_server, token, settings):
    settings.FOLIO_MAX_UPLOAD_MB = 1
    announced = 50 * 1024 * 1024  # under the request limit: only the streamed count can stop it
    sent = _part("grande.pdf") + b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 200 * 1024)  # 1.2 MB of 50
    status, headers, body = _raw(live_server, (
        f"POST /api/batches HTTP/1.1\nHost: localhost\nAuthorization: Token {token}\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\nContent-Length: {announced}\n"), sent)
    assert status == 413, body
    assert "'grande.pdf' is larger than 1 MB" in json.loads(body)["detail"]
    # The upload form without script: the CSRF check reads the form first, and the read stops the same way.
    status, headers, body = _raw(live_server, (
        f"POST /upload/ HTTP/1.1\nHost: localhost\nCookie: csrftoken={'a' * 32}\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\nContent-Length: {announced}\n"), sent)
    assert status == 413 and "«grande.pdf» pesa más de 1 MB" in body.decode()
    assert not Batch.objects.exists()


def test_row17_too_many_files_stop_the_read_at_the_first_file_over(live_server, token, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = settings.FOLIO_MAX_UPLOAD_FILES = 3
    # The server reads in 64 KB chunks: a little more than that is sent, of the 20 MB announced.
    sent = b"".join(_part(f"f{i}.pdf") + b"%PDF-1.4\n\r\n" for i in range(4)) + b"x" * (200 * 1024)
    status, headers, body = _raw(live_server, (
        f"POST /api/batches HTTP/1.1\nHost: localhost\nAuthorization: Token {token}\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\nContent-Length: {20 * 1024 * 1024}\n"), sent)
    assert status == 400 and "more than 3 files" in json.loads(body)["detail"]
    assert not Batch.objects.exists()


# ---------------------------------------------------------------- row 18: production settings
def _settings_run(env: dict, code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FOLIO_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "folio.settings", **env},
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


DEPLOY = """
import django
django.setup()
from django.core.management import call_command
call_command("check", "--deploy", "--fail-level", "WARNING")
from django.test import Client
r = Client().get("/accounts/login/", HTTP_HOST="folio.example.org")
print("redirect", r.status_code, r["Location"])
r = Client().get("/accounts/login/", HTTP_HOST="folio.example.org", secure=True)
print("hsts", r["Strict-Transport-Security"])
print("cookie", r.cookies["__Host-csrftoken"]["secure"])
"""


def test_row18_production_settings_pass_check_deploy_and_refuse_the_development_key(tmp_path):
    prod = {"FOLIO_PRODUCTION": "1", "FOLIO_HOME": str(tmp_path), "FOLIO_ALLOWED_HOSTS": "folio.example.org",
            "FOLIO_SECRET_KEY": "k" + hashlib.sha256(os.urandom(16)).hexdigest()}
    out = _settings_run(prod, DEPLOY)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "redirect 301 https://folio.example.org/accounts/login/" in out.stdout
    assert "hsts max-age=31536000; includeSubDomains" in out.stdout and "cookie True" in out.stdout
    refused = _settings_run({**prod, "FOLIO_SECRET_KEY": ""}, "import django; django.setup()")
    assert refused.returncode != 0 and "needs FOLIO_SECRET_KEY" in refused.stderr
    # The embedded mode (no FOLIO_PRODUCTION) stays plain HTTP: what `folio serve` on localhost needs.
    from django.conf import settings

    assert not settings.SECURE_SSL_REDIRECT and not settings.SESSION_COOKIE_SECURE
    assert Client().get("/accounts/login/").status_code == 200


# ---------------------------------------------------------------- rows 19-20: headers and the content policy
HEADERS = {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
           "Cross-Origin-Opener-Policy", "Permissions-Policy"}


def test_row19_security_headers_on_every_kind_of_response(world, settings):
    ana = client_for(world["ana"])
    responses = {
        "login page": Client().get("/accounts/login/"),
        "redirect": Client().get("/batches/"),
        "page": ana.get("/batches/"),
        "404": ana.get("/batches/999999/"),
        "403": ana.get("/review/"),
        "api 401": Client().get("/api/batches"),
        "api json": ana.get("/api/batches"),
        "image": ana.get(f"/review/report/{world['ana_report'].pk}/image.jpg"),
        "export": ana.get("/review/export/?format=csv"),
        "api docs": ana.get("/api/docs/"),
        "413": Client().post("/upload/", data=b"x", content_type="application/octet-stream",
                             CONTENT_LENGTH=str(2 * 1024 ** 4)),
    }
    for what, r in responses.items():
        missing = {h for h in HEADERS if h not in r.headers}
        assert not missing, (what, r.status_code, missing)
        assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff", what
    assert responses["413"].status_code == 413
    csp = responses["page"]["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "object-src 'none'" in csp


def test_row20_no_template_has_inline_script_style_or_handlers():
    """What lets the policy forbid inline code: the pages' own templates have none (the browser test in
    tests/test_security_browser.py checks the pages, the admin and Swagger UI run with no violation)."""
    offenders = []
    for path in sorted((ROOT / "web" / "templates").rglob("*.html")) + sorted((ROOT / "review" / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert not offenders


# ---------------------------------------------------------------- row 23: markup read from a scan
MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_row23_markup_read_from_a_scan_is_shown_as_text_on_every_page(world):
    """OCR text and file names are untrusted: a scan that prints HTML must be shown, never run."""
    report = world["ana_report"]
    report.data = {**report.data, "rows": [{"kind": "accion", "number": 1, "descripcion": MARKUP}]}
    report.save()
    report.fields.update(raw=MARKUP, value=MARKUP)
    report.page.document.__class__.objects.filter(pk=report.page.document_id).update(name=MARKUP)  # an old row
    field = report.fields.first()
    pages = {
        "rita": [f"/review/field/{field.pk}/", f"/review/report/{report.pk}/", "/review/"],
        "ana": [f"/batches/{world['ana_batch'].id}/", "/batches/"],
    }
    seen = 0
    for who, urls in pages.items():
        c = client_for(world[who])
        for url in urls:
            response = c.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "<script>alert(2)" not in body and '<img src=x onerror' not in body, url
            seen += "&lt;script&gt;alert(2)" in body or "&lt;img src=x" in body
    assert seen >= 3  # the payload is really on those pages, escaped (else this test would prove nothing)
