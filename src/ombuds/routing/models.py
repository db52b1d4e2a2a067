"""A brand's routing rules, in the order they are tried."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base


class RoutingRule(Base):
    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=100)
    is_active: Mapped[bool] = mapped_column(default=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    priority: Mapped[int | None]
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaPolicySetting(Base):
    """A brand's SLA policy as its managers wrote it; a brand without one gets ``sla.DEFAULT_POLICY``.

    Targets are minutes of business time keyed by priority name; ``queries.get_sla_policy``
    turns a row into the pure ``sla.SlaPolicy`` the arithmetic uses.
    """

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: weekday name ("mon" … "sun") → opening windows such as "09:00-17:00"
    hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    #: local dates, ISO ("2026-12-25")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: target ("first_response", "next_response", "resolution") → priority name → minutes
    targets: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    #: channel → target → priority name → minutes, overriding ``targets`` for that channel
    channel_targets: Mapped[dict[str, dict[str, dict[str, int]]]] = mapped_column(JSON, default=dict)
    near_breach_percent: Mapped[int] = mapped_column(default=80)
    raise_priority_on_breach: Mapped[bool] = mapped_column(default=True)
    notify_managers_on_breach: Mapped[bool] = mapped_column(default=True)
    move_to_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaClock(Base):
    """Where a case's SLA clock stands: paused since when, and the deadline already escalated."""

    __tablename__ = "sla_clock"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    #: when the case went pending on the customer; None while the clock runs
    paused_at: Mapped[datetime | None]
    #: the breached deadline the escalation ran for, so each breach escalates once
    escalated_due_at: Mapped[datetime | None]
    #: the customer's unanswered message whose next-response breach escalated: the breach is known
    #: by its start (each waiting message escalates once)
    escalated_next_since: Mapped[datetime | None]
    #: the next-response deadline that breach missed: it stands for that message, though the raised
    #: priority's shorter target would put it earlier (the case would read more overdue than it is)
    escalated_next_due: Mapped[datetime | None]
