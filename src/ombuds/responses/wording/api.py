"""Approved wording over JSON: talking points (holding statements), templates, news, and a case's suggestions.

Writing wording takes the pr, manager or admin role; using a template takes a role that answers
customers (agent and up). A token without a person acts as an integration with an agent's rights.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy.orm import Session

from ombuds.accounts.models import Role
from ombuds.accounts.queries import get_role
from ombuds.cases.queries import get_case
from ombuds.clock import utcnow
from ombuds.errors import Forbidden
from ombuds.fields import Id
from ombuds.responses.wording import actions, queries
from ombuds.responses.wording.models import NewsItem, ReplyTemplate, TalkingPoint, TalkingPointVersion
from ombuds.responses.wording.schemas import (
    NewsRead,
    NewsWrite,
    Suggestions,
    TalkingPointCreate,
    TalkingPointDetail,
    TalkingPointRead,
    TalkingPointRevise,
    TalkingPointVersionRead,
    TemplateRead,
    TemplateUse,
    TemplateUsed,
    TemplateWrite,
)
from ombuds.responses.wording.suggest import fill_template, template_wording
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(tags=["wording"])

WRITING_ROLES = frozenset({Role.PR, Role.MANAGER, Role.ADMIN})
ANSWERING_ROLES = frozenset({Role.AGENT, Role.PR, Role.MANAGER, Role.ADMIN})

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such thing among the brands the caller may see."},
}
_WRITE_ERRORS = _ERRORS | {
    403: {"description": "Writing approved wording takes the pr, manager or admin role."},
    409: {"description": "A template of that name already exists in the brand."},
    422: {"description": "A field that cannot be used; the detail names it."},
}
BrandSlug = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


def may_write(role: Role | None) -> bool:
    return role in WRITING_ROLES


def _writer(session: Session, scope: ApiScope, brand_id: int) -> int:
    """The acting person's id, once their role lets them write approved wording."""
    person = scope.person(session)
    if person is None or not may_write(get_role(session, user=person, brand_id=brand_id)):
        raise Forbidden("writing talking points, templates and news takes the pr, manager or admin role")
    return person.id


def _answerer(session: Session, scope: ApiScope, brand_id: int) -> int | None:
    person = scope.person(session)
    if person is None:
        return None  # an integration token: an agent's rights
    if get_role(session, user=person, brand_id=brand_id) not in ANSWERING_ROLES:
        raise Forbidden("using a template takes a role that answers customers (agent and up)")
    return person.id


def _point_read(session: Session, point: TalkingPoint, version: TalkingPointVersion) -> TalkingPointRead:
    names = queries.user_names(session, [version.approved_by_id])
    return TalkingPointRead(
        id=point.id,
        brand_id=point.brand_id,
        incident_id=point.incident_id,
        title=point.title,
        categories=point.categories,
        keywords=point.keywords,
        owner_id=point.owner_id,
        valid_from=point.valid_from,
        valid_until=point.valid_until,
        version=version.version,
        text=version.text,
        approved_by_id=version.approved_by_id,
        approved_by_name=names.get(version.approved_by_id) if version.approved_by_id else None,
        approved_at=version.approved_at,
        is_valid=queries.is_in_force(point),
    )


def _point(session: Session, point_id: int, scope: ApiScope) -> TalkingPoint:
    point = queries.get_talking_point(session, point_id, brand_ids=scope.brand_ids)
    if point is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no talking point {point_id}")
    return point


@router.get("/talking-points", response_model=list[TalkingPointRead], responses=_ERRORS)
def list_talking_points(
    scope: ApiReader,
    session: DbSession,
    brand: BrandSlug = None,
    incident_id: Annotated[Id | None, Query(description="Only this incident's holding statements.")] = None,
    include_expired: Annotated[bool, Query(description="Also statements no longer in force.")] = False,
) -> list[TalkingPointRead]:
    """The brand's statements with their current versions, most recently changed first."""
    chosen = scope.brand_by_slug(brand)
    found = queries.list_talking_points(
        session, brand_id=chosen.id, incident_id=incident_id, include_expired=include_expired
    )
    return [_point_read(session, point, version) for point, version in found]


