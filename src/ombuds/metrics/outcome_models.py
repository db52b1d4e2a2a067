"""The per-case outcome rows the dashboard reads: each case's facts, kept by ``metrics.rollup``.

A figure over a period is then a range read on (brand, first resolution) or (brand, opening), not
a walk through the event log. ``metrics.rollup`` is the only writer; it fills every column from
the same definitions the figures are worked out with (``metrics.definitions``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.db import Base

#: what the figures of the cases resolved in a period read of each row
RESOLVED_FACTS = (
    "resolution_is_problem",
    "opened_at",
    "reopened_within_window",
    "first_contact_resolution",
    "handoffs",
    "met_sla",
    "survey_sent",
    "survey_score",
    "experience",
    "sentiment_before",
    "sentiment_after",
    "public_complaint",
    "closed_in_public",
    "first_response_seconds",
    "resolution_seconds",
)
#: what a Scope filters on and a breakdown groups by
SCOPE = ("team_id", "assignee_id", "channel", "category")
#: the durations whose percentiles the figures take, in seconds
DURATIONS = ("first_response_seconds", "resolution_seconds")
#: ``ends_at`` of a span still open: later than any moment a figure asks about
STILL_OPEN = datetime(9000, 1, 1, tzinfo=UTC)


class CaseOutcome(Base):
    """One case's outcome facts as they stand now (a reopen or a late survey answer rewrites them)."""

    __tablename__ = "case_outcome"
    __table_args__ = (
        # a period's tally and durations, for any scope and per breakdown group, from the index alone
        Index("ix_case_outcome_brand_resolved_scope", "brand_id", "resolved_at", *RESOLVED_FACTS, *SCOPE),
        # the resolved cases opened outside the period too (``outcome_days``: what a day row cannot say)
        Index(
            "ix_case_outcome_brand_opened_scope",
            "brand_id",
            "opened_at",
            "is_junk",
            *SCOPE,
            "resolved_at",
            "resolution_is_problem",
        ),
        # a percentile's values: one histogram bin's durations in a period (``outcome_days``)
        *(
            Index(
                f"ix_case_outcome_brand_{name}",
                "brand_id",
                name,
                "resolved_at",
                "resolution_is_problem",
                *SCOPE,
            )
            for name in DURATIONS
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    # what a Scope filters on, as the case holds it now
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    #: ever resolved as spam or a duplicate: no customer's problem, in no figure
    is_junk: Mapped[bool]
    #: the first resolution (the period the case counts in), and whether it fixed a problem
    resolved_at: Mapped[datetime | None]
    resolution_is_problem: Mapped[bool]
    reopened_within_window: Mapped[bool]
    first_contact_resolution: Mapped[bool | None]
    handoffs: Mapped[int]
    first_response_seconds: Mapped[int | None]
    resolution_seconds: Mapped[int | None]
    met_sla: Mapped[bool | None]
    survey_sent: Mapped[bool]
    survey_score: Mapped[int | None]
    experience: Mapped[str | None] = mapped_column(String(16))
    is_negative: Mapped[bool]
    followers: Mapped[int]
    sentiment_before: Mapped[int | None]
    sentiment_after: Mapped[int | None]
    public_complaint: Mapped[bool]
    closed_in_public: Mapped[bool]


class CaseOpenSpan(Base):
    """A time a case with a negative experience stood open: [starts_at, ends_at).

    The experience debt at a moment is the sum over the spans that hold it, so each span carries
    the two numbers that sum: the case's reach and reach × its opening (seconds since the epoch);
    the weight at ``t`` is reach × (1 + (t − opened) / a week). It carries the case's team, agent,
    channel and category too (as its outcome row does), so a scope's debt and a breakdown's read
    the spans alone.
    """

    __tablename__ = "case_open_span"
    __table_args__ = (
        # the spans that begin to hold or stop holding on some days (``rollup.refresh_days``)
        Index("ix_case_open_span_brand_starts", "brand_id", "starts_at"),
        Index("ix_case_open_span_brand_opened", "brand_id", "opened_at"),
        # the debt at t, for any scope and per breakdown group: spans ending after t, from the index alone
        Index(
            "ix_case_open_span_brand_ends_scope",
            "brand_id",
            "ends_at",
            "starts_at",
            "opened_at",
            "reach",
            "reach_opened",
            *SCOPE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reach: Mapped[float]
    reach_opened: Mapped[float]
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))


class MentionVoice(Base):
    """One customer message with a category, as the voice of the customer counts it: when it was
    written, its category and whether it reads negative (kept by ``metrics.rollup``)."""

    __tablename__ = "mention_voice"
    __table_args__ = (
        # a period's categories and tone, and their newest examples, from the index alone
        Index(
            "ix_mention_voice_brand_created",
            "brand_id",
            "created_at",
            "category",
            "is_negative",
            "mention_id",
            "case_id",
        ),
    )

    mention_id: Mapped[int] = mapped_column(ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    case_id: Mapped[int | None]
    created_at: Mapped[datetime]
    category: Mapped[str] = mapped_column(String(64))
    is_negative: Mapped[bool]


class CaseOutcomeDay(Base):
    """One UTC day's sums of the outcome rows, for the whole brand (``dimension`` "all") or for one
    team, agent, channel or category (``dimension`` names which; its column holds the value, None:
    the cases without one): the counts a ``Tally`` adds up of the cases first resolved that day,
    the cases opened that day, and each duration's exact histogram in seconds (``outcome_days``),
    so a year's figures add up 365 rows, not 270,000. Kept by ``metrics.rollup`` from the outcome
    rows, in the same transaction as they change."""

    __tablename__ = "case_outcome_day"
    __table_args__ = (Index("ix_case_outcome_day_brand_dimension_day", "brand_id", "dimension", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    day: Mapped[datetime]  # its midnight, UTC
    dimension: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))
    opened: Mapped[int]  # cases opened that day, spam and duplicates left out
    # the Tally's counts of the cases first resolved that day (``outcome_days.DAY_COUNTS``)
    resolved: Mapped[int]
    first_contact: Mapped[int]
    reopened: Mapped[int]
    handoffs: Mapped[int]
    sla_timed: Mapped[int]
    sla_met: Mapped[int]
    surveys_sent: Mapped[int]
    survey_responses: Mapped[int]
    survey_score_sum: Mapped[int]
    positive: Mapped[int]
    recovery_measured: Mapped[int]
    negative_before: Mapped[int]
    recovered: Mapped[int]
    sentiment_change_sum: Mapped[int]
    public_complaints: Mapped[int]
    closed_in_public: Mapped[int]
    #: the earliest and latest opening of those cases: bounds for finding the ones opened outside a period
    min_opened_at: Mapped[datetime | None]
    max_opened_at: Mapped[datetime | None]
    #: what the experience debt gains at this midnight: the open spans that hold from it on, less
    #: those that no longer hold from it (their count, Σ reach, Σ reach × opening): the debt at a
    #: midnight is ``definitions.debt_total`` of these summed over every day up to it
    debt_spans: Mapped[int]
    debt_reach: Mapped[float]
    debt_reach_opened: Mapped[float]
    #: each duration's seconds as "bin:count,..." (``outcome_days.histogram_text``)
    first_response_bins: Mapped[str] = mapped_column(Text)
    resolution_bins: Mapped[str] = mapped_column(Text)


class MentionVoiceDay(Base):
    """One UTC day's customer messages with a category, per category and for the whole brand
    (``dimension`` "all") or per team, agent, channel or category of their case as it is now (as
    ``case_outcome_day``): how many, and how many read negative (the ``mention_voice`` rows
    counted by ``metrics.rollup`` as they or their cases change), so a year's voice counts a few
    thousand rows instead of every message."""

    __tablename__ = "mention_voice_day"
    __table_args__ = (
        Index(
            "ix_mention_voice_day_brand_dimension_day",
            "brand_id",
            "dimension",
            "day",
            *SCOPE,
            "category_said",
            "messages",
            "negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    day: Mapped[datetime]  # its midnight, UTC
    dimension: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))  # the case's, for a scope's filter
    category_said: Mapped[str] = mapped_column(String(64))  # the message's, what the voice counts
    messages: Mapped[int]
    negative: Mapped[int]
