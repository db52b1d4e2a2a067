"""Every payload read back from the event log has one type: what a writer stores reads back the same."""

from __future__ import annotations

import pytest

from ombuds.event_payloads import (
    PAYLOAD_TYPES,
    CaseAssigned,
    CaseFirstResponse,
    CaseFollowUpReturned,
    CaseFollowUpSet,
    CaseMerged,
    CaseNoteAdded,
    CaseOpened,
    CasePriorityChanged,
    CaseResolved,
    CaseRouted,
    CaseSlaEscalated,
    CaseSlaResumed,
    CaseStatusChanged,
    CaseTeamChanged,
    CaseUnmerged,
    CustomerMerged,
    CustomerUnmerged,
    EnrichmentCorrected,
    EnrichmentReread,
    EventPayload,
    EventPayloadError,
    ProblemReopened,
    ProblemStatusChanged,
    ReplyApproved,
    ReplyAwaitingApproval,
    ReplyFailed,
    ReplyRejected,
    ReplySent,
    ReplyToPost,
    ReplyWithdrawn,
    ResolutionApplied,
    ResolutionApproved,
    ResolutionDeclined,
    ResolutionRequested,
    SurveyAnswered,
    SurveyNotSent,
    SurveySent,
    TaskDone,
    TaskOpened,
    TaskReminded,
    TaskWaived,
    parse_payload,
)

RESOLUTION = {
    "resolution_id": 3,
    "option_id": 2,
    "label": "Travel credit",
    "amount": "250.50",
    "currency": "EUR",
    "reason": "hotel night",
}

EXAMPLES: list[EventPayload] = [
    CustomerMerged(
        other_id=7,
        other_name="Mara",
        other_created_at="2026-11-30T08:00:00+00:00",
        identity_ids=(9,),
        case_ids=(12, 14),
        mention_ids=(31, 32, 40),
        api_token_id=2,
    ),
    CustomerUnmerged(other_id=7, merge_event_id=88),
    CaseMerged(other_id=14, mention_ids=(40, 41), event_ids=(90, 91)),
    CaseUnmerged(other_id=14, merge_event_id=95),
    CaseSlaResumed(paused_at="2026-12-04T16:00:00+00:00", resolve_due_at="2026-12-09T10:00:00+00:00"),
    CaseSlaEscalated(
        target="resolution",
        due_at="2026-12-09T10:00:00+00:00",
        previous_priority=3,
        priority=2,
        previous_team_id=3,
        team_id=5,
        notified_user_ids=(2, 7),
    ),
    TaskOpened(task_id=4, title="Refund the fee", team_id=3, due_at="2026-12-03T12:00:00+00:00"),
    TaskDone(task_id=4, title="Refund the fee", team_id=3, note="refunded 40 EUR", api_token_id=9),
    TaskReminded(
        task_id=4,
        title="Refund the fee",
        team_id=3,
        due_at="2026-12-03T12:00:00+00:00",
        notified_user_ids=(5, 6),
    ),
    TaskWaived(task_id=4, title="Refund the fee", team_id=3, reason="the bank refunded it"),
    CaseOpened(mention_id=7),
    CaseFirstResponse(mention_id=8),
    CaseRouted(priority=2, team_id=3, reasons=("rule: billing", "signal: churn_threat"), mention_id=7),
    CaseAssigned(previous=None, assignee=4),
    CaseAssigned(previous=4, assignee=None, api_token_id=9),
    CaseAssigned(previous=4, assignee=7, reason="Ann is away; round robin in Care"),
    CaseTeamChanged(previous=3, team=5),
    CaseStatusChanged(previous="open", status="resolved", note="refunded"),
    CaseResolved(note="done in the demo"),
    CasePriorityChanged(previous=3, priority=1, reason="a journalist asked"),
    CaseNoteAdded(text="called the customer"),
    EnrichmentCorrected(analyzer="category", label="billing", previous="baggage"),
    EnrichmentReread(
        model_version="minilm-ft-0123456789ab+emoji.2+solved.1",
        previous_version="tfidf-lr-5f3a+emoji.2+solved.1",
        labels={"sentiment": "negative"},
        previous={"sentiment": "positive"},
    ),
    ResolutionApplied(**RESOLUTION),
    ResolutionRequested(**RESOLUTION, why="above the agent's limit of 100.00", api_token_id=9),
    ResolutionApproved(**RESOLUTION, note="fair"),
    ResolutionDeclined(**RESOLUTION, note="offer 100 instead"),
    ReplyAwaitingApproval(reply_id=5, visibility="public", reason="priority 1"),
    ReplyApproved(reply_id=5, visibility="public", note="fine", edited=True, api_token_id=9),
    ReplyRejected(reply_id=6, visibility="public", note="too curt"),
    ReplyWithdrawn(reply_id=9, visibility="public", note="second thoughts"),
    ReplyWithdrawn(reply_id=10, visibility="private"),
    ReplySent(reply_id=5, visibility="public", mention_id=41),
    ReplyToPost(reply_id=7, visibility="private", channel="whatsapp"),
    ReplySent(reply_id=7, visibility="private", is_manual=True),
    ReplyFailed(reply_id=8, visibility="private", error="HTTP 400: bad recipient"),
    SurveyAnswered(score=4, comment="fixed in a day"),
    SurveySent(reply_id=9, channel="email", by_email=True),
    SurveyNotSent(channel="x"),
    CaseFollowUpSet(
        follow_up_id=3,
        follow_up="pending",
        due_at="2026-12-03T09:00:00+00:00",
        waiting_on="refund",
        note="bank",
    ),
    CaseFollowUpReturned(
        follow_up_id=3, follow_up="check_in", outcome="returned", note="is the card working?"
    ),
    ProblemStatusChanged(previous="investigating", status="fixed", note="job restarted", api_token_id=9),
    ProblemReopened(previous="fixed", reason="a customer wrote about it again", mention_id=41, case_id=12),
]


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_each_payload_reads_back_as_written(payload: EventPayload) -> None:
    assert parse_payload(payload.kind, payload.to_data()) == payload


def test_every_payload_type_has_an_example() -> None:
    assert {type(example) for example in EXAMPLES} == set(PAYLOAD_TYPES.values())


def test_stored_data_keeps_the_words_earlier_versions_used() -> None:
    """Old rows and new rows are one format: ``from``/``to``, no empty token id, no empty note."""
    assert CaseAssigned(previous=4, assignee=None).to_data() == {"from": 4, "to": None}
    assert CaseStatusChanged(previous="new", status="open").to_data() == {"from": "new", "to": "open"}
    assert CaseNoteAdded(text="hi", api_token_id=2).to_data() == {"text": "hi", "api_token_id": 2}


def test_rows_from_earlier_versions_still_read() -> None:
    assert parse_payload("case.resolved", {}) == CaseResolved()
    assert parse_payload("case.routed", {"priority": 3, "team_id": 1, "reasons": ["x"]}) == CaseRouted(
        priority=3, team_id=1, reasons=("x",)
    )


def test_kinds_without_a_payload_type_are_not_parsed() -> None:
    assert parse_payload("brand.created", {"anything": 1}) is None


def test_a_malformed_payload_says_which_event_and_what_is_wrong() -> None:
    with pytest.raises(EventPayloadError) as found:
        parse_payload("case.assigned", {"from": 1, "to": "ada"}, where="event 42")
    message = str(found.value)
    assert message.startswith("event 42 (case.assigned) has a malformed payload: to:")
    assert "integer" in message

    with pytest.raises(
        EventPayloadError, match=r"\(case.note_added\) has a malformed payload: text: Field required"
    ):
        parse_payload("case.note_added", {})
