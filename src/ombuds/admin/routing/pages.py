"""Routing rules (list, add, edit, reorder, try a sample) and the SLA policy with business hours."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Team
from ombuds.accounts.queries import list_teams
from ombuds.admin.access import admin_brand, owned, required
from ombuds.admin.routing.tester import facts_from_findings
from ombuds.cases.lifecycle import Actor
from ombuds.cases.values import Priority
from ombuds.enrichment.analyzers.signals import SIGNAL_NAMES
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.brand_engines import load_engine_for_brand
from ombuds.errors import InvalidInput
from ombuds.fields import AsTyped, Id, NoNul, parse_id
from ombuds.mentions.queries import recent_channels, usual_channel
from ombuds.routing import actions, queries, sla_actions
from ombuds.routing.business_hours import Window
from ombuds.routing.models import RoutingRule
from ombuds.routing.rules import category_key, explain_route
from ombuds.routing.sla_config import WEEKDAYS, Escalation, SlaConfig
from ombuds.search.queries import category_labels
from ombuds.web.admin_sections import ADMINS, KEEPERS
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render

router = APIRouter()

Text = Annotated[str, AsTyped, Form(max_length=2000), NoNul]
PRIORITIES = {p.name.lower(): p for p in Priority}
TARGETS = ("first_response", "next_response", "resolution")
SAMPLE_MAX = 5000


def _words(value: str, *, field: str) -> list[str]:
    """ "billing, refund" → ["billing", "refund"]; each a short lower-case word."""
    items = [part.strip().lower() for part in value.replace("\n", ",").split(",") if part.strip()]
    for item in items:
        if len(item) > 64:
            raise InvalidInput(f"{field}: {item[:20]!r}… is longer than 64 characters")
    return sorted(set(items))


def _team(session: Session, brand: Brand, value: str, *, field: str = "team_id") -> Team | None:
    if not value.strip():
        return None
    team_id = parse_id(value)
    team = session.get(Team, team_id) if team_id is not None else None
    if team is None or team.brand_id != brand.id or team.archived_at is not None:
        raise InvalidInput(f"{field}: {value[:20]!r} is not a team of {brand.name}")
    return team


def _priority(value: str) -> Priority | None:
    if not value.strip():
        return None
    if value not in PRIORITIES:
        raise InvalidInput(f"priority: {value[:20]!r} is not one of {', '.join(PRIORITIES)}")
    return PRIORITIES[value]


def _rules_context(session: Session, brand: Brand) -> dict[str, Any]:
    rules = list(
        session.scalars(
            select(RoutingRule)
            .where(RoutingRule.brand_id == brand.id)
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )
    teams = list_teams(session, brand.id, archived=True)
    return {
        "brand": brand,
        "rules": rules,
        "teams": [t for t in teams if t.archived_at is None],
        "team_names": {t.id: t.name for t in teams},
        "priorities": PRIORITIES,
        "priority_names": {int(p): name for name, p in PRIORITIES.items()},
        "result": None,
        "sample": {
            "text": "",
            "channel": _usual_channel(session, brand),
            "followers": "",
        },
        # the words a rule's fields take, as the brand's messages carry them
        "known": {
            "categories": sorted(category_labels(session, brand_id=brand.id)),
            "signals": list(SIGNAL_NAMES),
            "channels": recent_channels(session, brand_id=brand.id),
        },
    }


def _usual_channel(session: Session, brand: Brand) -> str:
    """The brand's own word for its busiest channel ("x", "twitter", "email"…), as its rules name it."""
    return usual_channel(session, brand_id=brand.id) or "email"


@router.get("/admin/rules")
def rules_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, ADMINS)
    return render(request, "admin/rules.html", _rules_context(session, brand), signed_in=signed_in)


@router.post("/admin/rules")
def create_rule(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: Text = "",
    team_id: Text = "",
    priority: Text = "",
    categories: Text = "",
    signals: Text = "",
    channels: Text = "",
) -> Response:
    brand = admin_brand(signed_in, ADMINS)
    name = required(name, field="name")
    if session.scalar(
        select(RoutingRule.id).where(RoutingRule.brand_id == brand.id, RoutingRule.name == name)
    ):
        raise InvalidInput(f"name: {brand.name} has a rule called {name!r} already")
    last = session.scalar(
        select(RoutingRule.position)
        .where(RoutingRule.brand_id == brand.id)
        .order_by(RoutingRule.position.desc())
    )
    actions.create_rule(
        session,
        brand_id=brand.id,
        name=name,
        team=_team(session, brand, team_id),
        priority=_priority(priority),
        categories=_words(categories, field="categories"),
        signals=_words(signals, field="signals"),
        channels=_words(channels, field="channels"),
        position=(last or 0) + 10,
        actor_id=signed_in.user.id,
    )
    flash(request, f"Rule {name} is added last; move it up to try it earlier.", "success")
    _warn_of_unseen_categories(request, session, brand, categories)
    return RedirectResponse("/admin/rules", status_code=303)


