"""``ombuds demo``: seed the fictional airline and push its mentions through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.actions import resolve_case
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.demo.answers import AnswersSummary, seed_answers
from ombuds.demo.follow_ups import FollowUpsSummary, seed_follow_ups
from ombuds.demo.past_replies import PastRepliesSummary, seed_past_replies
from ombuds.demo.problems import seed_problems
from ombuds.demo.promises import seed_promises
from ombuds.demo.regulars import earlier_conversations
from ombuds.demo.scenario import DemoMention, build_scenario
from ombuds.demo.seed import Credential, seed_brand
from ombuds.demo.sla import seed_sla_policy
from ombuds.demo.surveys import SurveysSummary, seed_surveys
from ombuds.demo.tasks import TasksSummary, seed_tasks
from ombuds.demo.write_backs import WriteBacksSummary, seed_write_backs
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.duration_actions import BATCH, record_business_durations
from ombuds.settings import Settings


@dataclass(frozen=True)
class DemoSummary:
    brand_name: str
    credentials: list[Credential]
    mentions: int
    open_cases: int
    answers: AnswersSummary
    follow_ups: FollowUpsSummary
    tasks: TasksSummary
    surveys: SurveysSummary
    past_replies: PastRepliesSummary
    write_backs: WriteBacksSummary


def incoming(mention: DemoMention) -> IncomingMention:
    created = MentionCreate(
        external_id=mention.external_id,
        author_handle=mention.author_handle,
        author_name=mention.author_name,
        author_bio=mention.author_bio,
        text=mention.text,
        created_at=mention.created_at,
        channel=mention.channel,
        followers=mention.followers,
        in_reply_to=mention.in_reply_to,
        is_public=mention.is_public,
        direction=mention.direction,
        metrics=dict(mention.metrics),
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def _count_open_cases(session: Session, brand_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Case)
        .where(Case.brand_id == brand_id, Case.status.in_(OPEN_STATUSES))
    )
    return session.scalar(query) or 0


def settle_answered_cases(
    session: Session, *, now: datetime, quiet_for: timedelta = timedelta(hours=8)
) -> int:
    """Resolve cases the brand answered last and nobody wrote in since: the desk's past work."""
    settled = 0
    answered = session.scalars(
        select(Case).where(Case.status.in_(OPEN_STATUSES), Case.first_responded_at.is_not(None))
    )
    for case in answered:
        last = session.scalars(
            select(Mention)
            .where(Mention.case_id == case.id)
            .order_by(Mention.created_at.desc(), Mention.id.desc())
            .limit(1)
        ).one()
        if last.direction is Direction.OUTBOUND and now - last.created_at >= quiet_for:
            resolve_case(
                session, case=case, at=last.created_at + timedelta(hours=1), note="answered, no reply"
            )
            settled += 1
    return settled


def _story_case_ids(answers: AnswersSummary) -> set[int]:
    """Cases another demo story tells, which the follow-ups leave alone."""
    told = set(answers.answered) | set(answers.closed_in_public_case_ids) | set(answers.first_responses)
    stories = (answers.awaiting, answers.rejected, answers.to_post)
    return told | {pair[1] for pair in stories if pair is not None}


def seed_demo(factory: sessionmaker[Session], *, seed: int, settings: Settings) -> DemoSummary:
    """Seed, ingest and process; every step in its own transaction, as a live desk would."""
    now = utcnow()
    scenario = build_scenario(now=now, seed=seed)
    earlier = earlier_conversations(scenario, now=now, seed=seed)
    with transaction(factory) as session:
        brand, credentials = seed_brand(session)
        seed_sla_policy(session, brand=brand)
        seed_promises(session, brand=brand, now=now)
        source = get_or_create_source(
            session, brand_id=brand.id, kind="demo", name="Larkspur social and inbox"
        )
        # customers who came back: their earlier cases are threaded and settled first
        ingest_mentions(session, source=source, mentions=[incoming(m) for m in earlier])
    run_until_idle(factory, batch_size=settings.pipeline_batch_size)
    with transaction(factory) as session:
        settle_answered_cases(session, now=now)
        ingest_mentions(session, source=source, mentions=[incoming(m) for m in scenario])
    run_until_idle(factory, batch_size=settings.pipeline_batch_size)
    with transaction(factory) as session:
        settle_answered_cases(session, now=now)
    answers = seed_answers(factory, brand_id=brand.id, now=now)
    told = _story_case_ids(answers)
    follow_ups = seed_follow_ups(factory, brand_id=brand.id, now=now, taken=told)
    tasks = seed_tasks(factory, brand_id=brand.id, now=now, follow_ups=follow_ups, taken=told)
    surveys = seed_surveys(factory, brand_id=brand.id, now=now)
    # Last, so that no story's choice of cases depends on the hour the demo is seeded at.
    others = (follow_ups.returned_case_id, tasks.overdue_case_id, tasks.done_case_id)
    stories = told | set(follow_ups.parked) | set(tasks.open) | {i for i in others if i is not None}
    past_replies = seed_past_replies(
        factory,
        brand_id=brand.id,
        now=now,
        seed=seed,
        skip=stories,
        batch_size=settings.pipeline_batch_size,
    )
    write_backs = seed_write_backs(
        factory,
        brand_id=brand.id,
        now=now,
        skip=stories | set(past_replies.answered) | set(past_replies.neglected),
        batch_size=settings.pipeline_batch_size,
    )
    seed_problems(
        factory,
        brand_id=brand.id,
        now=now,
        skip=stories | set(past_replies.answered) | set(write_backs.reopened),
    )
    # what `ombuds serve` does after each round: the dashboard's response and resolution times
    while len(record_business_durations(factory).timed) == BATCH:
        pass
    with factory() as session:
        open_cases = _count_open_cases(session, brand.id)
    return DemoSummary(
        brand.name,
        credentials,
        len(scenario),
        open_cases,
        answers,
        follow_ups,
        tasks,
        surveys,
        past_replies,
        write_backs,
    )
