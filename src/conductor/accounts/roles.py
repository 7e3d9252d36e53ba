"""Roles and what each may do. Staff cannot delete, export or change roles."""

from __future__ import annotations

from typing import Final

ADMIN, MANAGER, STAFF = "admin", "manager", "staff"
ROLES: Final = (ADMIN, MANAGER, STAFF)

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    ADMIN: frozenset({"read", "edit", "send", "delete", "export", "manage_users"}),
    MANAGER: frozenset({"read", "edit", "send", "delete", "export"}),
    STAFF: frozenset({"read", "edit", "send"}),
}


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
