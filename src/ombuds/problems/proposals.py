"""What Ombuds proposes as problems, from what it already sees. Pure: the reader passes plain values.

Three signs of a cause behind many cases:

* a category growing week over week among open cases (``CategoryWeeks``);
* an open incident's open cases (a storm is one cause, seen from outside);
* a promise customers keep contradicting in open cases (marketing says one thing, they live another).

A proposal names its evidence and the cases; PR or a manager confirms it (it becomes a problem)
or dismisses it. Cases another problem explains already are left out; a proposal left with too
few cases, confirmed or dismissed already, is not made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

#: Fewest open cases in a category this week for it to be a trend rather than a coincidence.
GROWTH_MIN_CASES = 4
#: This week against last week: half as many again is growth worth a look.
GROWTH_FACTOR = 1.5
#: Fewest open cases an incident or a promise's contradictions need to be worth a problem.
MIN_CASES = 2


@dataclass(frozen=True, slots=True)
class CategoryWeeks:
    """Open cases of one category opened this week (their ids) and the week before (a count)."""

    category: str
    this_week: Sequence[int]
    last_week: int


@dataclass(frozen=True, slots=True)
class IncidentCases:
    incident_id: int
    title: str
    open_case_ids: Sequence[int]


@dataclass(frozen=True, slots=True)
class PromiseContradictions:
    promise_id: int
    text: str
    open_case_ids: Sequence[int]  # open cases with a message that contradicts the promise


@dataclass(frozen=True, slots=True)
class Proposal:
    key: str  # stable: "category:refund_delay", "incident:12", "promise:3"
    title: str
    why: str
    case_ids: list[int]
    category: str | None = None
    incident_ids: list[int] = field(default_factory=list)
    promise_ids: list[int] = field(default_factory=list)
    #: the team that holds most of its cases now: who likely fixes it (None when no case has a team)
    suggested_owner_team_id: int | None = None


def with_suggested_owner(proposal: Proposal, team_of: Mapping[int, int | None]) -> Proposal:
    """The proposal with the team that holds most of its cases as its suggested owner (of two
    holding as many, the one with the lower id)."""
    held = Counter(team for case_id in proposal.case_ids if (team := team_of.get(case_id)) is not None)
    if not held:
        return proposal
    return replace(proposal, suggested_owner_team_id=min(held, key=lambda team_id: (-held[team_id], team_id)))


def _label(category: str) -> str:
    return category.replace("_", " ")


def _complaints_about(category: str) -> str:
    """ "More and more lost luggage complaints"; a category that names complaints already is not doubled
    ("Flight Attendant Complaints", not "Flight Attendant Complaints complaints")."""
    label = _label(category)
    return label if label.lower().endswith(("complaint", "complaints")) else f"{label} complaints"


def propose(
    *,
    categories: Sequence[CategoryWeeks],
    incidents: Sequence[IncidentCases],
    promises: Sequence[PromiseContradictions],
    linked_case_ids: Collection[int],
    settled_keys: Collection[str],
) -> list[Proposal]:
    """The proposals, most cases first; none for a key confirmed or dismissed already (``settled_keys``)."""
    linked = set(linked_case_ids)
    settled = set(settled_keys)
    found: list[Proposal] = []

    def free(ids: Sequence[int]) -> list[int]:
        return sorted({case_id for case_id in ids if case_id not in linked})

    for weeks in categories:
        cases = free(weeks.this_week)
        growing = len(weeks.this_week) >= GROWTH_FACTOR * max(weeks.last_week, 1)
        if len(cases) >= GROWTH_MIN_CASES and growing:
            found.append(
                Proposal(
                    key=f"category:{weeks.category}",
                    title=f"More and more {_complaints_about(weeks.category)}",
                    why=f"{len(weeks.this_week)} open cases about {_label(weeks.category)} this week, "
                    f"{weeks.last_week} the week before",
                    case_ids=cases,
                    category=weeks.category,
                )
            )
    for incident in incidents:
        cases = free(incident.open_case_ids)
        if len(cases) >= MIN_CASES:
            found.append(
                Proposal(
                    key=f"incident:{incident.incident_id}",
                    title=incident.title,
                    why=f"incident #{incident.incident_id} has {len(cases)} open cases",
                    case_ids=cases,
                    incident_ids=[incident.incident_id],
                )
            )
    for promise in promises:
        cases = free(promise.open_case_ids)
        if len(cases) >= MIN_CASES:
            found.append(
                Proposal(
                    key=f"promise:{promise.promise_id}",
                    title=f"Customers contradict “{promise.text}”",
                    why=f"{len(cases)} open cases contradict the promise",
                    case_ids=cases,
                    promise_ids=[promise.promise_id],
                )
            )
    return sorted((p for p in found if p.key not in settled), key=lambda p: (-len(p.case_ids), p.key))
