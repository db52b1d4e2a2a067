"""Pure rules of problems: is a new message "the same issue", and the default words of the fix message.

No I/O: the readers and writers pass plain labels in.
"""

from __future__ import annotations

from collections.abc import Sequence

NEGATIVE = "negative"

#: What a fixed problem's customers are told when the problem has no wording of its own and no
#: talking point: it names no internal detail (titles are written for the owning team, not customers).
DEFAULT_FIX_MESSAGE = (
    "Hi {customer_name}, the problem behind your message has now been fixed. "
    "Thank you for your patience, and sorry for the trouble. (Ref {case_ref})"
)

#: New cases in a fixed problem's category, from customers not linked to it, that say the fix did
#: not work: one is everyday noise in a busy category, three within the window are a pattern.
NEW_CASES_TO_REOPEN = 3


def is_same_issue(*, category: str | None, sentiment: str | None, problem_category: str | None) -> bool:
    """Whether a customer's new message is about the problem again.

    The problem's category decides when both the problem and the message have one (a thank-you
    filed as praise is not a complaint); without one, a negative message counts, a neutral or
    positive one (an answer to our message) does not.
    """
    if problem_category and category:
        return category == problem_category
    return sentiment == NEGATIVE


def main_category(labels: Sequence[str | None]) -> str | None:
    """The most common category among the linked cases' messages (ties: the first seen); None when none."""
    counts: dict[str, int] = {}
    for label in labels:
        if label:
            counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda label: counts[label]) if counts else None