@router.post(
    "/talking-points",
    response_model=TalkingPointRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def create_talking_point(
    body: TalkingPointCreate, scope: ApiReader, session: DbSession, brand: BrandSlug = None
) -> TalkingPointRead:
    """A statement on an incident (its holding statement) or a topic; version 1, approved by its writer."""
    chosen = scope.brand_by_slug(brand)
    actor = _writer(session, scope, chosen.id)
    point, version = actions.create_talking_point(
        session,
        brand_id=chosen.id,
        title=body.title,
        text=body.text,
        actor_id=actor,
        now=utcnow(),
        incident_id=body.incident_id,
        categories=body.categories,
        keywords=body.keywords,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return _point_read(session, point, version)


@router.get("/talking-points/{point_id}", response_model=TalkingPointDetail, responses=_ERRORS)
def get_talking_point(point_id: Id, scope: ApiReader, session: DbSession) -> TalkingPointDetail:
    """The statement with every version, newest first."""
    point = _point(session, point_id, scope)
    versions = queries.versions_of(session, point)
    current = queries.current_versions(session, [point.id])[point.id]
    return TalkingPointDetail(
        **_point_read(session, point, current).model_dump(),
        versions=[TalkingPointVersionRead.model_validate(v) for v in versions],
    )


@router.post(
    "/talking-points/{point_id}/versions",
    response_model=TalkingPointRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def revise_talking_point(
    point_id: Id, body: TalkingPointRevise, scope: ApiReader, session: DbSession
) -> TalkingPointRead:
    """A new version; the earlier ones are kept and no longer offered."""
    point = _point(session, point_id, scope)
    actor = _writer(session, scope, point.brand_id)
    version = actions.revise_talking_point(
        session,
        point=point,
        text=body.text,
        actor_id=actor,
        now=utcnow(),
        title=body.title,
        categories=body.categories,
        keywords=body.keywords,
        valid_until=body.valid_until,
    )
    return _point_read(session, point, version)


@router.post("/talking-points/{point_id}/withdraw", response_model=TalkingPointRead, responses=_WRITE_ERRORS)
def withdraw_talking_point(point_id: Id, scope: ApiReader, session: DbSession) -> TalkingPointRead:
    """Stop offering the statement now (it stays on record)."""
    point = _point(session, point_id, scope)
    actor = _writer(session, scope, point.brand_id)
    actions.withdraw_talking_point(session, point=point, actor_id=actor, now=utcnow())
    return _point_read(session, point, queries.current_versions(session, [point.id])[point.id])


def _template(session: Session, template_id: int, scope: ApiScope) -> ReplyTemplate:
    template = queries.get_template(session, template_id, brand_ids=scope.brand_ids)
    if template is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no reply template {template_id}")
    return template


@router.get("/reply-templates", response_model=list[TemplateRead], responses=_ERRORS)
def list_templates(scope: ApiReader, session: DbSession, brand: BrandSlug = None) -> list[TemplateRead]:
    """The brand's templates, most used first."""
    chosen = scope.brand_by_slug(brand)
    return [TemplateRead.model_validate(t) for t in queries.list_templates(session, brand_id=chosen.id)]


@router.post(
    "/reply-templates",
    response_model=TemplateRead,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
def create_template(
    body: TemplateWrite, scope: ApiReader, session: DbSession, brand: BrandSlug = None
) -> TemplateRead:
    chosen = scope.brand_by_slug(brand)
    actor = _writer(session, scope, chosen.id)
    template = actions.save_template(
        session,
        brand_id=chosen.id,
        name=body.name,
        body=body.body,
        actor_id=actor,
        now=utcnow(),
        variants=body.variants,
        categories=body.categories,
        keywords=body.keywords,
    )
    return TemplateRead.model_validate(template)


@router.put("/reply-templates/{template_id}", response_model=TemplateRead, responses=_WRITE_ERRORS)
def update_template(
    template_id: Id, body: TemplateWrite, scope: ApiReader, session: DbSession
) -> TemplateRead:
    template = _template(session, template_id, scope)
    actor = _writer(session, scope, template.brand_id)
    actions.save_template(
        session,
        brand_id=template.brand_id,
        name=body.name,
        body=body.body,
        actor_id=actor,
        now=utcnow(),
        variants=body.variants,
        categories=body.categories,
        keywords=body.keywords,
        template=template,
    )
    return TemplateRead.model_validate(template)


@router.delete(
    "/reply-templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE_ERRORS
)
def delete_template(template_id: Id, scope: ApiReader, session: DbSession) -> Response:
    """Retire the template: it is no longer offered (its usage stays on record)."""
    template = _template(session, template_id, scope)
    actor = _writer(session, scope, template.brand_id)
    actions.delete_template(session, template=template, actor_id=actor, now=utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reply-templates/{template_id}/use", response_model=TemplateUsed, responses=_WRITE_ERRORS)
def use_template(template_id: Id, body: TemplateUse, scope: ApiReader, session: DbSession) -> TemplateUsed:
    """Count one use (the composer calls this when an agent inserts it) and give the wording to insert."""
    template = _template(session, template_id, scope)
    _answerer(session, scope, template.brand_id)
    channel, customer, case_ref = "", None, "{case_ref}"
    if body.case_id is not None:
        case = get_case(session, body.case_id, brand_ids=[template.brand_id])
        if case is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {body.case_id}")
        channel, customer, case_ref = case.channel, queries.customer_name(session, case), f"#{case.id}"
    wording, _ = template_wording(template.body, template.variants, channel)
    count = actions.count_template_use(session, template=template)
    agent = scope.user.name if scope.user is not None else None
    text = fill_template(wording, customer_name=customer, case_ref=case_ref, agent_name=agent)
    return TemplateUsed(template_id=template.id, usage_count=count, text=text)


def _news(session: Session, item_id: int, scope: ApiScope) -> NewsItem:
    item = queries.get_news(session, item_id, brand_ids=scope.brand_ids)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no news item {item_id}")
    return item


@router.get("/news", response_model=list[NewsRead], responses=_ERRORS)
def list_news(
    scope: ApiReader,
    session: DbSession,
    brand: BrandSlug = None,
    include_expired: Annotated[bool, Query(description="Also items past their valid_until.")] = False,
) -> list[NewsRead]:
    chosen = scope.brand_by_slug(brand)
    items = queries.list_news(session, brand_id=chosen.id, include_expired=include_expired)
    return [NewsRead.model_validate(item) for item in items]


@router.post("/news", response_model=NewsRead, status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
def create_news(body: NewsWrite, scope: ApiReader, session: DbSession, brand: BrandSlug = None) -> NewsRead:
    """A launch, a known outage or good news reps should know (``may_share``: and may pass on)."""
    chosen = scope.brand_by_slug(brand)
    actor = _writer(session, scope, chosen.id)
    item = actions.save_news(session, brand_id=chosen.id, actor_id=actor, now=utcnow(), **body.model_dump())
    return NewsRead.model_validate(item)


@router.put("/news/{item_id}", response_model=NewsRead, responses=_WRITE_ERRORS)
def update_news(item_id: Id, body: NewsWrite, scope: ApiReader, session: DbSession) -> NewsRead:
    item = _news(session, item_id, scope)
    actor = _writer(session, scope, item.brand_id)
    actions.save_news(
        session, brand_id=item.brand_id, actor_id=actor, now=utcnow(), item=item, **body.model_dump()
    )
    return NewsRead.model_validate(item)


@router.delete("/news/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE_ERRORS)
def delete_news(item_id: Id, scope: ApiReader, session: DbSession) -> Response:
    item = _news(session, item_id, scope)
    actor = _writer(session, scope, item.brand_id)
    actions.delete_news(session, item=item, actor_id=actor, now=utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/cases/{case_id}/suggestions", response_model=Suggestions, responses=_ERRORS)
def case_suggestions(case_id: Id, scope: ApiReader, session: DbSession) -> Suggestions:
    """Approved words for answering the case, best first: the active incident's holding statement,
    statements on its topic, templates (the channel's own wording, the most used), matching news."""
    case = get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    agent = scope.user.name if scope.user is not None else None
    return queries.suggestions_for_case(session, case, agent_name=agent)
