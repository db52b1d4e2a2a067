"""A member's role in a brand: a plain value that permission checks share, no ORM."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    PR = "pr"
    VIEWER = "viewer"
