"""Which case a mention belongs to. Pure: decided from plain facts, written by cases.actions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ThreadAction(StrEnum):
    ATTACH = "attach"  # add to an existing case
    OPEN = "open"  # start a new case
    SKIP = "skip"  # no case: a brand post that answers nobody, or an echo of someone else's words
    KEEP = "keep"  # threaded before (re-queued): decided once, its customer and case stay as they are
    REOPEN = "reopen"  # the customer wrote again soon after their case was resolved: reopen it


@dataclass(frozen=True, slots=True)
class ThreadDecision:
    action: ThreadAction
    case_id: int | None = None
    reason: str = ""


ECHO_PREFIXES = ("RT @", "rt @")


def is_echo(text: str) -> bool:
    """A plain repost repeats someone else's words: it counts toward reach, not as a new voice."""
    return text.lstrip().startswith(ECHO_PREFIXES)


def decide_thread(
    *,
    is_inbound: bool,
    open_case_id: int | None,
    replied_case_id: int | None,
    echo: bool = False,
    reopenable_case_id: int | None = None,
) -> ThreadDecision:
    """Same customer with an open case → that case; a brand reply → the case it answers; else a new case.

    ``open_case_id`` is the customer's open case on the brand, ``replied_case_id`` the case of
    the message this one replies to (if known); ``echo`` marks a plain repost;
    ``reopenable_case_id`` the customer's case resolved within the brand's reopen window.
    """
    if echo:
        return ThreadDecision(ThreadAction.SKIP, None, "a repost of someone else's message")
    if not is_inbound:
        if replied_case_id is not None:
            return ThreadDecision(ThreadAction.ATTACH, replied_case_id, "brand reply in a case conversation")
        return ThreadDecision(ThreadAction.SKIP, None, "brand message that answers no case")
    if open_case_id is not None:
        return ThreadDecision(ThreadAction.ATTACH, open_case_id, "customer has an open case")
    if replied_case_id is not None:
        return ThreadDecision(ThreadAction.ATTACH, replied_case_id, "reply within a case conversation")
    if reopenable_case_id is not None:
        return ThreadDecision(
            ThreadAction.REOPEN, reopenable_case_id, "customer wrote again soon after their case was resolved"
        )
    return ThreadDecision(ThreadAction.OPEN, None, "no open case for this customer")


def case_subject(text: str, *, limit: int = 90) -> str:
    """A one-line subject from the first message: whitespace collapsed, cut at a word boundary."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line or "(no text)"
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(".,;:!?-– ") + "…"
