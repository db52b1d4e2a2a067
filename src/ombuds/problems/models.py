"""Problems: a cause behind many cases, the team that owns its fix, and what it explains.

Tables (``problems.actions`` is their only writer):

* ``problem``: title, owning team (any team of the brand, care or not) and owner, status
  (``values.ProblemStatus``: investigating → fix_in_progress → fixed → verified, and back to
  investigating when it reopens), expected fix date, the words customers are told when it is
  fixed (``fix_message``, or the talking point ``talking_point_id``), its category (how a new
  message is known to be "the same issue"), when it was created, confirmed, fixed, verified and
  reopened. ``proposal_key`` is set when it was confirmed from one of Ombuds' proposals.
  ``fix_round`` counts the times it was marked fixed, so the customers of a second fix are told
  again but never twice about the same fix.
* ``problem_case`` / ``problem_incident`` / ``problem_promise``: what the problem explains. A case
  belongs to at most one problem (the case page shows its problem).
* ``problem_notice``: one per linked customer case per fix round: the drafted reply that tells the
  customer (``reply_id``; its status is the reply's), or why the reply checker refused it.
  "Told" is its reply sent.
* ``problem_proposal_dismissal``: a proposal PR or a manager dismissed, so it is not proposed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.problems.values import ProblemStatus


class Problem(Base):
    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_brand_status", "brand_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[ProblemStatus] = mapped_column(
        str_enum(ProblemStatus), default=ProblemStatus.INVESTIGATING
    )
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the enrichment category of its customers' messages: a new message in it is "the same issue"
    category: Mapped[str | None] = mapped_column(String(64))
    expected_fix_at: Mapped[datetime | None]
    #: what each linked customer is told when it is fixed ({customer_name}, {case_ref} filled in)
    fix_message: Mapped[str | None] = mapped_column(Text)
    #: or the brand's talking point on it, whose current approved version is used
    talking_point_id: Mapped[int | None] = mapped_column(ForeignKey("talking_point.id", ondelete="SET NULL"))
    #: set when confirmed from a proposal ("category:late_arrival", "incident:12", "promise:3")
    proposal_key: Mapped[str | None] = mapped_column(String(200))
    fix_round: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when PR or a manager confirmed it (a proposal confirmed, or created by hand: the same moment)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    fixed_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    #: the last time a customer coming back (or a person) sent it back to investigating
    reopened_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemCase(Base):
    """A case the problem explains; a case has at most one problem."""

    __tablename__ = "problem_case"
    __table_args__ = (UniqueConstraint("case_id"),)

    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ProblemIncident(Base):
    """An incident (a storm) the problem is the cause of."""

    __tablename__ = "problem_incident"

    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemPromise(Base):
    """A promise customers contradict because of the problem."""

    __tablename__ = "problem_promise"

    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        ForeignKey("promise.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemNotice(Base):
    """Telling one linked case's customer that the problem is fixed: the drafted reply, once per fix."""

    __tablename__ = "problem_notice"
    __table_args__ = (UniqueConstraint("problem_id", "case_id", "fix_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    fix_round: Mapped[int]
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("reply.id", ondelete="SET NULL"), index=True)
    #: why no reply could be drafted (the reply checker's finding); the agent writes one by hand
    refused: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemProposalDismissal(Base):
    """A proposal PR or a manager said is not a problem; it is not proposed again."""

    __tablename__ = "problem_proposal_dismissal"
    __table_args__ = (UniqueConstraint("brand_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)
