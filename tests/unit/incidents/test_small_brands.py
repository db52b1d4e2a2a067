"""Early warning for a brand of 60–120 mentions a day: the SpotifyCares stream thinned to 30 %,
43 % and 60 %, with 34 customers describing one new problem in their own words within 40 minutes.

PR must hear of it within 15 minutes every time, wherever it lands (quiet night or busy
afternoon) and however its first messages happen to be spread, and an ordinary month of that
small stream must not cost more than one false incident a week.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ombuds.incidents.detectors import Observation
from ombuds_lab.incidents import evaluation as ev
from ombuds_lab.incidents.bursts import REPORT_TOPICS, TUNING_TOPICS
from ombuds_lab.incidents.scaled import scaled_run
from ombuds_lab.incidents.streams import analyse_texts

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("share", "seed", "shape"),
    [
        (0.3, 0, "burst"),
        (0.43, 2, "burst"),
        (0.43, 3, "burst"),
        (0.6, 0, "burst"),
        # only 7 of the 34 in the first quarter hour: a handful of people who agree is enough
        (0.3, 0, "thin_start"),
        (0.3, 1, "thin_start"),
        # at 43 %, in busy hours: 15.8 and 17.3 minutes with words alone, 10.7 and 9.8 by meaning
        (0.43, 1, "thin_start"),
        (0.43, 3, "thin_start"),
        # at 60 %: six complaints within eight minutes where a third of one is usual, too few of
        # them agreeing for the combined test; 17.0 minutes before complaints alone were judged
        # by how often a stream of that volume sees as many, 7.8 since
        (0.6, 1, "thin_start"),
    ],
)
def test_a_new_problem_on_a_small_stream_opens_an_incident_within_15_minutes_every_time(
    spotify: list[Observation], share: float, seed: int, shape: str
) -> None:
    # the last 24 days, after ten days of history: eight bursts, alternating quiet and busy hours
    after = spotify[-1].at - timedelta(days=24)
    run = scaled_run(
        spotify,
        share=share,
        seed=seed,
        shape=shape,
        topics=(*TUNING_TOPICS, *REPORT_TOPICS),
        analyse=analyse_texts,
        after=after,
        before=spotify[-1].at + timedelta(hours=1),
        count=8,
        gap=timedelta(days=2),
        history=timedelta(days=10),
    )
    delays = sorted(round(delay, 1) for delay in run.score.delays)
    assert run.bursts == 8
    assert run.score.missed == 0, f"{run.score.missed} of 8 bursts opened no incident"
    assert max(delays) <= 15.0, f"delays {delays} min"
    assert len(run.score.unmatched) / run.weeks <= 1.0, [o.representative_text for o in run.score.unmatched]


def test_people_who_describe_one_problem_in_other_words_agree(spotify: list[Observation]) -> None:
    """The held-back half's third draw at 60 %: by 12 minutes five complaints where 0.42 are
    usual, three writing "offline" and two "lost all downloaded songs", which shares no word
    with them; its first quarter hour held only 6 of the 34. By rare words alone two or three
    agree and it opened after 16.7 minutes; by meaning they are one problem."""
    start = ev.busy_from(spotify)
    assert start is not None
    middle = start + (spotify[-1].at - start) / 2
    runs = {
        linked: scaled_run(
            spotify,
            share=0.6,
            seed=2,
            shape="burst",
            topics=REPORT_TOPICS,
            analyse=analyse_texts,
            after=middle,
            before=spotify[-1].at + timedelta(hours=1),
            count=8,
            gap=timedelta(days=3),
            meaning=ev.PRODUCT_MEANING if linked else None,
        )
        for linked in (False, True)
    }
    assert max(runs[False].score.delays) > 15.0  # what the words alone leave
    assert runs[True].score.missed == 0
    assert max(runs[True].score.delays) <= 15.0, sorted(runs[True].score.delays)
    assert len(runs[True].score.unmatched) <= len(runs[False].score.unmatched)
