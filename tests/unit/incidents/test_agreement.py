"""Complaints that agree: the window's excess and the people agreeing add up to one alarm.

A new problem's first quarter hour on a small brand brings a handful of people: not enough
volume to alarm on its own, and a handful agreeing is no alarm on a window that is not busy.
Half-way on each is enough; either alone still needs its full amount.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys

import pytest

from ombuds.incidents.detectors import BrandMonitor, DetectorSettings
from ombuds.incidents.detectors.detect import enough_agreement
from ombuds.incidents.detectors.windows import Entry, SlidingWindow

SETTINGS = DetectorSettings()


def test_half_way_on_both_is_an_alarm() -> None:
    half_volume = SETTINGS.volume_strength / 2
    half_agreeing = round(SETTINGS.agree_full_voices / 2)
    assert enough_agreement(half_volume, half_agreeing, half_agreeing + 1, SETTINGS)


@pytest.mark.parametrize(
    ("power", "agreeing", "voices"),
    [
        (SETTINGS.volume_strength / 2, 4, 8),  # a few agree: not half-way on agreement
        (SETTINGS.agree_strength, 6, 7),  # six agree in a window barely above normal
        (SETTINGS.volume_strength * 0.9, 6, 13),  # a busy window of which fewer than half agree
        (SETTINGS.agree_strength - 0.1, 40, 40),  # everyone agrees, but the window is ordinary
        (SETTINGS.volume_strength, 3, 3),  # too few people to speak of agreement
    ],
)
def test_either_alone_needs_its_full_amount(power: float, agreeing: int, voices: int) -> None:
    assert not enough_agreement(power, agreeing, voices, SETTINGS)


def test_the_more_people_agree_the_less_excess_is_needed() -> None:
    needed = [
        min(p / 10 for p in range(0, 100) if enough_agreement(p / 10, agreeing, agreeing, SETTINGS))
        for agreeing in (4, 6, 8)
    ]
    assert needed == sorted(needed, reverse=True)
    assert needed[0] > needed[-1]


def _pairwise_groups(by_author: dict[str, dict[str, float]], needed: float) -> tuple[set[str], list[str]]:
    """The agreeing group as first written: every pair of authors compared."""
    authors = list(by_author)
    parent = {author: author for author in authors}

    def root(author: str) -> str:
        while parent[author] != author:
            author = parent[author]
        return author

    used: dict[str, int] = {}
    for index, first in enumerate(authors):
        for second in authors[index + 1 :]:
            mine, theirs = by_author[first], by_author[second]
            shared = mine.keys() & theirs.keys()
            if shared and sum(-math.log10(max(mine[s], theirs[s])) for s in shared) >= needed:
                parent[root(second)] = root(first)
                for stem in shared:
                    used[stem] = used.get(stem, 0) + 1
    groups: dict[str, set[str]] = {}
    for author in authors:
        groups.setdefault(root(author), set()).add(author)
    group = max(groups.values(), key=len, default=set())
    if len(group) < 2:
        return set(), []
    return group, sorted(
        (s for s in used if any(s in by_author[a] for a in group)), key=lambda s: (-used[s], s)
    )


def test_the_agreeing_group_and_its_words_are_those_of_comparing_every_pair() -> None:
    # The detector finds the pairs that share a stem through an index; the group and the
    # order of its telling words (which name the incident) must be what every pair gives.
    rng = random.Random(3)
    vocabulary = [f"stem{n}" for n in range(40)]
    for trial in range(60):
        monitor = BrandMonitor()
        window = SlidingWindow(900.0)
        by_author: dict[str, dict[str, float]] = {}
        for mention_id in range(1, rng.randint(2, 45)):
            author = f"author{rng.randint(1, 30)}"
            stems = {s: 10 ** rng.uniform(-5, -1.7) for s in rng.sample(vocabulary, rng.randint(0, 4))}
            monitor.detectors._terms[mention_id] = stems
            window.add(Entry(float(mention_id), mention_id, author, False))
            found = by_author.setdefault(author, {})
            for stem, rate in stems.items():
                found[stem] = min(rate, found.get(stem, 1.0))
        expected = _pairwise_groups(by_author, monitor.settings.agree_link_strength)
        assert monitor.detectors._agreeing(window) == expected, trial


_AGREEING_IN_A_FRESH_PROCESS = """
from ombuds.incidents.detectors import BrandMonitor
from ombuds.incidents.detectors.windows import Entry, SlidingWindow
monitor = BrandMonitor()
window = SlidingWindow(900.0)
for mention_id in range(1, 7):
    monitor.detectors._terms[mention_id] = {s: 1e-4 for s in ("wifi", "gate", "seat", "baggage", "refund")}
    window.add(Entry(float(mention_id), mention_id, f"author{mention_id}", False))
print(monitor.detectors._agreeing(window)[1])
"""


def test_the_words_naming_agreeing_complaints_are_the_same_in_every_process() -> None:
    # A worker replaying the detectors' journal must reach the same storms as the process that
    # wrote it; with every stem shared as often, string hashing must not decide their order.
    named = {
        subprocess.run(
            [sys.executable, "-c", _AGREEING_IN_A_FRESH_PROCESS],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(1, 5)
    }
    assert len(named) == 1, named


def test_a_moving_window_finds_the_group_that_comparing_every_pair_finds() -> None:
    # The detector remembers each window's links from one call to the next and the links of
    # pairs of authors across windows; as windows move, gain and lose mentions (an author's
    # second message among them), every answer must still be what every pair gives.
    rng = random.Random(11)
    vocabulary = [f"stem{n}" for n in range(25)]
    monitor = BrandMonitor()
    detectors = monitor.detectors
    windows = [SlidingWindow(30.0), SlidingWindow(75.0)]
    for mention_id in range(1, 400):
        stems = {s: 10 ** rng.uniform(-4, -1.7) for s in rng.sample(vocabulary, rng.randint(0, 3))}
        detectors._terms[mention_id] = stems
        entry = Entry(float(mention_id), mention_id, f"author{rng.randint(1, 40)}", False)
        for window in windows:
            window.add(entry)
        window = rng.choice(windows)
        by_author: dict[str, dict[str, float]] = {}
        for held in window.entries:
            found = by_author.setdefault(held.voice, {})
            for stem, rate in detectors._terms[held.mention_id].items():
                found[stem] = min(rate, found.get(stem, 1.0))
        expected = _pairwise_groups(by_author, monitor.settings.agree_link_strength)
        assert detectors._agreeing(window) == expected, mention_id
