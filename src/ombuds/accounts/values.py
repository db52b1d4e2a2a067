"""A member's role in a brand and a team's assignment policy: plain values that pure modules share, no ORM."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    PR = "pr"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role as pages name it: "PR", not "Pr"."""
        return "PR" if self is Role.PR else self.value.capitalize()


class AssignmentPolicy(StrEnum):
    """How a team gives the cases routed to it to its members."""

    MANUAL = "manual"  # the case waits in the team's queue until someone takes or gives it
    ROUND_ROBIN = "round_robin"  # to each fitting member in turn
    LEAST_LOADED = "least_loaded"  # to the fitting member with the fewest open cases
