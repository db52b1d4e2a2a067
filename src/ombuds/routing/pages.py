"""The SLA state on the inbox and the case page, from the brand's real policy.

Routing builds on the cases package, so the case pages cannot import it; this module gives them
their part through ``web/panels.py``. It has no routes of its own yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.routing.sla import SlaState, Target
from ombuds.routing.sla_status import TIMED, case_sla_states
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
AT_RISK = frozenset({SlaState.NEAR_BREACH, SlaState.BREACHED})
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


def _open_cases_in(session: Session, brand_id: int, states: frozenset[SlaState]) -> list[int]:
    open_ids = session.scalars(select(Case.id).where(Case.brand_id == brand_id, Case.status.in_(TIMED))).all()
    found = case_sla_states(session, case_ids=open_ids, now=utcnow())
    return [case_id for case_id, sla in found.items() if sla.state in states]


def at_risk(session: Session, brand_id: int) -> list[int]:
    """The brand's open cases near breach or breached: the inbox's "SLA at risk" filter."""
    return _open_cases_in(session, brand_id, AT_RISK)


def breached(session: Session, brand_id: int) -> list[int]:
    """The brand's open cases past a target: where a notice of breaches leads."""
    return _open_cases_in(session, brand_id, frozenset({SlaState.BREACHED}))


panels.register("inbox", "sla", inbox_panel)
panels.register("case", "sla", case_panel)
panels.register_narrowing("sla:at_risk", at_risk)
panels.register_narrowing("sla:breached", breached)
