"""The writers of the outbox itself: a resolved case's survey link queued by the desk (and turned down
when its offer no longer stands), a sender's claim on a due reply, and what became of each delivery
attempt (sent, to retry, failed).

Written by ``sending.py`` and ``survey_links.py``, one reply per transaction; the replies people
write are in ``actions``. Callers own the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, User
from ombuds.cases.actions import attach_mention, move_case
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus
from ombuds.cases.values import NO_SURVEY
from ombuds.clock import as_utc, utcnow
from ombuds.event_payloads import (
    ReplyFailed,
    ReplySent,
    ReplyToPost,
    ReplyWithdrawn,
    SurveyNotSent,
    SurveySent,
)
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.notifications.actions import notify, settle
from ombuds.responses import queries
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.reply_checks import record_reply_event
from ombuds.responses.values import Visibility
from ombuds.surveys import actions as survey_actions
from ombuds.surveys.models import SurveySetting
from ombuds.surveys.values import SurveyDelivery, survey_message, survey_path

#: The notification's kind when a reply is left to post by hand.
TO_POST_NOTICE = "reply_to_post"
#: Why the desk opens a case resolved while its reply was in the outbox, on the case's history.
REOPENED_TO_POST = "A reply waits to be posted by hand: the customer has no answer yet"
#: The source that outbound replies sent from Ombuds are stored under, one per brand.
REPLY_SOURCE_KIND = "ombuds"
REPLY_SOURCE_NAME = "Replies sent from Ombuds"


def claim_reply(session: Session, *, reply_id: int, due_before: datetime, lease_until: datetime) -> bool:
    """Take a due reply for one delivery attempt; False when someone else took it first.

    The lease moves ``next_attempt_at`` on, so a second sender (the runner and ``ombuds replies
    send`` at once) does not pick the same reply until the attempt has had time to finish.
    """
    claimed = session.execute(
        update(Reply)
        .where(
            Reply.id == reply_id,
            Reply.status == ReplyStatus.QUEUED,
            Reply.next_attempt_at <= due_before,
        )
        .values(next_attempt_at=lease_until, attempts=Reply.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(claimed)


def withdraw_void_survey_links(
    session: Session, *, at: datetime, reply_ids: Collection[int] = ()
) -> list[int]:
    """Turn down every survey link in the outbox whose offer no longer stands (the case was reopened,
    resolved again, or the customer answered from the link on the case page): never sent, nor
    retried, with why on the case page. The ids turned down; only among ``reply_ids`` when given.

    Surveys only mark their offer (``surveys.actions.withdraw_survey_offer``); this is the outbox's
    own writer acting on it, before each round of sending and again as a link is claimed.
    """
    void = queries.void_survey_links(session, reply_ids=reply_ids)
    for reply_id, reason in void:
        session.execute(
            update(Reply)
            .where(Reply.id == reply_id, Reply.status.in_(queries.UNSENT_LINKS))
            .values(
                status=ReplyStatus.WITHDRAWN,
                next_attempt_at=None,
                decision_note=f"Survey link not sent: {reason}",
                decided_at=at,
            )
            .execution_options(synchronize_session=False)
        )
    return [reply_id for reply_id, _ in void]


def queue_survey_link(
    session: Session, *, survey_id: int, public_url: str, now: datetime, box: Fernet | None = None
) -> SurveyDelivery | None:
    """Put the survey link of a resolved case in the outbox, once per offer; None when taken already.

    The message goes on the case's channel when a sink serves it, else by email when the customer
    has an address; with neither it is left to the agent (the link stays on the case page). ``box``
    opens the sources' settings, so a mailbox the customer wrote to can carry it (``survey_route``).
    """
    survey = survey_actions.claim_for_sending(session, survey_id=survey_id)
    if survey is None:
        return None
    case = session.get(Case, survey.case_id)
    assert case is not None
    route = queries.survey_route(session, case=case, box=box)
    if route is None:
        survey_actions.record_unreachable(survey)
        payload: SurveySent | SurveyNotSent = SurveyNotSent(channel=case.channel)
    else:
        wording = session.scalar(select(SurveySetting.message).where(SurveySetting.brand_id == case.brand_id))
        reply = Reply(
            brand_id=case.brand_id,
            case_id=case.id,
            visibility=Visibility.PRIVATE,
            channel=route.channel,
            text=survey_message(
                wording,
                first_name=survey.first_name,
                subject=survey.subject,
                url=public_url.rstrip("/") + survey_path(survey.token),
            ),
            status=ReplyStatus.QUEUED,
            findings=[],
            # one message per offer, even if two runners got this far
            idempotency_key=f"survey-{survey.id}-{survey.offered_at:%Y%m%dT%H%M%S%f}",
            next_attempt_at=now,
            is_survey=True,
            created_at=now,
        )
        session.add(reply)
        session.flush()
        survey_actions.record_link_queued(survey, reply_id=reply.id)
        payload = SurveySent(reply_id=reply.id, channel=route.channel, by_email=route.by_email)
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=payload,
        occurred_at=now,
    )
    return survey.delivery


def _reply_source(session: Session, *, brand_id: int) -> Source:
    source = session.scalar(
        select(Source).where(Source.brand_id == brand_id, Source.name == REPLY_SOURCE_NAME)
    )
    if source is None:
        source = Source(brand_id=brand_id, kind=REPLY_SOURCE_KIND, name=REPLY_SOURCE_NAME, config={})
        session.add(source)
        session.flush()
    return source


#: the handle of a message the desk sent ("ombuds:7": by user 7; "ombuds:token": by an API token)
DESK_HANDLE_PREFIX = "ombuds:"


def _signature(session: Session, reply: Reply) -> str:
    """Who the customer heard from, as the case's history names it: "Skyways · Ada Agent"."""
    brand = session.get(Brand, reply.brand_id)
    author = session.get(User, reply.author_id) if reply.author_id is not None else None
    names = [
        brand.name if brand is not None else "",
        "the desk" if reply.is_survey else author.name if author else "",
    ]
    return " · ".join(name for name in names if name)


