"""Two incidents are proposed as one event when they overlap in time and come from the same complaints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.incidents.merging import IncidentShape, complaint_stream, merge_target
from ombuds_lab.incidents import evaluation as ev

START = datetime(2017, 11, 28, 21, 8, tzinfo=UTC)


def _shape(
    id_: int,
    first_minutes: float,
    last_minutes: float,
    *,
    key: str = "phrase",
    category: str | None = None,
    phrases: frozenset[str] = frozenset(),
    is_manual: bool = False,
) -> IncidentShape:
    first = START + timedelta(minutes=first_minutes)
    return IncidentShape(
        id=id_,
        opened_at=first + timedelta(minutes=5),
        first_mention_at=first,
        last_mention_at=START + timedelta(minutes=last_minutes),
        key=key,
        category=category,
        phrases=phrases,
        is_manual=is_manual,
    )


def test_the_outage_s_second_cluster_is_proposed_into_the_first() -> None:
    # SpotifyCares, 28 Nov 2017: "also down for me" replies, then a cluster seven minutes later
    # sharing no phrase with the first.
    replies = _shape(1, 0, 10, phrases=frozenset({"also down for me"}))
    second = _shape(2, 10, 60, phrases=frozenset({"nothing loads except playlists"}))
    assert merge_target(second, [replies, second]) == 1


def test_the_all_good_now_wave_hours_later_joins_while_the_outage_is_still_talked_about() -> None:
    outage = _shape(1, 0, 200)
    all_good = _shape(3, 210, 260, phrases=frozenset({"all good now"}))
    assert merge_target(all_good, [outage]) == 1
    # A wave six hours after the outage went quiet is something else.
    next_day = _shape(4, 200 + 6 * 60, 260 + 6 * 60)
    assert merge_target(next_day, [outage]) is None


def test_a_storm_of_another_stream_is_its_own_event_unless_its_complaints_match() -> None:
    billing = _shape(1, 0, 60, key="category:Refunds")
    app = _shape(2, 10, 40, key="channel:email")
    assert merge_target(app, [billing]) is None
    same_complaints = _shape(3, 10, 40, key="channel:email", category="Refunds")
    assert merge_target(same_complaints, [_shape(1, 0, 60, key="category:Refunds", category="Refunds")]) == 1
    shared_words = _shape(5, 10, 40, key="author:@journalist", phrases=frozenset({"app down"}))
    assert (
        merge_target(shared_words, [_shape(6, 0, 40, key="signal:churn", phrases=frozenset({"app down"}))])
        == 6
    )


def test_incidents_a_person_opened_are_never_proposed_and_the_earliest_open_one_is_chosen() -> None:
    new = _shape(9, 30, 50)
    assert merge_target(new, [_shape(1, 0, 40, is_manual=True)]) is None
    assert merge_target(_shape(9, 30, 50, is_manual=True), [_shape(1, 0, 40)]) is None
    assert merge_target(new, [_shape(3, 5, 40), _shape(2, 0, 40), _shape(10, 40, 60)]) == 2


def test_keys_name_their_complaint_stream() -> None:
    assert [complaint_stream(k) for k in ("all", "phrase", "tone:negative", "category:Refunds")] == [
        "all",
        "all",
        "all",
        "category:Refunds",
    ]


def test_the_benchmark_counts_a_merged_opening_as_one_incident_with_its_first() -> None:
    outage = ev.Opening(START, frozenset({1, 2}), "cluster")
    second_cluster = ev.Opening(START + timedelta(minutes=7), frozenset({3}), "cluster", merged_into=0)
    elsewhere = ev.Opening(START + timedelta(days=2), frozenset({9}), "volume")
    openings = [outage, second_cluster, elsewhere]
    assert ev.incidents(openings) == [outage, elsewhere]
    assert ev.score(openings, []).unmatched == [outage, elsewhere]
    assert [o for _, o in ev.score_events({"spotifycares": openings}, []).false] == [outage, elsewhere]
