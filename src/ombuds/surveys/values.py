"""Satisfaction surveys: their tokens, lifetime and answers. Pure: no I/O."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

VALID_FOR = timedelta(days=14)
SCORES = range(1, 6)
COMMENT_MAX_CHARS = 2000
#: 32 random bytes: a link nobody can guess or enumerate
TOKEN_BYTES = 32


class SurveyDelivery(StrEnum):
    """How the link of a survey's current offer went to the customer."""

    QUEUED = "queued"  # a message with the link is in the outbox, on the case's channel or by email
    UNREACHABLE = "unreachable"  # no sink for the channel and no email address: the agent shares it
    SKIPPED = "skipped"  # offered before links were sent automatically
    #: taken back before the link reached the customer: the case was reopened (a later resolution
    #: offers it again) or resolved again as spam or a duplicate (which asks nobody)
    WITHDRAWN = "withdrawn"


def void_link_reason(
    *,
    link_id: int,
    standing_link_id: int | None,
    delivery: SurveyDelivery | None,
    case_is_open: bool,
    answered: bool,
) -> str | None:
    """Why the outbox message ``link_id`` with a survey's link must not go out; None while it is the
    link of the offer that stands (``standing_link_id``, the survey's ``reply_id``)."""
    if answered:
        return "the customer has answered the survey already"
    if link_id != standing_link_id:
        return "the case was resolved again, and that resolution asks instead"
    if delivery is SurveyDelivery.WITHDRAWN:
        if case_is_open:
            return "the case was reopened before it went out"
        return "the case was resolved again as spam or a duplicate, which asks nobody"
    return None


#: The message that carries the link when the brand wrote none. Placeholders are filled in;
#: ``{survey_url}`` must appear, so a brand's wording cannot leave the link out.
DEFAULT_MESSAGE = (
    'Hello {first_name}, we have resolved your case "{subject}". Was the problem fixed? '
    "Tell us in one click, from 1 (poor) to 5 (great): {survey_url}\n"
    "The link works for 14 days. Thank you!"
)
PLACEHOLDERS = ("{first_name}", "{subject}", "{survey_url}")
MESSAGE_MAX_CHARS = 2000
#: how many days after resolution a customer writing again reopens the case (``brand.reopen_window_days``)
REOPEN_WINDOW_DAYS = range(1, 91)


def check_reopen_window(days: int) -> int:
    if days not in REOPEN_WINDOW_DAYS:
        raise ValueError(
            f"reopen_window_days: from {REOPEN_WINDOW_DAYS.start} to {REOPEN_WINDOW_DAYS.stop - 1} days, got {days}"
        )
    return days


def check_message(text: str) -> str:
    """A brand's wording, trimmed; ValueError says what is wrong (no link, too long, unknown placeholder)."""
    text = text.strip()
    if "{survey_url}" not in text:
        raise ValueError("survey_message: include {survey_url}, where the link goes")
    if len(text) > MESSAGE_MAX_CHARS:
        raise ValueError(f"survey_message: at most {MESSAGE_MAX_CHARS} characters (got {len(text)})")
    rest = text
    for known in PLACEHOLDERS:
        rest = rest.replace(known, "")
    unknown = re.search(r"\{[a-z_]*\}", rest)
    if unknown:
        raise ValueError(
            f"survey_message: unknown placeholder {unknown.group()}, use {', '.join(PLACEHOLDERS)}"
        )
    return text


def survey_message(template: str | None, *, first_name: str, subject: str, url: str) -> str:
    """The brand's wording (or the default) with the customer's first name, the subject and the link."""
    filled = (template or DEFAULT_MESSAGE).replace("{first_name}", first_name or "there")
    return filled.replace("{subject}", subject).replace("{survey_url}", url)


class AnswerOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no survey has this token: forged or mistyped
    INVALID = "invalid"  # the score is missing or outside 1–5
    TOO_LONG = "too_long"  # the comment is longer than COMMENT_MAX_CHARS
    PAUSED = "paused"  # the case was reopened: nobody is asked whether an open case was fixed


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


def comment_text(raw: str | None) -> str:
    """A form's comment as stored: line breaks as one character each (browsers send CRLF, yet a
    textarea's ``maxlength`` counts a line break once), without NUL characters (which no one types
    and PostgreSQL cannot store) or the blank around it."""
    return (raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def parse_score(raw: str | None) -> int | None:
    """The score 1–5 from a form field, or None when it is anything else."""
    text = raw.strip() if raw is not None else ""
    # isascii: "²".isdigit() is true, yet int("²") fails
    if not (text.isascii() and text.isdigit() and len(text) <= 2):
        return None
    score = int(text)
    return score if score in SCORES else None
