"""What every writer of replies asks before it writes: the words cleaned, filled in and checked, the
brand's approval policy, and the part of the desk that drafted a reply; and the event each write records.

A finding that blocks refuses the write with the findings (``ReplyBlocked``); a drafting part that
objects refuses it with a Conflict that says why (``register_draft_guard``). Nothing here writes
but the event. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import Conflict, InvalidInput, OmbudsError
from ombuds.event_payloads import ReplyEvent
from ombuds.events import record_event
from ombuds.responses import queries
from ombuds.responses.approval_rules import approval_reason
from ombuds.responses.checker import check_reply
from ombuds.responses.models import Reply
from ombuds.responses.values import ReplyFinding, Visibility

REPLY_MAX_CHARS = 50_000
NOTE_MAX_CHARS = 5_000

#: A check by the part of the desk that wrote a draft (problems: its fix message) before the draft
#: goes out: why it must not go now, or None. Registered, so this package need not import its writers.
DraftGuard = Callable[[Session, Reply], str | None]
_draft_guards: list[DraftGuard] = []


def register_draft_guard(guard: DraftGuard) -> None:
    """Ask ``guard`` before a draft (or a held reply) is sent or approved; once per guard."""
    if guard not in _draft_guards:
        _draft_guards.append(guard)


def ensure_draft_may_go(session: Session, *, reply: Reply) -> None:
    """Raise Conflict with the reason when the part of the desk that drafted the reply refuses it now."""
    for guard in _draft_guards:
        refusal = guard(session, reply)
        if refusal:
            raise Conflict(refusal)


class ReplyBlocked(OmbudsError):
    """The checker found something that stops this reply; ``findings`` say what and where."""

    def __init__(self, findings: Sequence[ReplyFinding]) -> None:
        self.findings = list(findings)
        blocking = [f for f in findings if f.severity == "block"]
        super().__init__("the reply cannot be sent: " + "; ".join(f.message for f in blocking))


def fill_variables(text: str, *, customer_name: str | None, case_ref: str) -> str:
    """Put the customer's name and the case reference where the agent wrote {customer_name} and {case_ref}."""
    return text.replace("{customer_name}", customer_name or "there").replace("{case_ref}", case_ref)


def clean_reply_text(text: str, *, field: str = "text") -> str:
    """The reply's words without surrounding blanks; InvalidInput naming ``field`` when empty or too long."""
    text = text.strip()
    if not text:
        raise InvalidInput(f"{field}: write the reply (it was empty)")
    if len(text) > REPLY_MAX_CHARS:
        raise InvalidInput(f"{field}: at most {REPLY_MAX_CHARS} characters (got {len(text)})")
    return text


def filled_for_case(session: Session, *, case: Case, text: str) -> str:
    """The words as they go out on the case: {customer_name} and {case_ref} filled in."""
    return fill_variables(
        text, customer_name=queries.customer_name(session, case=case), case_ref=queries.case_reference(case)
    )


def check(session: Session, *, case: Case, text: str, visibility: Visibility) -> list[ReplyFinding]:
    """What the checker says of this text as a reply on the case (variables filled in first)."""
    filled = filled_for_case(session, case=case, text=text)
    return check_reply(queries.reply_draft(session, case=case, text=filled, visibility=visibility))


def case_approval_reason(session: Session, *, case: Case, visibility: Visibility) -> str | None:
    """Why the brand's policy holds this reply for PR now, or None."""
    _, _, signals = queries.case_signals(session, case=case)
    return approval_reason(
        policy=queries.approval_policy(session, brand_id=case.brand_id),
        visibility=visibility,
        priority=case.priority,
        signals=signals,
        has_active_incident=queries.has_active_incident(session, case=case),
    )


def record_reply_event(session: Session, *, reply: Reply, actor_id: int | None, payload: ReplyEvent) -> None:
    """One event on the reply's case (its timeline tells the reply's story)."""
    record_event(
        session,
        brand_id=reply.brand_id,
        subject_type="case",
        subject_id=reply.case_id,
        actor_id=actor_id,
        payload=payload,
        occurred_at=utcnow(),
    )
