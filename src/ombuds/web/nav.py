"""The top navigation: one entry per page people go to. Add one line when a package adds a page.

The pages of a working day stay in the bar; the rest (``more=True``) sit under "More", so the bar
keeps to one line on a laptop whatever the number of pages."""

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
    #: Under "More" rather than in the bar.
    more: bool = False

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
    NavEntry("Report", "/reports/ombudsman", prefixes=("/reports",), more=True),
    NavEntry("Promises", "/promises"),
    NavEntry("Resolutions", "/resolutions", more=True),
    NavEntry("Approvals", "/replies/approvals", more=True),
    NavEntry("Wording", "/wording", more=True),
    NavEntry("Surveys", "/surveys", more=True),
    NavEntry("Notifications", "/notifications", more=True),
    NavEntry("Admin", "/admin", roles=frozenset({"admin", "manager"}), more=True),
    # One line per package page, e.g. NavEntry("Incidents", "/incidents"),
)
