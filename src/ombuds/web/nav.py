"""The top navigation: one entry per page people go to. Add one line when a package adds a page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    path: str
    #: Paths that start with any of these mark the entry as the current page.
    prefixes: tuple[str, ...] = ()
    #: The roles (values such as "admin") the entry is shown to; empty: everyone.
    roles: frozenset[str] = frozenset()

    def is_shown_to(self, role: str | None) -> bool:
        return not self.roles or role in self.roles

    def is_current(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in (self.path, *self.prefixes))


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("Inbox", "/inbox", prefixes=("/cases",)),
    NavEntry("Search", "/search", prefixes=("/customers",)),
    NavEntry("Tasks", "/tasks"),
    NavEntry("Team", "/team"),
    NavEntry("Incidents", "/incidents"),
    # PR and managers decide what is a problem; an owning team finds its own on its Tasks page
    NavEntry("Problems", "/problems", roles=frozenset({"pr", "manager", "admin"})),
    NavEntry("Dashboard", "/dashboard"),
    NavEntry("Report", "/reports/ombudsman", prefixes=("/reports",)),
    NavEntry("Promises", "/promises"),
    NavEntry("Resolutions", "/resolutions"),
    NavEntry("Approvals", "/replies/approvals"),
    NavEntry("Wording", "/wording"),
    NavEntry("Surveys", "/surveys"),
    NavEntry("Notifications", "/notifications"),
    NavEntry("Admin", "/admin", roles=frozenset({"admin", "manager"})),
    # One line per package page, e.g. NavEntry("Incidents", "/incidents"),
)
