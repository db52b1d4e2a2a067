"""Who may do what in administration, and the brand-scoped lookups every admin page makes.

Everything here answers in the brand the person works in now: a row of another brand is "not
found" (404), the same answer as a row that does not exist.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Role
from ombuds.errors import Forbidden, InvalidInput, NotFound
from ombuds.web.admin_sections import ADMINS
from ombuds.web.deps import SignedIn

ROLE_WORDS = {
    Role.ADMIN: "Admin: everything, administration included",
    Role.MANAGER: "Manager: teams, SLA, every case",
    Role.AGENT: "Agent: works cases",
    Role.PR: "PR: statements, incidents, approvals",
    Role.VIEWER: "Viewer: reads, personal data masked",
}

Row = TypeVar("Row")


def admin_brand(signed_in: SignedIn, roles: frozenset[Role] = ADMINS) -> Brand:
    """The brand the person administers now; 403 saying who may, when their role does not."""
    if signed_in.brand is None:
        raise Forbidden("you belong to no brand yet")
    if signed_in.role not in roles:
        who = " and ".join(sorted(f"{role.value}s" for role in roles))
        raise Forbidden(f"only {who} of {signed_in.brand.name} may do this")
    return signed_in.brand


def owned(session: Session, model: type[Row], row_id: int, *, brand: Brand, what: str) -> Row:
    """The row of this brand with this id; 404 for another brand's as for a missing one."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "brand_id", None) != brand.id:
        raise NotFound(f"{brand.name} has no {what} {row_id}")
    return row


def required(value: str, *, field: str, most: int = 200) -> str:
    """Text a person typed, trimmed; a clear 422 naming the field when it is empty or too long."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field}: please fill it in")
    if len(text) > most:
        raise InvalidInput(f"{field}: at most {most} characters (this has {len(text)})")
    return text
