"""The development streams, read and analysed once per test session.

Analysing a stream with the default engine takes several seconds; every detection test module
replays the same streams, so they share one analysis instead of each paying for its own.
Tests must not change these lists (they are shared): build new lists to inject bursts.
"""

from __future__ import annotations

import pytest

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents.streams import streams_from_file
from tests.conftest import shared_data


@pytest.fixture(scope="session")
def spotify() -> list[Observation]:
    """The SpotifyCares inbound stream (about 200 mentions a day, November 2017)."""
    path = shared_data("twcs_spotifycares_inbound_dev.csv")
    return streams_from_file(path, preset="twcs", brand="spotify")["spotify"]


@pytest.fixture(scope="session")
def airlines() -> dict[str, list[Observation]]:
    """The six airline streams of February 2015, by airline."""
    return streams_from_file(shared_data("airline_dev.csv"), preset="airline")
