"""The writers of the privacy package: retention settings, one purge batch, the erasure of one customer.

Actions never commit; ``privacy.purge`` runs purge batches one transaction each.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.models import Case, Customer, Identity
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment, LabeledExample
from ombuds.errors import InvalidInput
from ombuds.events import Event
from ombuds.incidents.models import Incident, IncidentMention
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.notifications.models import Notification
from ombuds.privacy.models import DailyRollup, ErasureRecord, RetentionPolicy
from ombuds.privacy.queries import customer_mention_ids, label_of
from ombuds.privacy.retention import (
    MAX_RETENTION_MONTHS,
    CaseFact,
    MentionFact,
    RollupKey,
    Tally,
    tally_cases,
    tally_mentions,
)
from ombuds.promises.models import PromiseExample, PromiseMatch
from ombuds.responses.models import Reply
from ombuds.surveys.models import Survey


def set_retention(session: Session, *, brand: Brand, months: int | None) -> RetentionPolicy:
    """Keep the brand's messages ``months`` months (None: forever)."""
    if months is not None and not 1 <= months <= MAX_RETENTION_MONTHS:
        raise InvalidInput(
            f"months: retention is 1 to {MAX_RETENTION_MONTHS:,} months (or none to keep forever), not {months:,}"
        )
    policy = session.get(RetentionPolicy, brand.id)
    if policy is None:
        policy = RetentionPolicy(brand_id=brand.id)
        session.add(policy)
    policy.months = months
    return policy


# --- purge ---------------------------------------------------------------------------------------


@dataclass
class PurgeCounts:
    mentions: int = 0
    cases: int = 0

    def add(self, other: PurgeCounts) -> None:
        self.mentions += other.mentions
        self.cases += other.cases


def old_mention_ids(session: Session, *, brand_id: int, cutoff: datetime, limit: int) -> list[int]:
    """The next batch of the brand's messages written before ``cutoff``."""
    return list(
        session.scalars(
            select(Mention.id)
            .where(Mention.brand_id == brand_id, Mention.created_at < cutoff)
            .order_by(Mention.id)
            .limit(limit)
        )
    )


def count_old_mentions(session: Session, *, brand_id: int, cutoff: datetime) -> int:
    return (
        session.scalar(select(func.count()).where(Mention.brand_id == brand_id, Mention.created_at < cutoff))
        or 0
    )


def _mention_facts(session: Session, ids: Sequence[int]) -> list[MentionFact]:
    rows = session.execute(
        select(Mention.created_at, Mention.channel, label_of("category"), label_of("sentiment")).where(  # type: ignore[call-overload]
            Mention.id.in_(ids), Mention.direction == Direction.INBOUND
        )
    )
    return [MentionFact(created_at=r[0], channel=r[1], category=r[2], sentiment=r[3]) for r in rows]


def _case_facts(session: Session, case_ids: Collection[int]) -> list[CaseFact]:
    rows = session.execute(
        select(Case.opened_at, Case.channel, Case.priority, Case.resolved_at, Case.first_responded_at).where(
            Case.id.in_(case_ids)
        )
    )
    return [CaseFact(*row) for row in rows]


def add_to_rollup(session: Session, *, brand_id: int, tallies: dict[RollupKey, Tally]) -> None:
    """Add tallies to the brand's roll-up rows (rows made as needed)."""
    if not tallies:
        return
    days = {key.day for key in tallies}
    existing = {
        RollupKey(r.day, r.channel, r.category, r.sentiment, r.priority): r
        for r in session.scalars(
            select(DailyRollup).where(DailyRollup.brand_id == brand_id, DailyRollup.day.in_(days))
        )
    }
    for key, tally in tallies.items():
        row = existing.get(key)
        if row is None:
            row = DailyRollup(
                brand_id=brand_id,
                day=key.day,
                channel=key.channel,
                category=key.category,
                sentiment=key.sentiment,
                priority=key.priority,
                mentions=0,
                cases_opened=0,
                cases_resolved=0,
                first_responses=0,
                first_response_seconds=0,
            )
            session.add(row)
        row.mentions += tally.mentions
        row.cases_opened += tally.cases_opened
        row.cases_resolved += tally.cases_resolved
        row.first_responses += tally.first_responses
        row.first_response_seconds += tally.first_response_seconds


def _delete_mentions(session: Session, ids: Collection[int]) -> None:
    """Messages and what hangs off them (the database cascades too; this does not rely on it)."""
    for table in (Enrichment, PromiseMatch, IncidentMention):
        session.execute(delete(table).where(table.mention_id.in_(ids)))
    session.execute(update(Reply).where(Reply.mention_id.in_(ids)).values(mention_id=None))
    session.execute(
        update(Incident)
        .where(Incident.representative_mention_id.in_(ids))
        .values(representative_mention_id=None)
    )
    session.execute(delete(Event).where(Event.subject_type == "mention", Event.subject_id.in_(ids)))
    session.execute(delete(Mention).where(Mention.id.in_(ids)))


