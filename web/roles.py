"""Roles are Django auth groups: who may upload, who may review, who administers.

- ``archive``  archive staff: upload batches, watch their progress, export.
- ``reviewer`` reviewers: the review queue, page views, corrections, export.
- ``admin``    administrators: everything, and Django's admin (catalog, users).

Views say which roles they admit with :func:`role_required`; the admin site
itself stays behind ``is_staff``, which only the admin role sets.
"""
from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

ARCHIVE, REVIEWER, ADMIN = "archive", "reviewer", "admin"
ROLES = (ARCHIVE, REVIEWER, ADMIN)


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ROLES)
    names = {g.name for g in user.groups.all()}
    return names & set(ROLES)


def has_role(user, *roles: str) -> bool:
    """True when the user holds one of ``roles`` (the admin role holds them all)."""
    mine = roles_of(user)
    return ADMIN in mine or bool(mine & set(roles))


def role_required(*roles: str):
    """View decorator: 403 for a signed-in user without one of ``roles``.

    Anonymous requests never get this far: LoginRequiredMiddleware sends them to the login page.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("your role does not open this page")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def assign(user, role: str) -> None:
    """Give ``user`` exactly one role; the admin role also opens Django's admin."""
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    user.is_staff = user.is_superuser = role == ADMIN
    user.save()
