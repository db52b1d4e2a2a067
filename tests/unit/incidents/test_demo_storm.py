"""The demo's own storm (#SlowDownWithLarkspur) is found by the detectors, for any seed and hour.

The demo used to open this incident by hand when detection missed it. Now nobody does, so the
detectors must catch it on the demo's small, young stream (a few days of about a hundred
mentions a day), hold its reactions in one incident, and leave the journalist's complaint a day
later to an incident of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.demo import phrases
from ombuds.demo.scenario import DemoMention, build_scenario
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine
from ombuds.incidents.detectors import BrandMonitor, Observation
from ombuds.incidents.observations import observation_from


def _observations(mentions: list[DemoMention]) -> list[Observation]:
    facts = [
        MentionFacts(
            text=m.text,
            author_handle=m.author_handle,
            author_followers=m.followers,
            channel=m.channel,
            is_public=m.is_public,
            metrics={k: int(v) for k, v in m.metrics.items()},
            created_at=m.created_at,
        )
        for m in mentions
    ]
    return [
        observation_from(
            mention_id=index + 1,
            created_at=m.created_at,
            text=m.text,
            author=m.author_handle,
            channel=m.channel,
            followers=m.followers,
            metrics=m.metrics,
            findings={finding.analyzer: finding for finding in findings},
            in_reply_to=m.in_reply_to,
        )
        for index, (m, findings) in enumerate(
            zip(mentions, load_default_engine().analyze(facts), strict=True)
        )
    ]


@pytest.mark.parametrize(("seed", "hour"), [(3, 9), (7, 14), (11, 22), (5, 3)])
def test_the_mocked_post_is_one_incident_holding_its_reactions(seed: int, hour: int) -> None:
    now = datetime(2026, 12, 1, hour, 17, tzinfo=UTC)
    scenario = build_scenario(now=now, seed=seed)
    inbound = [m for m in scenario if m.direction == "inbound"]
    post = next(m for m in scenario if m.text == phrases.MARKETING_POST)
    reactions = {i + 1 for i, m in enumerate(inbound) if m.in_reply_to == post.external_id}
    journalist = {i + 1 for i, m in enumerate(inbound) if m.author_handle == "dana_reports"}
    first_reaction = min(m.created_at for m in inbound if m.in_reply_to == post.external_id)

    monitor = BrandMonitor()
    opened: dict[int, datetime] = {}
    members: dict[int, set[int]] = {}
    for observation in _observations(inbound):
        for change in monitor.observe(observation):
            if change.kind == "opened":
                opened[change.storm_id] = change.at
            members.setdefault(change.storm_id, set()).update(change.mention_ids)

    on_storm = [storm for storm, ids in members.items() if ids & reactions]
    assert len(on_storm) == 1, "the reactions are one storm, not several"
    (storm,) = on_storm
    assert len(members[storm] & reactions) >= 0.9 * len(reactions), "its reactions link to it as they arrive"
    assert opened[storm] - first_reaction <= timedelta(minutes=15)
    assert not members[storm] & journalist, "the journalist a day later is another incident"
    assert any(ids & journalist for ids in members.values())
