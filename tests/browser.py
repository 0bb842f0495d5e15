"""Real headless Chromium for end-to-end tests, driven by Playwright (registered in conftest.py).

Debian's ``chromium`` (installed by scripts/setup.sh) is launched directly:
Playwright never downloads a browser of its own here, and the flags keep the
browser off the network (the machine reaches only package registries).

Fixtures:
  ``chromium``     one browser for the whole session
  ``web_page``     a fresh context (no cookies) and page per test, 10 s timeouts
  ``site``         the live server (pytest-django ``live_server``) with ``url(path)``
                   and ``login(page, username, password)``; its tests use a
                   transactional database, so what the test writes the server sees
  ``make_user``    ``make_user(name, role)`` -> a user with a role and a known password
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FOLIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "browser-test-password-1"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls
    # are still synchronous, so Django's async-safety guard has nothing to protect here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def web_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="es-MX")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


class Site:
    """The live server as a test sees it."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def url(self, path: str = "/") -> str:
        return self.base + path

    def login(self, page, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
        from urllib.parse import quote

        page.goto(self.url(f"/accounts/login/?next={quote(next_path)}"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form [type=submit]")


@pytest.fixture
def site(live_server):
    return Site(live_server.url)


@pytest.fixture
def make_user(transactional_db, settings):
    from django.contrib.auth import get_user_model

    from web.roles import assign

    # A cheap hasher: these tests are about pages, and every login would cost a second of PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def make(name: str, role: str | None = None):
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        if role:
            assign(user, role)
        return user

    return make
