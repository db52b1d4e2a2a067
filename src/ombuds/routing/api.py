"""SLA policy over JSON: GET/PUT /api/v1/sla-policy (reading: anyone of the brand; writing: managers, admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ombuds.routing import queries, sla_actions
from ombuds.routing.schemas import SlaPolicyRead, SlaPolicyWrite
from ombuds.routing.sla_config import Escalation, SlaConfig
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(tags=["sla"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "Writing takes the manager or admin role."},
    404: {"description": "No such brand visible to the caller."},
    422: {"description": "A field of the policy is wrong; the detail names it."},
}

PolicyBrand = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


def _read(config: SlaConfig, escalation: Escalation) -> SlaPolicyRead:
    return SlaPolicyRead.model_validate(
        {
            "timezone": config.timezone,
            "hours": config.hours,
            "holidays": config.holidays,
            "targets": config.targets,
            "channel_targets": config.channel_targets,
            "near_breach_percent": config.near_breach_percent,
            "raise_priority_on_breach": escalation.raise_priority,
            "notify_managers_on_breach": escalation.notify_managers,
            "move_to_team_id": escalation.move_to_team_id,
        }
    )


@router.get("/sla-policy", response_model=SlaPolicyRead, responses=_ERRORS)
def get_sla_policy(scope: ApiReader, session: DbSession, brand: PolicyBrand = None) -> SlaPolicyRead:
    """The brand's SLA policy (a brand that never set one: today's targets, round the clock)."""
    return _read(*queries.get_sla_config(session, scope.brand_by_slug(brand).id))


@router.put("/sla-policy", response_model=SlaPolicyRead, responses=_ERRORS)
def put_sla_policy(
    body: SlaPolicyWrite, scope: ApiReader, session: DbSession, brand: PolicyBrand = None
) -> SlaPolicyRead:
    """Replace the policy; cases routed from now on get deadlines from it, escalation follows it at once."""
    brand_id = scope.brand_by_slug(brand).id
    config = SlaConfig(
        timezone=body.timezone,
        hours={day: list(windows) for day, windows in body.hours.items()},
        holidays=[d.isoformat() for d in body.holidays],
        targets={k: dict(v.items()) for k, v in body.targets.items()},
        channel_targets={
            c: {k: dict(v.items()) for k, v in t.items()} for c, t in body.channel_targets.items()
        },
        near_breach_percent=body.near_breach_percent,
    )
    escalation = Escalation(
        raise_priority=body.raise_priority_on_breach,
        notify_managers=body.notify_managers_on_breach,
        move_to_team_id=body.move_to_team_id,
    )
    sla_actions.set_sla_policy(
        session, brand_id=brand_id, config=config, escalation=escalation, actor=scope.actor(session)
    )
    return _read(*queries.get_sla_config(session, brand_id))
