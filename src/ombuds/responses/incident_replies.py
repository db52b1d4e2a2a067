"""One reply per open case of an incident, in the words of its holding statement.

Each reply goes through ``actions.submit_reply``, the path an agent's reply takes: the checker
reads it against the case, the brand's approval policy holds it for PR when it says so, and it
waits in the outbox like any other. A case that already has this reply (queued, held or sent) is
left alone, so sending twice does not answer a customer twice. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.lifecycle import Actor
from ombuds.errors import InvalidInput
from ombuds.incidents import actions as incident_actions
from ombuds.incidents.bulk import BulkOutcome, open_cases
from ombuds.incidents.models import Incident
from ombuds.responses import actions
from ombuds.responses.models import ANSWERING, Reply, ReplyStatus
from ombuds.responses.reply_checks import ReplyBlocked, filled_for_case
from ombuds.responses.values import Visibility
from ombuds.responses.wording.queries import holding_statements


@dataclass(slots=True)
class RepliesOutcome:
    """The bulk outcome (changed: a reply was written), and which of those wait for PR's approval."""

    cases: BulkOutcome
    held: list[int] = field(default_factory=list)

    def message(self) -> str:
        line = self.cases.message("reply with the holding statement")
        if self.held:
            line += f" {len(self.held)} wait for approval in the approvals queue."
        return line


def reply_to_open_cases(
    session: Session,
    *,
    incident: Incident,
    visibility: Visibility,
    actor: Actor,
    now: datetime,
    only: Collection[int] | None = None,
) -> RepliesOutcome:
    """Put the holding statement in the outbox (or PR's queue) once on each open case of the incident.

    Raises InvalidInput when the incident has no approved statement in force. A reply the checker
    blocks on one case (too long for its channel, say) is refused on that case alone.
    """
    statement = holding_statements(session, [incident.id], now=now).get(incident.id)
    if statement is None:
        raise InvalidInput(
            "statement: the incident has no approved holding statement in force; write one first"
        )
    cases = open_cases(session, incident=incident, only=only)
    texts = {case.id: filled_for_case(session, case=case, text=statement.version.text) for case in cases}
    answered = {
        (case_id, text)
        for case_id, text in session.execute(
            select(Reply.case_id, Reply.text).where(
                Reply.case_id.in_(list(texts)), Reply.status.in_(ANSWERING)
            )
        )
    }
    outcome = RepliesOutcome(BulkOutcome())
    for case in cases:
        if (case.id, texts[case.id]) in answered:
            outcome.cases.unchanged.append(case.id)
            continue
        try:
            reply = actions.submit_reply(
                session, case=case, text=statement.version.text, visibility=visibility, actor=actor
            )
        except ReplyBlocked as exc:  # nothing was stored for this case
            outcome.cases.refused[case.id] = str(exc)
            continue
        outcome.cases.changed.append(case.id)
        if reply.status is ReplyStatus.AWAITING_APPROVAL:
            outcome.held.append(case.id)
    if not (outcome.cases.changed or outcome.cases.refused):
        return outcome  # everyone had this reply already: nothing to note on the timeline
    incident_actions.record_bulk_action(
        session,
        incident=incident,
        action="reply",
        detail=f"{visibility.value} reply with the holding statement (version {statement.version.version})",
        case_ids=outcome.cases.changed,
        refused=len(outcome.cases.refused),
        actor_id=actor.user_id,
        now=now,
    )
    return outcome
