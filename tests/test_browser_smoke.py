"""The browser fixture works: a real Chromium reaches the live server, and login guards it."""
from __future__ import annotations

import pytest

from web.roles import REVIEWER

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_browser_is_sent_to_login(site, web_page):
    web_page.goto(site.url("/"))
    assert "/accounts/login/" in web_page.url
    assert web_page.locator("input[name=password]").count() == 1


def test_wrong_password_stays_on_login(site, web_page, make_user):
    make_user("rita", REVIEWER)
    site.login(web_page, "rita", "not-her-password")
    assert "/accounts/login/" in web_page.url
    assert web_page.locator(".error").count() == 1