def _warn_of_unseen_categories(request: Request, session: Session, brand: Brand, categories: str) -> None:
    """A category no message of the brand has had may be misspelt: the rule would never fire."""
    wanted = _words(categories, field="categories")
    if not wanted:
        return
    seen = {category_key(label): label for label in category_labels(session, brand_id=brand.id)}
    unseen = [category for category in wanted if category_key(category) not in seen]
    if unseen:
        known = ", ".join(sorted(seen.values())[:20]) or "none yet"
        flash(
            request,
            f"No message of {brand.name} has had the category {', '.join(repr(c) for c in unseen)} yet "
            f"(those seen: {known}); the rule fires once analysis or an agent gives it.",
            "warning",
        )


@router.post("/admin/rules/try")
def try_rules(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    text: Annotated[str, AsTyped, Form(max_length=SAMPLE_MAX * 2), NoNul] = "",
    channel: Text = "",
    followers: Text = "",
) -> Response:
    """Read a sample message as the pipeline would and show which rules it fires, and why."""
    brand = admin_brand(signed_in, ADMINS)
    sample = required(text, field="text", most=SAMPLE_MAX)
    channel = required(channel.strip() or _usual_channel(session, brand), field="channel", most=64).lower()
    count = None
    if followers.strip():
        digits = followers.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
            raise InvalidInput("followers: a whole number, such as 1200")
        count = int(digits)
    engine = load_engine_for_brand(session, brand.id)
    findings = engine.analyze([MentionFacts(text=sample, channel=channel, author_followers=count)])[0]
    facts = facts_from_findings(findings, channel=channel, followers=count)
    decision, checks = explain_route(facts, rules=queries.list_rules(session, brand.id))
    slugs = {t.slug: t.name for t in list_teams(session, brand.id)}
    context = _rules_context(session, brand) | {
        "result": {
            "facts": facts,
            "decision": decision,
            "checks": checks,
            "team": slugs.get(decision.team or "") if decision.team else None,
        },
        "sample": {"text": sample, "channel": channel, "followers": followers},
    }
    return render(request, "admin/rules.html", context, signed_in=signed_in)


@router.get("/admin/rules/{rule_id}")
def edit_rule_page(rule_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, ADMINS)
    rule = owned(session, RoutingRule, rule_id, brand=brand, what="routing rule")
    context = _rules_context(session, brand) | {"rule": rule}
    return render(request, "admin/rule_edit.html", context, signed_in=signed_in)


@router.post("/admin/rules/{rule_id}")
def edit_rule(
    rule_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: Text = "",
    team_id: Text = "",
    priority: Text = "",
    categories: Text = "",
    signals: Text = "",
    channels: Text = "",
    is_active: Text = "",
) -> Response:
    brand = admin_brand(signed_in, ADMINS)
    rule = owned(session, RoutingRule, rule_id, brand=brand, what="routing rule")
    name = required(name, field="name")
    clash = session.scalar(
        select(RoutingRule.id).where(
            RoutingRule.brand_id == brand.id, RoutingRule.name == name, RoutingRule.id != rule.id
        )
    )
    if clash:
        raise InvalidInput(f"name: {brand.name} has another rule called {name!r}")
    changed = actions.update_rule(
        session,
        rule=rule,
        name=name,
        team=_team(session, brand, team_id),
        priority=_priority(priority),
        categories=_words(categories, field="categories"),
        signals=_words(signals, field="signals"),
        channels=_words(channels, field="channels"),
        is_active=bool(is_active),
        actor_id=signed_in.user.id,
    )
    flash(request, f"Rule {name} is saved." if changed else f"Rule {name} had no changes.", "success")
    _warn_of_unseen_categories(request, session, brand, categories)
    return RedirectResponse("/admin/rules", status_code=303)


@router.post("/admin/rules/{rule_id}/move")
def move_rule(
    rule_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, direction: Text = ""
) -> Response:
    brand = admin_brand(signed_in, ADMINS)
    rule = owned(session, RoutingRule, rule_id, brand=brand, what="routing rule")
    if direction not in ("up", "down"):
        raise InvalidInput("direction: up or down")
    actions.move_rule(session, rule=rule, steps=-1 if direction == "up" else 1, actor_id=signed_in.user.id)
    return RedirectResponse("/admin/rules", status_code=303)


