"""Replies to customers (the outbox), where a brand sends them (sinks), and when PR must approve first."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.responses.values import Visibility


class ReplyStatus(StrEnum):
    #: written by the desk for the agent (a fixed problem's message), checked; out when the agent sends it
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"  # a public reply PR must approve before it goes out
    QUEUED = "queued"  # in the outbox: a sink delivers it when ``next_attempt_at`` is due
    #: no sink serves its channel: an agent posts it there by hand and says so; until then the
    #: customer has not heard back, so the case's first response and its clock wait for that
    TO_POST = "to_post"
    SENT = "sent"
    REJECTED = "rejected"  # an approver said no; the note says why
    #: taken back before it went out: by its author, a manager or an admin while it waited for PR, or
    #: by the desk once it was no longer true (the note says why); ``approver_id`` is who withdrew it
    WITHDRAWN = "withdrawn"
    FAILED = "failed"  # the sink refused it (4xx) or every retry failed; ``last_error`` says why

    @property
    def said(self) -> str:
        """The status in a sentence: "reply 4 is to be posted by hand"."""
        return "to be posted by hand" if self is ReplyStatus.TO_POST else self.value.replace("_", " ")


#: Replies the customer has not had and no sink is about to send: a draft, one held for PR, one to
#: post by hand. The desk stops these when their words stop being true (a fixed problem reopened).
STOPPABLE = (ReplyStatus.DRAFT, ReplyStatus.AWAITING_APPROVAL, ReplyStatus.TO_POST)
#: What a person may take back (their own, or any as a manager or admin): held for PR, or to post.
WITHDRAWABLE = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.TO_POST)
#: Replies that count as the customer answered, or about to be: held for PR, in the outbox, to
#: post by hand, or sent.
ANSWERING = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.QUEUED, ReplyStatus.TO_POST, ReplyStatus.SENT)
#: Replies the customer does not have yet and nobody gave up on.
NOT_OUT = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.QUEUED, ReplyStatus.TO_POST, ReplyStatus.FAILED)


class SinkKind(StrEnum):
    SMTP = "smtp"
    WEBHOOK = "webhook"


class Reply(Base):
    """One outbound message on a case, from draft to delivery; a row of the outbox."""

    __tablename__ = "reply"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_reply_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_reply_brand_status", "brand_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility))
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ReplyStatus] = mapped_column(
        Enum(ReplyStatus, native_enum=False, length=24, values_callable=lambda m: [x.value for x in m]),
        default=ReplyStatus.QUEUED,
    )
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: why the reply waits for PR (priority 1, media author, active incident); None when it need not
    needs_approval: Mapped[str | None] = mapped_column(String(200))
    #: who decided it: approved or rejected it, or withdrew it (None: the desk, or nobody yet)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(64))
    #: what the request that made it asked for (a digest of its body), when a client's
    #: Idempotency-Key made it: the key sent again with another body is refused, not replayed
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    #: how the sink knows the message (a Message-ID, the webhook's answer id); None without a sink
    external_id: Mapped[str | None] = mapped_column(String(300))
    #: sent with no sink for its channel: the agent posts it by hand
    is_manual: Mapped[bool] = mapped_column(default=False)
    # indexed: deleting messages (retention purges, erasure) looks up the replies that point at them
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mention.id", ondelete="SET NULL"), index=True)
    #: the short public "glad we sorted this out" after a case that began in public was solved in private
    is_public_closing: Mapped[bool] = mapped_column(default=False)
    #: carries the case's satisfaction survey link (sent by the desk, not written by a person)
    is_survey: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def follows_resolution(self) -> bool:
        """A survey link or a public closing reply: written for a case already resolved."""
        return self.is_survey or self.is_public_closing


class ReplySink(Base):
    """Where one brand's replies on some channels go: an SMTP server or a webhook URL.

    ``secret`` (the SMTP password or the webhook's HMAC key) is stored to be used, never shown back.
    """

    __tablename__ = "reply_sink"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SinkKind] = mapped_column(str_enum(SinkKind))
    #: the channels it serves ("email", "x", ...); "*" serves every channel without a sink of its own
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(String(2000))
    host: Mapped[str | None] = mapped_column(String(300))
    port: Mapped[int | None]
    username: Mapped[str | None] = mapped_column(String(300))
    from_address: Mapped[str | None] = mapped_column(String(320))
    secret: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyApprovalPolicy(Base):
    """Which public replies of a brand wait for PR; a brand without a row uses the defaults (all on)."""

    __tablename__ = "reply_approval_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), unique=True)
    on_priority_1: Mapped[bool] = mapped_column(default=True)
    on_media_author: Mapped[bool] = mapped_column(default=True)
    on_active_incident: Mapped[bool] = mapped_column(default=True)
