"""The development streams, read and analysed once for the whole run.

Analysing a stream with the default engine takes several seconds; every detection test module
replays the same streams, so they share one analysis instead of each paying for its own, and
the test processes share it too: the first to need a stream analyses it and keeps the
observations in the pytest cache (tests/support/analysis_cache.py), keyed by the data file and
by every file of the package, so a change to the analysis is never served from an older run.
Only the analysed observations are kept; the detectors under test always run afresh.
Tests must not change these lists (they are shared): build new lists to inject bursts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents.streams import streams_from_file
from tests.conftest import shared_data
from tests.support.analysis_cache import cache_key, cached


def _analysed(
    config: pytest.Config, path: Path, *, preset: str, brand: str | None = None
) -> dict[str, list[Observation]]:
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
    folder = cache.mkdir("analysed-streams") if cache is not None else None
    key = cache_key(inputs=[path], arguments=["streams_from_file", preset, str(brand)])
    return cached(folder, path.stem, key, lambda: streams_from_file(path, preset=preset, brand=brand))


@pytest.fixture(scope="session")
def spotify(pytestconfig: pytest.Config) -> list[Observation]:
    """The SpotifyCares inbound stream (about 200 mentions a day, November 2017)."""
    path = shared_data("twcs_spotifycares_inbound_dev.csv")
    return _analysed(pytestconfig, path, preset="twcs", brand="spotify")["spotify"]


@pytest.fixture(scope="session")
def airlines(pytestconfig: pytest.Config) -> dict[str, list[Observation]]:
    """The six airline streams of February 2015, by airline."""
    return _analysed(pytestconfig, shared_data("airline_dev.csv"), preset="airline")
