"""Complaints that agree join a storm only when it is about the same thing.

A real storm (a contest whose entrants keep posting) keeps the brand's volume key busy for
hours. A new problem during it must open its own incident, even though its alarm watches the
same key and the hot storm has already taken in its first mentions; complaints about the
storm's own subject still join it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from ombuds.incidents.detectors import DetectorSettings
from ombuds.incidents.detectors.book import StormBook
from ombuds.incidents.detectors.storms import StormMessage
from ombuds.incidents.detectors.types import Alarm, Signal

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
CONTEST = "Enter the companion pass contest and win a companion pass for a year #{n}"
OUTAGE = "The wifi onboard keeps disconnecting, cannot connect at all #{n}"


def message(mention_id: int, text: str, at: float) -> StormMessage:
    return StormMessage(mention_id, at, text, f"user{mention_id}", 10, 0, True, "negative")


def alarm(ids: range, at: float, shared: list[str] | None = None) -> Alarm:
    evidence: dict[str, object] = {"voices": len(ids), "expected": 2.0, "window_minutes": 15}
    if shared is not None:
        evidence["agreeing_voices"] = len(ids)
        evidence["shared_words"] = shared
    return Alarm(Signal.VOLUME, "all", datetime.fromtimestamp(at, UTC), tuple(ids), 5.0, evidence, ratio=4.0)


def contest_storm() -> tuple[StormBook, dict[int, StormMessage]]:
    """A storm of 30 contest entries, opened by the brand's volume, that then takes in the
    first five wifi complaints because its key still runs hot."""
    book = StormBook(DetectorSettings(), random.Random(1))
    recent = {i: message(i, CONTEST.format(n=i), START + i) for i in range(30)}
    (opened,) = book.fold(alarm(range(30), START + 30), recent)
    assert opened.kind == "opened"
    storm = book.storms[opened.storm_id]
    for i in range(100, 105):
        recent[i] = message(i, OUTAGE.format(n=i), START + 600 + i)
        storm.attach(recent[i], book.rng)
    return book, recent


def test_complaints_about_something_else_open_their_own_incident() -> None:
    book, recent = contest_storm()
    for i in range(105, 110):
        recent[i] = message(i, OUTAGE.format(n=i), START + 600 + i)

    changes = book.fold(alarm(range(100, 110), START + 720, shared=["wifi", "connect", "disconnect"]), recent)

    assert [c.kind for c in changes] == ["opened"]
    assert changes[0].storm_id != 1
    assert set(changes[0].mention_ids) == set(range(100, 110))  # with the five the contest took in
    assert len(book.open_storms()) == 2


def test_complaints_about_the_storms_subject_join_it() -> None:
    book, recent = contest_storm()
    for i in range(200, 206):
        recent[i] = message(i, CONTEST.format(n=i), START + 700 + i)

    changes = book.fold(alarm(range(200, 206), START + 960, shared=["companion", "contest"]), recent)

    assert [(c.kind, c.storm_id) for c in changes] == [("grew", 1)]
    assert len(book.open_storms()) == 1


def test_volume_alone_still_joins_the_storm_on_its_key() -> None:
    book, recent = contest_storm()
    changes = book.fold(alarm(range(100, 105), START + 720), recent)
    assert all(c.storm_id == 1 for c in changes)
    assert len(book.open_storms()) == 1


POST = "Why rush? #SlowDownWithLarkspur is the most honest slogan ever #{n}"
ELSEWHERE = ("I was double charged on my booking #{n}", "my bag did not arrive in Austin #{n}")


def test_a_spike_joining_a_storm_about_one_thing_does_not_bring_the_whole_hours_mentions() -> None:
    """A post's storm (a cluster of one phrase) that the brand's volume spike joins is bigger for
    it, but a billing question or a lost bag written in that busy hour is not about the post: its
    customer must not get the post's holding statement."""
    book = StormBook(DetectorSettings(), random.Random(1))
    recent = {i: message(i, POST.format(n=i), START + i) for i in range(12)}
    phrase = ((7, "slowdownwithlarkspur"),)
    cluster = Alarm(
        Signal.CLUSTER,
        "phrase:7",
        datetime.fromtimestamp(START + 12, UTC),
        tuple(range(12)),
        6.0,
        phrases=phrase,
    )
    (opened,) = book.fold(cluster, recent)
    storm = book.storms[opened.storm_id]
    for i, text in enumerate(ELSEWHERE * 3, start=50):
        recent[i] = message(i, text.format(n=i), START + 20 + i)

    changes = book.fold(alarm(range(56), START + 120), recent)  # the spike: the post's and the rest

    assert [(c.kind, c.storm_id) for c in changes] == [("signal", storm.storm_id)]  # the same storm
    assert not set(changes[0].mention_ids) & set(range(50, 56))
    assert "volume:all" in storm.keys

    # while the volume still runs hot, a new billing question does not join the post's storm;
    # one more reaction to the post does, by its phrase
    def volume_is_hot(tag: str, *_: object) -> bool:
        return tag.startswith("volume:")

    billing = message(60, ELSEWHERE[0].format(n=60), START + 200)
    assert book.attach(billing, ["all"], {}, START + 200, volume_is_hot) == []
    reaction = message(61, POST.format(n=61), START + 210)
    joined = book.attach(reaction, ["all"], {7: "slowdownwithlarkspur"}, START + 210, volume_is_hot)
    assert [(c.storm_id, c.mention_ids) for c in joined] == [(storm.storm_id, (61,))]
