"""Template context: the signed-in user's roles, for the navigation."""
from __future__ import annotations

from web.roles import roles_of


def roles(request) -> dict:
    return {"roles": roles_of(getattr(request, "user", None)) if hasattr(request, "user") else set()}
