"""Early warning for a brand of 60–90 mentions a day: the SpotifyCares stream thinned to 30 % and
43 %, with 34 customers describing one new problem in their own words within 40 minutes.

PR must hear of it within minutes wherever it lands (quiet night or busy afternoon), and an
ordinary month of that small stream must not cost more than one false incident a week.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents.bursts import REPORT_TOPICS, TUNING_TOPICS
from ombuds_lab.incidents.scaled import scaled_run
from ombuds_lab.incidents.streams import analyse_texts, streams_from_file
from tests.conftest import shared_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spotify() -> list[Observation]:
    path = shared_data("twcs_spotifycares_inbound_dev.csv")
    return streams_from_file(path, preset="twcs", brand="spotify")["spotify"]


@pytest.mark.parametrize(("share", "seed"), [(0.3, 0), (0.3, 1), (0.43, 2), (0.43, 3)])
def test_a_new_problem_on_a_small_stream_opens_an_incident_within_minutes(
    spotify: list[Observation], share: float, seed: int
) -> None:
    # the last month, after two weeks of history: a realistic span for the false-alarm budget
    after = spotify[-1].at - timedelta(days=30)
    run = scaled_run(
        spotify,
        share=share,
        seed=seed,
        shape="burst",
        topics=(*TUNING_TOPICS, *REPORT_TOPICS),
        analyse=analyse_texts,
        after=after,
        before=spotify[-1].at + timedelta(hours=1),
        count=6,
        history=timedelta(days=15),
    )
    delays = sorted(round(delay, 1) for delay in run.score.delays)
    assert run.bursts == 6
    assert run.score.missed == 0, f"{run.score.missed} of 6 bursts opened no incident"
    # random arrivals can leave a quiet gap early in a burst; one in six may take a little longer
    assert sum(1 for delay in delays if delay <= 15.0) >= 5, f"delays {delays} min"
    assert max(delays) <= 20.0, f"delays {delays} min"
    assert len(run.score.unmatched) / run.weeks <= 1.0, [o.representative_text for o in run.score.unmatched]
