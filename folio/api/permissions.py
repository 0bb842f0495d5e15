"""Who may call what: the roles of web/roles.py, said once per view.

Archive staff (and admins) upload and read batches; reviewers and archive
staff read records and export them. An anonymous caller gets 401 (DRF turns
a denial into NotAuthenticated when no credentials came), a signed-in caller
without the role 403.
"""
from __future__ import annotations

from rest_framework.permissions import BasePermission

from web.roles import ARCHIVE, REVIEWER, has_role


class _Roles(BasePermission):
    roles: tuple[str, ...] = ()
    message = "your role does not open this part of the API"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and has_role(user, *self.roles))


class ArchiveStaff(_Roles):
    """Archive staff and admins: upload batches, read their progress."""

    roles = (ARCHIVE,)


class ReadsRecords(_Roles):
    """Reviewers, archive staff and admins: read records, export them, see completeness."""

    roles = (ARCHIVE, REVIEWER)
