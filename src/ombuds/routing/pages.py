"""The SLA state on the inbox and the case page, from the brand's real policy.

Routing builds on the cases package, so the case pages cannot import it; this module gives them
their part through ``web/panels.py``. It has no routes of its own yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.routing.sla import SlaState, Target
from ombuds.routing.sla_status import case_sla_states
from ombuds.web import panels
from ombuds.web.deps import SignedIn

router = APIRouter()

#: The words a state shows beside its colour, so the state reads without colour too.
STATE_WORDS = {
    SlaState.OK: "On time",
    SlaState.NEAR_BREACH: "Near breach",
    SlaState.BREACHED: "Breached",
    SlaState.PAUSED: "Paused",
}
TARGET_WORDS = {
    Target.FIRST_RESPONSE: "first response",
    Target.NEXT_RESPONSE: "next response",
    Target.RESOLUTION: "resolution",
}


def inbox_panel(session: Session, case_ids: Sequence[int], signed_in: SignedIn) -> Mapping[str, Any]:
    """``sla_states``: each listed open case's state; the ids come from the inbox's brand-scoped query."""
    return {
        "sla_states": case_sla_states(session, case_ids=case_ids, now=utcnow()),
        "sla_words": STATE_WORDS,
        "sla_targets": TARGET_WORDS,
    }


def case_panel(session: Session, case: Case, signed_in: SignedIn) -> Mapping[str, Any]:
    """``sla``: the case's state, or None once it is resolved or closed."""
    return {
        "sla": case_sla_states(session, case_ids=[case.id], now=utcnow()).get(case.id),
        "sla_words": STATE_WORDS,
        "sla_targets": TARGET_WORDS,
    }


panels.register("inbox", "sla", inbox_panel)
panels.register("case", "sla", case_panel)
