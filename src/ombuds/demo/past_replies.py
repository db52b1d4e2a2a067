"""The desk's past first replies: most cases whose first-response deadline has passed were answered
in time, a few business hours after they came in; a seeded few stay neglected and show as breached.

Without this the breached count follows the clock: the scenario ends at the moment the demo is
seeded, and how many of its cases outlived their target depends on the day and the hour.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.clock import as_utc
from ombuds.db import transaction
from ombuds.demo import phrases
from ombuds.demo.answers import problem_kind
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.business_hours import BusinessHours, add_business_time, business_elapsed
from ombuds.routing.queries import get_sla_policy

#: One overdue case in this many is left unanswered: the handful a busy desk lets slip.
NEGLECT_ONE_IN = 4
#: The reply came after this share of the case's first-response target (in business time).
REPLY_WITHIN = (0.1, 0.6)
#: Words that fit any message the demo's everyday customers write that is not a complaint.
ACKNOWLEDGEMENT = "Thanks for writing to us, {name}: we've passed this on to the team. ^{agent}"


@dataclass
class PastRepliesSummary:
    answered: list[int] = field(default_factory=list)
    neglected: list[int] = field(default_factory=list)


def overdue_unanswered(
    session: Session, *, brand_id: int, now: datetime, skip: Collection[int]
) -> list[Case]:
    """Open cases nobody answered whose first-response deadline has passed, oldest case first."""
    query = (
        select(Case)
        .where(
            Case.brand_id == brand_id,
            Case.status.in_(OPEN_STATUSES),
            Case.first_responded_at.is_(None),
            Case.first_response_due_at.is_not(None),
            Case.first_response_due_at <= now,
        )
        .order_by(Case.id)
    )
    return [case for case in session.scalars(query) if case.id not in skip]


def reply_moment(hours: BusinessHours, *, opened_at: datetime, due_at: datetime, share: float) -> datetime:
    """When the reply went out: ``share`` of the business time between opening and the deadline."""
    target = business_elapsed(hours, opened_at, due_at)
    return add_business_time(hours, opened_at, target * share)


def reply_text(first_message: str, *, name: str, agent: str) -> str:
    template = phrases.BRAND_REPLIES["complaint"][0] if problem_kind(first_message) else ACKNOWLEDGEMENT
    return template.format(name=name, agent=agent)


def _first_inbound(session: Session, case: Case) -> Mention:
    return session.scalars(
        select(Mention)
        .where(Mention.case_id == case.id, Mention.direction == Direction.INBOUND)
        .order_by(Mention.created_at, Mention.id)
        .limit(1)
    ).one()


def _past_reply(session: Session, *, case: Case, hours: BusinessHours, rng: random.Random) -> IncomingMention:
    first = _first_inbound(session, case)
    assert case.first_response_due_at is not None  # overdue_unanswered selects only these
    sent = reply_moment(
        hours,
        opened_at=as_utc(case.opened_at),
        due_at=as_utc(case.first_response_due_at),
        share=rng.uniform(*REPLY_WITHIN),
    )
    name = first.author_name or first.author_handle
    text = reply_text(first.text, name=name, agent=rng.choice(phrases.AGENT_INITIALS))
    created = MentionCreate(
        external_id=f"demo-past-reply-{case.id}",
        author_handle=phrases.BRAND_HANDLE,
        author_name=phrases.BRAND_NAME,
        text=f"@{first.author_handle} {text}",
        created_at=sent,
        channel=first.channel,
        followers=182_000,
        in_reply_to=first.external_id,
        is_public=first.is_public,
        direction="outbound",
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def seed_past_replies(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    now: datetime,
    seed: int,
    skip: Collection[int],
    batch_size: int,
) -> PastRepliesSummary:
    """Answer all but one in ``NEGLECT_ONE_IN`` overdue cases, as the brand's own posts, threaded by
    the pipeline like any other; ``skip`` holds the cases other demo stories tell."""
    rng = random.Random(seed)
    summary = PastRepliesSummary()
    with transaction(factory) as session:
        overdue = overdue_unanswered(session, brand_id=brand_id, now=now, skip=skip)
        neglected = set(rng.sample(range(len(overdue)), len(overdue) // NEGLECT_ONE_IN))
        hours = get_sla_policy(session, brand_id).hours
        replies = []
        for position, case in enumerate(overdue):
            if position in neglected:
                summary.neglected.append(case.id)
                continue
            replies.append(_past_reply(session, case=case, hours=hours, rng=rng))
            summary.answered.append(case.id)
        source = get_or_create_source(
            session, brand_id=brand_id, kind="demo", name="Larkspur social and inbox"
        )
        ingest_mentions(session, source=source, mentions=replies)
    run_until_idle(factory, batch_size=batch_size)
    return summary