def _delete_cases(session: Session, case_ids: Collection[int]) -> None:
    """Cases with their replies, surveys, tasks, clocks (by cascade), their events and notifications."""
    session.execute(delete(Event).where(Event.subject_type == "case", Event.subject_id.in_(case_ids)))
    session.execute(
        delete(Notification).where(Notification.path.in_([f"/cases/{case_id}" for case_id in case_ids]))
    )
    session.execute(delete(Survey).where(Survey.case_id.in_(case_ids)))
    session.execute(delete(Reply).where(Reply.case_id.in_(case_ids)))
    session.execute(delete(Case).where(Case.id.in_(case_ids)))


def purge_batch(session: Session, *, brand_id: int, ids: Sequence[int], cutoff: datetime) -> PurgeCounts:
    """Roll up, then delete, these messages; then the cases they leave empty.

    The rule for cases: a case opened before the cut-off that has no message left is deleted with
    everything on it (replies, surveys, tasks, notes), after its facts are rolled up. A case that
    still has a newer message stays whole.
    """
    case_ids = set(
        session.scalars(select(Mention.case_id).where(Mention.id.in_(ids), Mention.case_id.is_not(None)))
    )
    add_to_rollup(session, brand_id=brand_id, tallies=tally_mentions(_mention_facts(session, ids)))
    _delete_mentions(session, ids)
    emptied: list[int] = []
    if case_ids:
        emptied = list(
            session.scalars(
                select(Case.id).where(
                    Case.id.in_(case_ids),
                    Case.opened_at < cutoff,
                    ~exists().where(Mention.case_id == Case.id),
                )
            )
        )
    if emptied:
        add_to_rollup(session, brand_id=brand_id, tallies=tally_cases(_case_facts(session, emptied)))
        _delete_cases(session, emptied)
    return PurgeCounts(mentions=len(ids), cases=len(emptied))


# --- erasure --------------------------------------------------------------------------------------


@dataclass
class ErasureCounts:
    identities: int = 0
    mentions: int = 0
    cases: int = 0
    replies: int = 0
    surveys: int = 0
    events: int = 0
    examples: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "identities": self.identities,
            "mentions": self.mentions,
            "cases": self.cases,
            "replies": self.replies,
            "surveys": self.surveys,
            "events": self.events,
            "examples": self.examples,
        }


def erase_customer(
    session: Session, *, customer: Customer, actor_id: int | None, actor: str
) -> ErasureRecord:
    """Remove the customer and everything naming them; what stays is a record with counts only."""
    brand_id, customer_id = customer.brand_id, customer.id
    mention_ids = customer_mention_ids(session, customer)
    case_ids = list(session.scalars(select(Case.id).where(Case.customer_id == customer_id)))

    def count(model: type, *where: object) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]

    counts = ErasureCounts(
        identities=count(Identity, Identity.customer_id == customer_id),
        mentions=len(mention_ids),
        cases=len(case_ids),
        replies=count(Reply, Reply.case_id.in_(case_ids)),
        surveys=count(Survey, Survey.case_id.in_(case_ids)),
        events=count(
            Event,
            or_(
                (Event.subject_type == "case") & Event.subject_id.in_(case_ids),
                (Event.subject_type == "mention") & Event.subject_id.in_(mention_ids),
                (Event.subject_type == "customer") & (Event.subject_id == customer_id),
            ),
        ),
        examples=count(LabeledExample, LabeledExample.mention_id.in_(mention_ids))
        + count(PromiseExample, PromiseExample.mention_id.in_(mention_ids)),
    )
    # copies of their words outside the message rows
    session.execute(delete(LabeledExample).where(LabeledExample.mention_id.in_(mention_ids)))
    session.execute(delete(PromiseExample).where(PromiseExample.mention_id.in_(mention_ids)))
    session.execute(
        update(Incident)
        .where(Incident.representative_mention_id.in_(mention_ids))
        .values(representative_text="", representative_mention_id=None)
    )
    session.execute(delete(Event).where(Event.subject_type == "customer", Event.subject_id == customer_id))
    _delete_mentions(session, mention_ids)
    _delete_cases(session, case_ids)
    session.execute(delete(Identity).where(Identity.customer_id == customer_id))
    session.execute(delete(Customer).where(Customer.id == customer_id))
    session.expire_all()
    record = ErasureRecord(
        brand_id=brand_id,
        customer_id=customer_id,
        actor_id=actor_id,
        actor=actor,
        erased_at=utcnow(),
        counts=counts.as_dict(),
    )
    session.add(record)
    session.flush()
    return record