def hold_for_posting(session: Session, *, reply: Reply, at: datetime) -> bool:
    """No sink serves the reply's channel: it waits for someone to post it by hand (``mark_sent``
    with who did, once they say so); the case's first response waits with it.

    A case resolved while its answer was in the outbox has no answer yet after all: it opens again
    (the desk's doing, not counted as a reopen; an unsent survey offer is withdrawn), saying why.
    On a case resolved as spam or a duplicate the reply is withdrawn instead (False): nobody is to
    answer.
    """
    case = session.get(Case, reply.case_id)
    assert case is not None
    if _withdrawn_as_nobody_is_answered(session, reply=reply, case=case, at=at):
        return False
    reopen = case.status not in OPEN_STATUSES and not reply.follows_resolution
    reply.status = ReplyStatus.TO_POST
    reply.is_manual = True
    reply.next_attempt_at = None
    reply.last_error = None
    record_reply_event(
        session,
        reply=reply,
        actor_id=None,
        payload=ReplyToPost(reply_id=reply.id, visibility=reply.visibility.value, channel=reply.channel),
    )
    if reopen:  # after the reply's event, so the case's history reads cause, then effect
        move_case(
            session,
            case=case,
            status=CaseStatus.OPEN,
            at=max(as_utc(at), utcnow()),
            note=REOPENED_TO_POST,
            is_reminder=True,
        )
    # its author and the case's owner are told, so a reply nobody posts is not forgotten
    notify(
        session,
        brand_id=reply.brand_id,
        user_ids={person for person in (reply.author_id, case.assignee_id) if person is not None},
        kind=TO_POST_NOTICE,
        text=f"A reply on case #{case.id} waits to be posted by hand: no connector sends on its channel",
        path=_to_post_path(reply),
        now=at,
    )
    return True


def _to_post_path(reply: Reply) -> str:
    return f"/cases/{reply.case_id}#reply-{reply.id}"


def settle_to_post(session: Session, *, reply: Reply, at: datetime) -> None:
    """The reply no longer waits to be posted (posted, or withdrawn): nobody is asked to any more."""
    settle(session, kind=TO_POST_NOTICE, path=_to_post_path(reply), now=at)


