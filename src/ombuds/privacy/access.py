"""Who may erase and export customers: a named admin erases; admins and managers export. Pure."""

from __future__ import annotations

from ombuds.accounts.values import Role

MAY_ERASE = frozenset({Role.ADMIN})
MAY_EXPORT = frozenset({Role.ADMIN, Role.MANAGER})
