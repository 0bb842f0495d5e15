"""Login everywhere but the login page; roles are groups; the admin site only for the admin role."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from web.roles import ADMIN, ARCHIVE, REVIEWER, assign, has_role

pytestmark = pytest.mark.django_db


def make_user(name: str, role: str | None):
    user = get_user_model().objects.create_user(name, password="a-long-enough-secret-1")
    if role:
        assign(user, role)
    return user


def test_anonymous_is_sent_to_login(client):
    for url in ("/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url
    assert client.get("/accounts/login/").status_code == 200


def test_roles_are_groups_and_admin_holds_all():
    reviewer, archive, admin = make_user("r", REVIEWER), make_user("a", ARCHIVE), make_user("x", ADMIN)
    assert has_role(reviewer, REVIEWER) and not has_role(reviewer, ARCHIVE)
    assert has_role(archive, ARCHIVE) and not has_role(archive, REVIEWER)
    assert has_role(admin, REVIEWER) and has_role(admin, ARCHIVE)
    assert admin.is_staff and not reviewer.is_staff and not archive.is_staff


def test_reviewer_cannot_reach_admin(client):
    make_user("r", REVIEWER)
    client.login(username="r", password="a-long-enough-secret-1")
    response = client.get("/admin/reconcile/catalogentry/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_reaches_catalog_admin(client):
    make_user("x", ADMIN)
    client.login(username="x", password="a-long-enough-secret-1")
    assert client.get("/admin/reconcile/catalogentry/").status_code == 200


def test_users_command_adds_with_role(monkeypatch, capsys):
    from folio import commands

    class Args:
        action, username, role, password_env = "add", "ana", "reviewer", "TEST_FOLIO_PW"

    monkeypatch.setenv("TEST_FOLIO_PW", "short")
    assert commands.cmd_users(Args) == 2  # too short: the validators refuse it
    monkeypatch.setenv("TEST_FOLIO_PW", "ana-has-a-long-password-9")
    assert commands.cmd_users(Args) == 0
    user = get_user_model().objects.get(username="ana")
    assert has_role(user, REVIEWER) and not user.is_staff