def withdraw_unposted_answers_to_nobody(session: Session, *, at: datetime) -> list[int]:
    """Replies left to post by hand on a case since resolved as spam or a duplicate: nobody is to
    be answered there, so they are withdrawn, saying why, and nobody is asked to post them any
    more. The ids withdrawn. A survey link or public closing reply, which follow a resolution, stay.
    """
    waiting = session.execute(
        select(Reply, Case)
        .join(Case, Case.id == Reply.case_id)
        .where(Reply.status == ReplyStatus.TO_POST, Case.status.not_in(OPEN_STATUSES))
        .order_by(Reply.id)
    ).all()
    return [
        reply.id
        for reply, case in waiting
        if _withdrawn_as_nobody_is_answered(session, reply=reply, case=case, at=at)
    ]


def _withdrawn_as_nobody_is_answered(session: Session, *, reply: Reply, case: Case, at: datetime) -> bool:
    """Withdraw an answer not out yet on a case resolved as spam or a duplicate (nobody is to be
    answered there), saying why, and settle what asked anyone to post it; True if so. A survey link
    or a public closing reply, which follow a resolution, stay."""
    if case.status in OPEN_STATUSES or reply.follows_resolution:
        return False
    how = queries.resolved_as(session, case=case)
    if how not in NO_SURVEY:
        return False
    note = f"Not posted: the case was resolved as {how}"
    reply.status = ReplyStatus.WITHDRAWN
    reply.next_attempt_at = None
    reply.decision_note = note
    reply.decided_at = at
    record_reply_event(
        session,
        reply=reply,
        actor_id=None,
        payload=ReplyWithdrawn(reply_id=reply.id, visibility=reply.visibility.value, note=note),
    )
    settle_to_post(session, reply=reply, at=at)
    return True


def mark_sent(
    session: Session,
    *,
    reply: Reply,
    external_id: str | None,
    at: datetime,
    actor_id: int | None = None,
    api_token_id: int | None = None,
) -> Mention:
    """The reply went out, through a sink, or posted by hand (a reply ``TO_POST``) by ``actor_id``
    or an integration's ``api_token_id``: store it as an outbound message.

    The message is stored past every pipeline stage, so threading never takes it for a new
    customer message; attaching it to the case stamps the first response.
    """
    case = session.get(Case, reply.case_id)
    assert case is not None
    brand_source = _reply_source(session, brand_id=reply.brand_id)
    mention = Mention(
        brand_id=reply.brand_id,
        source_id=brand_source.id,
        external_id=external_id or f"ombuds-reply-{reply.id}",
        channel=reply.channel,
        direction=Direction.OUTBOUND,
        is_public=reply.visibility is Visibility.PUBLIC,
        author_handle=f"{DESK_HANDLE_PREFIX}{reply.author_id or 'token'}",
        author_name=_signature(session, reply),
        text=reply.text,
        in_reply_to=queries.last_inbound_external_id(session, case=case),
        metrics={},
        created_at=at,
        raw=json.dumps({"reply_id": reply.id, "text": reply.text}).encode(),
        raw_format="json",
        stage=Stage.DETECTED,
        customer_id=case.customer_id,
    )
    session.add(mention)
    session.flush()
    if reply.is_survey:
        mention.case_id = case.id  # on the case's history, but no answer to the customer's problem
    else:
        attach_mention(session, case=case, mention=mention)
    reply.status = ReplyStatus.SENT
    reply.sent_at = at
    reply.external_id = external_id
    reply.mention_id = mention.id
    reply.next_attempt_at = None
    reply.last_error = None
    record_reply_event(
        session,
        reply=reply,
        actor_id=actor_id,
        payload=ReplySent(
            reply_id=reply.id,
            visibility=reply.visibility.value,
            mention_id=mention.id,
            is_manual=reply.is_manual,
            api_token_id=api_token_id,
        ),
    )
    return mention


def mark_retry(session: Session, *, reply: Reply, error: str, next_attempt_at: datetime) -> None:
    """A passing failure (timeout, 5xx, no connection): try again later."""
    reply.last_error = error[:2000]
    reply.next_attempt_at = next_attempt_at


def mark_failed(session: Session, *, reply: Reply, error: str) -> None:
    """The sink refused the reply, or retries ran out: it stays failed until someone retries it."""
    reply.status = ReplyStatus.FAILED
    reply.last_error = error[:2000]
    reply.next_attempt_at = None
    record_reply_event(
        session,
        reply=reply,
        actor_id=None,
        payload=ReplyFailed(reply_id=reply.id, visibility=reply.visibility.value, error=error[:500]),
    )
