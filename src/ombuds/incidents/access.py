"""Who may do what with incidents: PR, managers and admins run them; every member reads them."""

from __future__ import annotations

from ombuds.accounts.models import Role

MANAGING_ROLES = frozenset({Role.PR, Role.MANAGER, Role.ADMIN})


def may_manage(role: Role | None) -> bool:
    """Open, own, change and annotate incidents."""
    return role in MANAGING_ROLES
