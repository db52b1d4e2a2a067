"""Approved wording in the browser: the holding statement on the incident page, the banner and
suggestions on the case page, a badge on inbox rows, and a page to manage statements, templates, news.

The case, inbox and incident pages get their part through ``web/panels.py``; their templates
include ``cases/_wording.html`` and ``incidents/_holding_statement.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.fields import AsTyped, Id, NoNul, in_utc
from ombuds.incidents.models import Incident, IncidentStatus
from ombuds.incidents.queries import get_incident
from ombuds.responses.wording import actions, queries
from ombuds.responses.wording.api import may_write
from ombuds.responses.wording.models import NewsKind
from ombuds.responses.wording.schemas import TEXT_MAX_CHARS, TITLE_MAX_CHARS, NewsWrite, TemplateWrite
from ombuds.timezones import moment_label
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()

FormText = Annotated[str, AsTyped, Form(max_length=TEXT_MAX_CHARS), NoNul]
FormTitle = Annotated[str, Form(max_length=TITLE_MAX_CHARS), NoNul]
FormLine = Annotated[str, Form(max_length=2000), NoNul]


# --- what the case, inbox and incident pages show -------------------------------------------------


def _case_context(session: Session, case: Case, signed_in: SignedIn) -> Mapping[str, Any]:
    suggestions = queries.suggestions_for_case(session, case, agent_name=signed_in.user.name)
    banners = [point for point in suggestions.talking_points if point.is_incident_active]
    return {"wording": suggestions, "wording_banners": banners}


def _inbox_context(session: Session, case_ids: list[int], signed_in: SignedIn) -> Mapping[str, Any]:
    found = queries.statements_for_cases(session, case_ids)
    return {"holding_badges": {case_id: statement.point.title for case_id, statement in found.items()}}


def _incident_context(session: Session, incident: Incident, signed_in: SignedIn) -> Mapping[str, Any]:
    current = queries.holding_statements(session, [incident.id]).get(incident.id)
    approver = None
    if current is not None and current.version.approved_by_id is not None:
        approver = queries.user_names(session, [current.version.approved_by_id]).get(
            current.version.approved_by_id
        )
    return {
        "holding": current,
        "holding_approver": approver,
        "can_write_wording": may_write(signed_in.roles.get(incident.brand_id)),
    }


panels.register("case", "wording", _case_context)
panels.register("inbox", "wording", _inbox_context)
panels.register("incident", "wording", _incident_context)


# --- the holding statement form on the incident page ----------------------------------------------


def _writer(signed_in: SignedIn, brand_id: int) -> int:
    if not may_write(signed_in.roles.get(brand_id)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Writing statements, templates and news takes the PR, manager or admin role.",
        )
    return signed_in.user.id


def _until(value: str, timezone: str) -> datetime | None:
    """A ``datetime-local`` field, read on the brand's clock as the page shows times; none when empty."""
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"valid until: {text!r} is not a date and time (YYYY-MM-DDTHH:MM)") from exc
    try:
        until = in_utc(moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(timezone)))
    except ValueError as exc:
        raise InvalidInput(f"valid until: {exc}") from None
    if until <= utcnow():
        raise InvalidInput(
            f"valid until: {moment_label(until, timezone=timezone)} has passed; "
            "pick a later time, or leave it empty (valid until withdrawn)"
        )
    return until


