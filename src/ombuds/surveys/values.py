"""Satisfaction surveys: their tokens, lifetime and answers. Pure: no I/O."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

VALID_FOR = timedelta(days=14)
SCORES = range(1, 6)
COMMENT_MAX_CHARS = 2000
#: 32 random bytes: a link nobody can guess or enumerate
TOKEN_BYTES = 32


class AnswerOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no survey has this token: forged or mistyped
    INVALID = "invalid"  # the score is missing or outside 1–5, or the comment too long


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def survey_path(token: str) -> str:
    """Where the customer answers, on the app's own address."""
    return f"/survey/{token}"


def first_name(display_name: str) -> str:
    """The only personal data the survey page shows: the first word of the customer's name.

    A handle (``@maya_k``) is shown without its ``@``; an empty name gives an empty string.
    """
    words = display_name.split()
    return words[0].lstrip("@")[:100] if words else ""


def is_expired(*, expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def parse_score(raw: str | None) -> int | None:
    """The score 1–5 from a form field, or None when it is anything else."""
    if raw is None or not raw.strip().isdigit():
        return None
    score = int(raw.strip())
    return score if score in SCORES else None
