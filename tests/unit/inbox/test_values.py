"""What a saved view keeps of an inbox address, how it is read back, and the bulk summary's words."""

from __future__ import annotations

from ombuds.cases.values import CaseStatus, InboxSort, Priority
from ombuds.inbox.bulk import BulkOutcome
from ombuds.inbox.values import InboxFilter, clean_query, parse_filter


def test_a_view_keeps_only_the_inbox_parameters_in_a_fixed_order() -> None:
    assert (
        clean_query("/inbox?sort=sla&page=4&team=3&evil=<script>&assignee=me")
        == "team=3&assignee=me&sort=sla"
    )
    assert clean_query("?q=lost+bag&q=refund") == "q=refund"
    assert clean_query("") == ""


def test_a_saved_query_reads_back_as_the_inbox_would_and_nonsense_is_ignored() -> None:
    assert parse_filter("assignee=me&priority=1&status=pending&sort=reach") == InboxFilter(
        status=CaseStatus.PENDING, assignee_me=True, priority=Priority.URGENT, sort=InboxSort.REACH
    )
    assert parse_filter("team=none&assignee=none&priority=urgent") == InboxFilter(
        without_team=True, without_assignee=True, priority=Priority.URGENT
    )
    assert parse_filter("team=²&status=closed&sort=random&priority=9") == InboxFilter()
    assert parse_filter(f"team={'9' * 40}").team_id is None


def test_the_bulk_summary_says_what_changed_what_already_was_and_what_was_not_changed() -> None:
    outcome = BulkOutcome(
        changed=[1, 2], unchanged=[3], refused={4: "the case cannot be resolved while a task is open"}
    )

    assert outcome.summary("resolved") == (
        "2 cases resolved; 1 already was; 1 not changed (#4: the case cannot be resolved while a task is open)."
    )
    assert BulkOutcome(changed=[7]).summary("assigned") == "1 case assigned."
