"""Roles and what each may do. Staff cannot delete, export, change roles or change points
(approve receipts, adjust balances)."""

from __future__ import annotations

from typing import Final

ADMIN, MANAGER, STAFF = "admin", "manager", "staff"
ROLES: Final = (ADMIN, MANAGER, STAFF)

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    ADMIN: frozenset({"read", "edit", "send", "delete", "export", "points", "manage_users"}),
    MANAGER: frozenset({"read", "edit", "send", "delete", "export", "points"}),
    STAFF: frozenset({"read", "edit", "send"}),
}


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
