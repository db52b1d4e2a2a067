"""The only writers of approved wording. Each change is an event; nothing here checks roles
(the routes do) but every id a caller names is checked against the brand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ombuds.errors import Conflict, InvalidInput, NotFound
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.incidents.models import Incident
from ombuds.responses.wording.models import (
    NewsItem,
    NewsKind,
    ReplyTemplate,
    TalkingPoint,
    TalkingPointVersion,
)


def _check_period(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput("valid_until: must be after valid_from (a statement valid for no time at all)")


def _aware(field: str, moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(f"{field}: give a time zone (e.g. 2026-12-01T12:00:00Z)")
    return moment


def create_talking_point(
    session: Session,
    *,
    brand_id: int,
    title: str,
    text: str,
    actor_id: int | None,
    now: datetime,
    incident_id: int | None = None,
    categories: Sequence[str] = (),
    keywords: Sequence[str] = (),
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> tuple[TalkingPoint, TalkingPointVersion]:
    """A new statement with its first version, approved by its writer (PR, a manager or an admin)."""
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.brand_id != brand_id:
            raise NotFound(f"no incident {incident_id} in this brand")
    start = _aware("valid_from", valid_from) or now
    _check_period(start, _aware("valid_until", valid_until))
    point = TalkingPoint(
        brand_id=brand_id,
        incident_id=incident_id,
        title=title,
        categories=list(categories),
        keywords=list(keywords),
        owner_id=actor_id,
        valid_from=start,
        valid_until=valid_until,
        created_at=now,
        updated_at=now,
    )
    session.add(point)
    session.flush()
    version = _add_version(session, point=point, number=1, text=text, actor_id=actor_id, now=now)
    return point, version


def revise_talking_point(
    session: Session,
    *,
    point: TalkingPoint,
    text: str,
    actor_id: int | None,
    now: datetime,
    title: str | None = None,
    categories: Sequence[str] | None = None,
    keywords: Sequence[str] | None = None,
    valid_until: datetime | None = None,
) -> TalkingPointVersion:
    """A new version; the earlier ones stay as they were and stop being offered."""
    if valid_until is not None:
        _check_period(point.valid_from, _aware("valid_until", valid_until))
        point.valid_until = valid_until
    if title is not None:
        point.title = title
    if categories is not None:
        point.categories = list(categories)
    if keywords is not None:
        point.keywords = list(keywords)
    point.updated_at = now
    newest = session.scalar(
        select(func.max(TalkingPointVersion.version)).where(TalkingPointVersion.talking_point_id == point.id)
    )
    return _add_version(session, point=point, number=(newest or 0) + 1, text=text, actor_id=actor_id, now=now)


def withdraw_talking_point(
    session: Session, *, point: TalkingPoint, actor_id: int | None, now: datetime
) -> None:
    """Stop offering the statement from now on (its versions are kept)."""
    point.valid_until = now if point.valid_from < now else point.valid_from
    point.updated_at = now
    _record(session, point, EventKind.TALKING_POINT_WITHDRAWN, actor_id, now, {})


def _add_version(
    session: Session, *, point: TalkingPoint, number: int, text: str, actor_id: int | None, now: datetime
) -> TalkingPointVersion:
    version = TalkingPointVersion(
        brand_id=point.brand_id,
        talking_point_id=point.id,
        version=number,
        text=text,
        author_id=actor_id,
        # the writer holds a role that may approve: their words are approved as they save them
        approved_by_id=actor_id,
        approved_at=now,
        created_at=now,
    )
    session.add(version)
    session.flush()
    _record(session, point, EventKind.TALKING_POINT_WRITTEN, actor_id, now, {"version": number})
    if point.incident_id is not None:
        # on the incident's own timeline too, where PR looks for what was said and when
        record_event(
            session,
            brand_id=point.brand_id,
            subject_type="incident",
            subject_id=point.incident_id,
            kind="incident.holding_statement",
            actor_id=actor_id,
            data={"talking_point_id": point.id, "version": number, "text": text},
            occurred_at=now,
        )
    return version


def _record(
    session: Session,
    point: TalkingPoint,
    kind: EventKind,
    actor_id: int | None,
    now: datetime,
    data: dict[str, object],
) -> None:
    record_event(
        session,
        brand_id=point.brand_id,
        subject_type="talking_point",
        subject_id=point.id,
        kind=kind,
        actor_id=actor_id,
        data={"incident_id": point.incident_id, "title": point.title, **data},
        occurred_at=now,
    )


def save_template(
    session: Session,
    *,
    brand_id: int,
    name: str,
    body: str,
    actor_id: int | None,
    now: datetime,
    variants: dict[str, str] | None = None,
    categories: Sequence[str] = (),
    keywords: Sequence[str] = (),
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Create a template, or change ``template``; names are unique within a brand."""
    # compared in Python: SQLite's lower() folds ASCII alone, so "Élan" and "élan" clashed on
    # PostgreSQL only (a brand has tens of templates)
    names = session.execute(
        select(ReplyTemplate.id, ReplyTemplate.name).where(
            ReplyTemplate.brand_id == brand_id, ReplyTemplate.is_active.is_(True)
        )
    )
    clash = next((found for found, other in names if other.casefold() == name.casefold()), None)
    if clash is not None and (template is None or clash != template.id):
        raise Conflict(f"name: the brand already has a template called {name!r}")
    if template is None:
        template = ReplyTemplate(brand_id=brand_id, created_by_id=actor_id, created_at=now, usage_count=0)
        session.add(template)
    template.name = name
    template.body = body
    template.variants = dict(variants or {})
    template.categories = list(categories)
    template.keywords = list(keywords)
    template.updated_at = now
    session.flush()
    _record_template(session, template, EventKind.REPLY_TEMPLATE_SAVED, actor_id, now)
    return template


