"""The sections of administration and who opens each: the overview lists them, every admin page's
menu too, so a person is never offered a page that would refuse them. Pure."""

from __future__ import annotations

from typing import NamedTuple

from ombuds.accounts.models import Role

#: brands, people, tokens, routing rules, alert channels and sources
ADMINS = frozenset({Role.ADMIN})
#: teams and the SLA policy: managers run their teams' day
KEEPERS = frozenset({Role.ADMIN, Role.MANAGER})


class Section(NamedTuple):
    label: str
    path: str
    roles: frozenset[Role]
    purpose: str


SECTIONS = (
    Section("Brands", "/admin/brands", ADMINS, "Names people see; a new brand for a new client."),
    Section("Teams", "/admin/teams", KEEPERS, "Create, rename and archive the teams cases go to."),
    Section("People", "/admin/people", ADMINS, "Invite people, change roles, deactivate."),
    Section("API tokens", "/admin/tokens", ADMINS, "Tokens for machines: created once, revoked any time."),
    Section("Routing rules", "/admin/rules", ADMINS, "Which team a case goes to, in order; try a sample."),
    Section("SLA and hours", "/admin/sla", KEEPERS, "Response targets, business hours, escalation."),
    Section("Alert channels", "/admin/alerts", ADMINS, "Where incident alerts go; send a test."),
    Section("Data sources", "/admin/sources", ADMINS, "Where mentions come from; pause, resume, health."),
    Section(
        "Weekly digest",
        "/admin/digest",
        KEEPERS,
        "When the executive digest goes out, to whom; send one now.",
    ),
)


def sections_for(role: Role | None) -> list[Section]:
    """The sections ``role`` may open, in the menu's order."""
    return [section for section in SECTIONS if role in section.roles]