@router.post("/incidents/{incident_id}/holding-statement")
def write_holding_statement(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    text: FormText,
    valid_until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Write the incident's holding statement, or revise it (a new version)."""
    incident = get_incident(session, incident_id, brand_ids=signed_in.brand_ids)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such incident.")
    actor = _writer(signed_in, incident.brand_id)
    back = RedirectResponse(
        f"/incidents/{incident.id}#holding-statement", status_code=status.HTTP_303_SEE_OTHER
    )
    try:
        if not text.strip():
            raise InvalidInput("text: write the statement (it was empty)")
        until = _until(valid_until, signed_in.timezone_of(session, incident.brand_id))
        current = queries.holding_statements(session, [incident.id]).get(incident.id)
        now = utcnow()
        if current is None:
            _, version = actions.create_talking_point(
                session,
                brand_id=incident.brand_id,
                title=incident.title[:TITLE_MAX_CHARS],
                text=text.strip(),
                actor_id=actor,
                now=now,
                incident_id=incident.id,
                valid_until=until,
            )
        else:
            version = actions.revise_talking_point(
                session, point=current.point, text=text.strip(), actor_id=actor, now=now, valid_until=until
            )
    except OmbudsError as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return back
    shown = (
        "every linked case shows it"
        if incident.status is IncidentStatus.ACTIVE
        else f"linked cases show it once the incident is active (it is {incident.status.value} now)"
    )
    flash(request, f"Holding statement saved (version {version.version}); {shown}.", "success")
    return back


# --- managing statements, templates and news ------------------------------------------------------


def _brand_id(signed_in: SignedIn) -> int:
    if signed_in.brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You belong to no brand yet.")
    return signed_in.brand.id


@router.get("/wording")
def wording_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The brand's talking points, reply templates and news items; PR, managers and admins edit them."""
    return render(request, "wording/manage.html", _wording_context(session, signed_in), signed_in=signed_in)


def _wording_context(session: Session, signed_in: SignedIn) -> dict[str, Any]:
    brand_id = _brand_id(signed_in)
    points = queries.list_talking_points(session, brand_id=brand_id, include_expired=True)
    return {
        "points": [
            {"point": point, "version": version, "in_force": queries.is_in_force(point)}
            for point, version in points
        ],
        "approvers": queries.user_names(session, [version.approved_by_id for _, version in points]),
        "templates": queries.list_templates(session, brand_id=brand_id),
        "news": queries.list_news(session, brand_id=brand_id, include_expired=True),
        "news_kinds": [kind.value for kind in NewsKind],
        "can_write": may_write(signed_in.role),
        "typed": {},  # per form, what was sent when it was refused
        "refused": {},  # per form, why
    }


def _refused(
    request: Request,
    signed_in: SignedIn,
    session: Session,
    error: Exception,
    form: str,
    typed: dict[str, Any],
) -> Response:
    """The page again with the form as it was sent and why it was refused: nothing typed is lost."""
    session.rollback()
    context = _wording_context(session, signed_in)
    context["typed"] = {form: typed}
    context["refused"] = {form: _said(error)}
    return render(request, "wording/manage.html", context, signed_in=signed_in, status_code=422)


def _terms(value: str) -> list[str]:
    return [term.strip() for term in value.split(",") if term.strip()]


def _variants(value: str) -> dict[str, str]:
    """Lines of ``channel: wording``."""
    found: dict[str, str] = {}
    for line in value.splitlines():
        if not line.strip():
            continue
        channel, sep, wording = line.partition(":")
        if not sep or not channel.strip() or not wording.strip():
            raise InvalidInput(f"variants: write each as 'channel: wording' (got {line.strip()[:40]!r})")
        found[channel.strip().lower()] = wording.strip()
    return found


def _said(error: Exception) -> str:
    """Why a form was refused, in one sentence that names the field."""
    message = str(error)
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        message = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return message[:1].upper() + message[1:]


def _to_wording(request: Request, session: Session, error: Exception | None, done: str) -> Response:
    if error is not None:
        session.rollback()
        flash(request, _said(error), "error")
    else:
        flash(request, done, "success")
    return RedirectResponse("/wording", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/wording/talking-points")
def add_talking_point(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    title: FormTitle,
    text: FormText,
    categories: FormLine = "",
    keywords: FormLine = "",
    valid_until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    brand_id = _brand_id(signed_in)
    actor = _writer(signed_in, brand_id)
    try:
        if not title.strip() or not text.strip():
            raise InvalidInput("title and text: both are needed")
        actions.create_talking_point(
            session,
            brand_id=brand_id,
            title=title.strip(),
            text=text.strip(),
            actor_id=actor,
            now=utcnow(),
            categories=_terms(categories),
            keywords=_terms(keywords),
            valid_until=_until(valid_until, signed_in.timezone),
        )
    except OmbudsError as exc:
        typed = {"title": title, "text": text, "categories": categories, "keywords": keywords}
        return _refused(
            request, signed_in, session, exc, "talking_point", typed | {"valid_until": valid_until}
        )
    return _to_wording(request, session, None, f"Talking point {title.strip()!r} saved.")


@router.post("/wording/talking-points/{point_id}/versions")
def revise_talking_point(
    point_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, text: FormText
) -> Response:
    point = queries.get_talking_point(session, point_id, brand_ids=signed_in.brand_ids)
    if point is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such talking point.")
    actor = _writer(signed_in, point.brand_id)
    try:
        if not text.strip():
            raise InvalidInput("text: write the new wording (it was empty)")
        version = actions.revise_talking_point(
            session, point=point, text=text.strip(), actor_id=actor, now=utcnow()
        )
    except OmbudsError as exc:
        return _to_wording(request, session, exc, "")
    return _to_wording(request, session, None, f"{point.title!r} is now at version {version.version}.")


@router.post("/wording/talking-points/{point_id}/withdraw")
def withdraw_talking_point(
    point_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    point = queries.get_talking_point(session, point_id, brand_ids=signed_in.brand_ids)
    if point is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such talking point.")
    actor = _writer(signed_in, point.brand_id)
    actions.withdraw_talking_point(session, point=point, actor_id=actor, now=utcnow())
    return _to_wording(request, session, None, f"{point.title!r} is no longer offered.")


@router.post("/wording/templates")
def add_template(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: FormTitle,
    body: FormText,
    variants: FormText = "",
    keywords: FormLine = "",
    categories: FormLine = "",
) -> Response:
    brand_id = _brand_id(signed_in)
    actor = _writer(signed_in, brand_id)
    try:
        data = TemplateWrite(
            name=name,
            body=body,
            variants=_variants(variants),
            categories=_terms(categories),
            keywords=_terms(keywords),
        )
        actions.save_template(
            session,
            brand_id=brand_id,
            name=data.name,
            body=data.body,
            actor_id=actor,
            now=utcnow(),
            variants=data.variants,
            categories=data.categories,
            keywords=data.keywords,
        )
    except (OmbudsError, ValidationError) as exc:
        typed = {
            "name": name,
            "body": body,
            "variants": variants,
            "categories": categories,
            "keywords": keywords,
        }
        return _refused(request, signed_in, session, exc, "template", typed)
    return _to_wording(request, session, None, f"Template {data.name!r} saved.")


@router.post("/wording/templates/{template_id}/retire")
def retire_template(
    template_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    template = queries.get_template(session, template_id, brand_ids=signed_in.brand_ids)
    if template is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such template.")
    actor = _writer(signed_in, template.brand_id)
    name = template.name
    actions.delete_template(session, template=template, actor_id=actor, now=utcnow())
    return _to_wording(request, session, None, f"Template {name!r} retired.")


@router.post("/wording/news")
def add_news(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    kind: Annotated[str, Form(max_length=16)],
    title: FormTitle,
    body: FormText = "",
    keywords: FormLine = "",
    categories: FormLine = "",
    may_share: Annotated[bool, Form()] = False,
    valid_until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    brand_id = _brand_id(signed_in)
    actor = _writer(signed_in, brand_id)
    try:
        data = NewsWrite.model_validate(
            {
                "kind": kind,
                "title": title,
                "body": body,
                "categories": _terms(categories),
                "keywords": _terms(keywords),
                "may_share": may_share,
                "valid_until": _until(valid_until, signed_in.timezone),
            }
        )
        actions.save_news(session, brand_id=brand_id, actor_id=actor, now=utcnow(), **data.model_dump())
    except (OmbudsError, ValidationError) as exc:
        typed: dict[str, Any] = {"kind": kind, "title": title, "body": body, "categories": categories}
        typed |= {"keywords": keywords, "may_share": may_share, "valid_until": valid_until}
        return _refused(request, signed_in, session, exc, "news", typed)
    return _to_wording(request, session, None, f"News item {data.title!r} saved.")


@router.post("/wording/news/{item_id}/delete")
def delete_news(item_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    item = queries.get_news(session, item_id, brand_ids=signed_in.brand_ids)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such news item.")
    actor = _writer(signed_in, item.brand_id)
    title = item.title
    actions.delete_news(session, item=item, actor_id=actor, now=utcnow())
    return _to_wording(request, session, None, f"News item {title!r} removed.")
