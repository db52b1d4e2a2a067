"""The outbox: deliver queued replies, retrying with backoff and jitter.

A reply goes back through the connector the customer's message came from when that source can
answer (an email source's SMTP server, a Mastodon or Bluesky account, ...; ``source_sinks``), else
through the brand's reply sink for its channel (SMTP or a webhook the brand runs).

Runs outside any request (``ombuds replies send``, or the embedded runner after each round). Each
reply is claimed in its own transaction, sent with no transaction open, and its outcome stored in
another, so a slow sink holds no lock and a crash mid-send leaves a claim that expires and is
tried again. The reply's idempotency key goes with every attempt: a receiver that got an attempt
whose answer was lost can drop the repeat, so the customer hears from us once.

A reply on a channel with neither is recorded as sent and marked "post by hand": the agent copies
it to the channel, and the case still shows it was answered.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply, Sink
from ombuds.connectors.email.message import RAW_FORMAT as EMAIL_RAW_FORMAT
from ombuds.connectors.email.message import references_of, reply_subject, subject_of
from ombuds.db import transaction
from ombuds.mentions.models import Mention
from ombuds.responses import outbox_actions, queries
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.sinks import SinkRefused, SinkRetry, SmtpSink, WebhookSink
from ombuds.responses.source_sinks import WaitAsked, source_sink
from ombuds.responses.values import Visibility

logger = logging.getLogger(__name__)

BATCH = 100
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: How long one attempt may take before another sender may pick the reply up again.
LEASE = timedelta(minutes=5)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    manual: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff(attempts: int, *, rng: random.Random) -> timedelta:
    """Wait before attempt ``attempts + 1``: doubling from 30 s up to an hour, half of it random.

    The jitter spreads retries of many replies to one struggling receiver apart.
    """
    delay: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    return delay / 2 + delay * (rng.random() / 2)


def build_sink(config: ReplySink) -> Sink:
    """The sink a stored configuration describes."""
    if config.kind is SinkKind.WEBHOOK:
        return WebhookSink(url=config.url or "", secret=config.secret or "")
    return SmtpSink(
        host=config.host or "localhost",
        port=config.port or 25,
        from_address=config.from_address or "",
        username=config.username,
        password=config.secret,
    )


def retry_delay(attempts: int, *, asked: float, rng: random.Random) -> timedelta:
    """The backoff, or the wait the channel asked for when that is longer."""
    return max(backoff(attempts, rng=rng), timedelta(seconds=asked))


@dataclass(frozen=True)
class _Job:
    reply_id: int
    attempts: int
    message: OutgoingReply
    sink: Sink


def _source_sink_of(
    session: Session, parent: Mention | None, *, channel: str, private: bool, box: Fernet | None
) -> Sink | None:
    """The sink of the source the customer wrote through on ``channel``, when it answers there."""
    if box is None or parent is None or parent.channel != channel:
        return None
    return source_sink(session, mention=parent, box=box, private=private)


def goes_out_by_itself(session: Session, *, case: Case, visibility: Visibility, box: Fernet | None) -> bool:
    """Whether a reply on the case's channel would go out through a connector now, as ``_claim``
    chooses one (the customer's source, else the brand's sink for the channel); if not, the
    outbox leaves it to be posted by hand."""
    parent = queries.answered_mention(session, case=case, channel=case.channel)
    private = visibility is Visibility.PRIVATE
    if _source_sink_of(session, parent, channel=case.channel, private=private, box=box) is not None:
        return True
    return queries.sink_for(session, brand_id=case.brand_id, channel=case.channel) is not None


def _claim(
    session: Session,
    *,
    reply_id: int,
    now: datetime,
    sink_for: Callable[[ReplySink], Sink],
    box: Fernet | None,
) -> _Job | bool:
    """Take the reply and say how to send it.

    True when it was left to be posted by hand (no sink serves its channel); False when another
    sender took it first, when it is a survey link whose offer no longer stands (then turned down,
    not sent), or when no sink serves it and its case was resolved as spam or a duplicate meanwhile
    (withdrawn).
    """
    if not outbox_actions.claim_reply(session, reply_id=reply_id, due_before=now, lease_until=now + LEASE):
        return False
    reply = session.get(Reply, reply_id)
    assert reply is not None
    session.refresh(reply)
    if reply.is_survey and outbox_actions.withdraw_void_survey_links(session, at=now, reply_ids=[reply_id]):
        return False  # taken back since the round began
    case = session.get(Case, reply.case_id)
    assert case is not None
    parent = queries.answered_mention(session, case=case, channel=reply.channel)
    sink = _source_sink_of(
        session, parent, channel=reply.channel, private=reply.visibility is Visibility.PRIVATE, box=box
    )
    if sink is None:
        config = queries.sink_for(session, brand_id=reply.brand_id, channel=reply.channel)
        if config is None:
            return outbox_actions.hold_for_posting(session, reply=reply, at=now)
        sink = sink_for(config)
    subject, thread = f"Re: {case.subject}", {}
    if parent is not None and parent.raw_format == EMAIL_RAW_FORMAT:  # stay in the customer's own thread
        subject = reply_subject(subject_of(parent.raw) or case.subject)
        thread = {"references": references_of(parent.raw)}
    message = OutgoingReply(
        text=reply.text,
        in_reply_to=parent.external_id if parent is not None else None,
        recipient=queries.recipient_for(session, case=case, channel=reply.channel),
        is_public=reply.visibility is Visibility.PUBLIC,
        metadata={
            "idempotency_key": reply.idempotency_key,
            "reply_id": str(reply.id),
            "case_id": str(case.id),
            "channel": reply.channel,
            "subject": (f"How did we do? {case.subject}" if reply.is_survey else subject)[:200],
            "kind": "survey" if reply.is_survey else "reply",
            **thread,
        },
    )
    return _Job(reply_id=reply.id, attempts=reply.attempts, message=message, sink=sink)


def deliver_due_replies(
    factory: sessionmaker[Session],
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    sink_for: Callable[[ReplySink], Sink] = build_sink,
    box: Fernet | None = None,
    limit: int = BATCH,
) -> SendReport:
    """Send every queued reply whose time has come; what happened to each, by reply id.

    ``box`` (``connectors.secrets.secret_box`` of the app's key) opens the sources' configs, so a
    reply can go back through the source its customer wrote from; without it only the brand's
    reply sinks are used.
    """
    now = now or utcnow()
    rng = rng or random.Random()
    report = SendReport()
    with transaction(factory) as session:
        outbox_actions.withdraw_void_survey_links(session, at=now)
    with factory() as session:
        due = session.scalars(
            select(Reply.id)
            .where(Reply.status == ReplyStatus.QUEUED, Reply.next_attempt_at <= now)
            .order_by(Reply.next_attempt_at, Reply.id)
            .limit(limit)
        ).all()
    for reply_id in due:
        with transaction(factory) as session:
            job = _claim(session, reply_id=reply_id, now=now, sink_for=sink_for, box=box)
        if not isinstance(job, _Job):
            if job:
                report.manual.append(reply_id)
            continue
        try:
            sent = job.sink.send(job.message)
        except SinkRetry as exc:
            wait = exc.retry_after if isinstance(exc, WaitAsked) else 0.0
            _store_failure(factory, job, str(exc), retry=True, now=now, rng=rng, report=report, wait=wait)
        except SinkRefused as exc:
            _store_failure(factory, job, str(exc), retry=False, now=now, rng=rng, report=report)
        else:
            with transaction(factory) as session:
                reply = session.get(Reply, job.reply_id)
                assert reply is not None
                outbox_actions.mark_sent(session, reply=reply, external_id=sent.external_id, at=sent.sent_at)
            report.sent.append(job.reply_id)
    return report


def _store_failure(
    factory: sessionmaker[Session],
    job: _Job,
    error: str,
    *,
    retry: bool,
    now: datetime,
    rng: random.Random,
    report: SendReport,
    wait: float = 0.0,
) -> None:
    logger.warning("reply %s: attempt %s failed: %s", job.reply_id, job.attempts, error)
    with transaction(factory) as session:
        reply = session.get(Reply, job.reply_id)
        assert reply is not None
        if retry and job.attempts < MAX_ATTEMPTS:
            delay = retry_delay(job.attempts, asked=wait, rng=rng)
            outbox_actions.mark_retry(session, reply=reply, error=error, next_attempt_at=now + delay)
            report.retrying.append(job.reply_id)
        else:
            if retry:
                error = f"gave up after {job.attempts} attempts; last: {error}"
            outbox_actions.mark_failed(session, reply=reply, error=error)
            report.failed.append(job.reply_id)
