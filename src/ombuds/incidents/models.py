"""Incidents, the mentions and cases they gather, the detectors' state, and the alerts they send.

An incident's timeline is the event log (``subject_type="incident"``): every change and every
note is an event. Holding statements and replies to every affected customer, which come with
the reply tools, hang off ``incident.id``; the affected customers are those of the linked
mentions and cases.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.incidents.detectors import Severity


class IncidentStatus(StrEnum):
    WATCHING = "watching"  # something is building; PR keeps an eye on it
    ACTIVE = "active"  # a storm: PR owns it and is responding
    RESOLVED = "resolved"


OPEN_STATUSES = (IncidentStatus.WATCHING, IncidentStatus.ACTIVE)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("brand_id", "storm_id"),
        Index("ix_incident_brand_status_opened", "brand_id", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus), default=IncidentStatus.WATCHING)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.LOW)
    signal: Mapped[str] = mapped_column(String(32))  # what opened it: volume, cluster, ... or manual
    key: Mapped[str] = mapped_column(String(200))  # what the detectors watched: "all", "category:x", ...
    title: Mapped[str] = mapped_column(String(300))
    representative_text: Mapped[str] = mapped_column(Text, default="")
    representative_mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mention.id", ondelete="SET NULL"), index=True
    )
    storm_id: Mapped[int | None]  # the detectors' storm behind it; none for incidents opened by hand
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    first_mention_at: Mapped[datetime | None]
    last_mention_at: Mapped[datetime | None]
    mention_count: Mapped[int] = mapped_column(default=0)
    author_count: Mapped[int] = mapped_column(default=0)
    negative_count: Mapped[int] = mapped_column(default=0)
    reach: Mapped[int] = mapped_column(BigInteger, default=0)
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # figures frozen at resolution
    #: the incident of the same event this one was merged into (it is resolved, its rows moved there)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="SET NULL"))


class IncidentMention(Base):
    """A mention that belongs to an incident; new mentions of the same storm keep attaching."""

    __tablename__ = "incident_mention"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    attached_at: Mapped[datetime]


class IncidentCase(Base):
    """A case linked to an incident by hand (cases of linked mentions count without a row here)."""

    __tablename__ = "incident_case"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class DetectorState(Base):
    """One brand's streaming detectors, stored after every batch so any worker can carry on."""

    __tablename__ = "incident_detector_state"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    state: Mapped[bytes | None] = mapped_column(LargeBinary)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # overrides of DetectorSettings
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DetectorJournal(Base):
    """One batch the detectors saw since their state was last stored whole (``detectors.state``).

    The stored state plus these rows, in id order, is the monitor as it stands; storing the state
    whole again empties the journal.
    """

    __tablename__ = "incident_detector_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)  # ``state.dump_journal_entry``
    observations: Mapped[int]  # how many the entry holds: when to store the state whole again
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertKind(StrEnum):
    WEBHOOK = "webhook"  # a Slack-compatible incoming webhook: JSON POST with "text" and "blocks"
    EMAIL = "email"
    IN_APP = "in_app"


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # inside the channel's quiet hours; sent when they end
    SKIPPED = "skipped"  # below the channel's severity threshold


class AlertChannel(Base):
    """Where a brand's incident alerts go, from what severity, and when not to disturb."""

    __tablename__ = "alert_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    target: Mapped[str] = mapped_column(String(500), default="")  # webhook URL or email address
    min_severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.MEDIUM)
    quiet_from_hour: Mapped[int | None]  # local hours [from, until) when only critical alerts go out
    quiet_until_hour: Mapped[int | None]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """One alert about one incident change (or one SLA breach) on one channel: the outbox and the in-app list."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_brand_status", "brand_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    #: what it is about: an incident, or a case whose SLA was breached (exactly one of the two)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("alert_channel.id", ondelete="CASCADE"))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    reason: Mapped[str] = mapped_column(String(32))  # opened, escalated
    severity: Mapped[Severity] = mapped_column(str_enum(Severity))
    status: Mapped[AlertStatus] = mapped_column(str_enum(AlertStatus), default=AlertStatus.PENDING)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)  # quiet hours push this later
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]  # in-app: when someone opened it
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
