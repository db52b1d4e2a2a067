"""Complaints that agree: the window's excess and the people agreeing add up to one alarm.

A new problem's first quarter hour on a small brand brings a handful of people: not enough
volume to alarm on its own, and a handful agreeing is no alarm on a window that is not busy.
Half-way on each is enough; either alone still needs its full amount.
"""

from __future__ import annotations

import pytest

from ombuds.incidents.detectors import DetectorSettings
from ombuds.incidents.detectors.detect import enough_agreement

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