# --- SLA policy and business hours -----------------------------------------------------------------


@router.get("/admin/sla")
def sla_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    return _sla_form(request, signed_in, session)


def _sla_form(
    request: Request,
    signed_in: CurrentUser,
    session: Session,
    *,
    typed: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    """The policy's form: as stored, or as typed with what was wrong with it (nothing typed is lost)."""
    brand = admin_brand(signed_in, KEEPERS)
    config, escalation = queries.get_sla_config(session, brand.id)
    return render(
        request,
        "admin/sla.html",
        {
            "brand": brand,
            "config": config,
            "escalation": escalation,
            "weekdays": WEEKDAYS,
            "targets": TARGETS,
            "priorities": PRIORITIES,
            "teams": list_teams(session, brand.id),
            "day_names": dict(zip(WEEKDAYS, DAY_NAMES, strict=True)),
            "typed": typed,
            "error": error,
        },
        signed_in=signed_in,
        status_code=422 if error else 200,
    )


#: The days as the form names them (``calendar.day_name`` would follow the server's locale).
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The form's fields as its labels name them, for its error messages.
_FIELD_WORDS = {
    **{f"hours.{day}": name for day, name in zip(WEEKDAYS, DAY_NAMES, strict=True)},
    **{
        f"{target}.{name}": f"{target.replace('_', ' ').capitalize()}, {name}"
        for target in TARGETS
        for name in PRIORITIES
    },
    "near_breach_percent": "Near breach at",
    "timezone": "Time zone",
    "holidays": "Holidays",
    "move_to_team_id": "Hand the case to",
}


def _minutes(form: dict[str, str], key: str) -> int | None:
    value = form.get(key, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 7):
        raise InvalidInput(f"{key}: a whole number of minutes, such as 60")
    return int(value)


@router.post("/admin/sla")
async def save_sla(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Replace the policy: targets in business minutes, hours per weekday, holidays, escalation."""
    brand = admin_brand(signed_in, KEEPERS)
    raw = await request.form()
    form = {key: value for key, value in raw.items() if isinstance(value, str)}
    try:
        config, escalation = _policy_from(session, brand, form)
        sla_actions.set_sla_policy(
            session, brand_id=brand.id, config=config, escalation=escalation, actor=Actor(signed_in.user)
        )
    except InvalidInput as error:
        session.rollback()
        return _sla_form(request, signed_in, session, typed=form, error=_in_words(str(error)))
    flash(request, "The SLA policy is saved: cases routed from now on follow it.", "success")
    return RedirectResponse("/admin/sla", status_code=303)


def _in_words(message: str) -> str:
    """An error as the form's labels say it: "Monday hours: ..." rather than "hours.mon: ..."."""
    field, _, rest = message.partition(": ")
    label = _FIELD_WORDS.get(field)
    text = f"{label}: {rest}" if label and rest else message
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _policy_from(session: Session, brand: Brand, form: dict[str, str]) -> tuple[SlaConfig, Escalation]:
    for key, value in form.items():
        if len(value) > 2000 or "\x00" in value:
            raise InvalidInput(f"{key[:40]}: at most 2000 characters, and no NUL characters")
    targets: dict[str, dict[str, int]] = {}
    for target in TARGETS:
        for name in PRIORITIES:
            minutes = _minutes(form, f"{target}.{name}")
            if minutes is not None:
                targets.setdefault(target, {})[name] = minutes
    hours = {
        day: [w.strip() for w in form.get(f"hours.{day}", "").split(",") if w.strip()] for day in WEEKDAYS
    }
    for day, windows in hours.items():
        for window in windows:
            try:
                Window.parse(window)
            except ValueError as error:
                raise InvalidInput(
                    f"hours.{day}: {error}; write each as 09:00-17:30, several apart with commas"
                ) from None
    holidays = [d.strip() for d in form.get("holidays", "").replace("\n", ",").split(",") if d.strip()]
    near = _minutes(form, "near_breach_percent")
    current, _ = queries.get_sla_config(session, brand.id)
    config = SlaConfig(
        timezone=form.get("timezone", "").strip() or "UTC",
        hours={day: windows for day, windows in hours.items() if windows},
        holidays=holidays,
        targets=targets,
        channel_targets=current.channel_targets,
        near_breach_percent=near if near is not None else 80,
    )
    move = form.get("move_to_team_id", "").strip()
    team = _team(session, brand, move, field="move_to_team_id")
    escalation = Escalation(
        raise_priority=bool(form.get("raise_priority_on_breach")),
        notify_managers=bool(form.get("notify_managers_on_breach")),
        move_to_team_id=team.id if team else None,
    )
    return config, escalation