def delete_template(
    session: Session, *, template: ReplyTemplate, actor_id: int | None, now: datetime
) -> None:
    """Retire a template: no longer offered; the row (and its usage count) stays for the record.

    Its name is freed: a retired template is renamed so a new one may take the name.
    """
    template.is_active = False
    template.name = f"{template.name[:150]} (retired #{template.id})"
    template.updated_at = now
    _record_template(session, template, EventKind.REPLY_TEMPLATE_RETIRED, actor_id, now)


def count_template_use(session: Session, *, template: ReplyTemplate) -> int:
    """Add one to the template's usage count, in the database so parallel uses all count."""
    session.execute(
        update(ReplyTemplate)
        .where(ReplyTemplate.id == template.id)
        .values(usage_count=ReplyTemplate.usage_count + 1)
    )
    session.refresh(template, ["usage_count"])
    return template.usage_count


def _record_template(
    session: Session, template: ReplyTemplate, kind: EventKind, actor_id: int | None, now: datetime
) -> None:
    record_event(
        session,
        brand_id=template.brand_id,
        subject_type="reply_template",
        subject_id=template.id,
        kind=kind,
        actor_id=actor_id,
        data={"name": template.name},
        occurred_at=now,
    )


def save_news(
    session: Session,
    *,
    brand_id: int,
    kind: NewsKind,
    title: str,
    actor_id: int | None,
    now: datetime,
    body: str = "",
    categories: Sequence[str] = (),
    keywords: Sequence[str] = (),
    may_share: bool = False,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    item: NewsItem | None = None,
) -> NewsItem:
    """Create a news item, or change ``item``."""
    start = _aware("valid_from", valid_from) or (item.valid_from if item is not None else now)
    _check_period(start, _aware("valid_until", valid_until))
    if item is None:
        item = NewsItem(brand_id=brand_id, created_by_id=actor_id, created_at=now)
        session.add(item)
    item.kind = kind
    item.title = title
    item.body = body
    item.categories = list(categories)
    item.keywords = list(keywords)
    item.may_share = may_share
    item.valid_from = start
    item.valid_until = valid_until
    item.updated_at = now
    session.flush()
    _record_news(session, item, EventKind.NEWS_ITEM_SAVED, actor_id, now)
    return item


def delete_news(session: Session, *, item: NewsItem, actor_id: int | None, now: datetime) -> None:
    _record_news(session, item, EventKind.NEWS_ITEM_DELETED, actor_id, now)
    session.delete(item)
    session.flush()


def _record_news(
    session: Session, item: NewsItem, kind: EventKind, actor_id: int | None, now: datetime
) -> None:
    record_event(
        session,
        brand_id=item.brand_id,
        subject_type="news_item",
        subject_id=item.id,
        kind=kind,
        actor_id=actor_id,
        data={"title": item.title, "kind": str(item.kind)},
        occurred_at=now,
    )
