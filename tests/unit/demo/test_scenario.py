from datetime import UTC, datetime, timedelta

from ombuds.demo.scenario import build_scenario

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_scenario_has_several_hundred_varied_mentions_over_a_few_days() -> None:
    mentions = build_scenario(now=NOW)
    assert 300 <= len(mentions) <= 800
    texts = [m.text for m in mentions]
    assert len(set(texts)) / len(texts) > 0.6, "the demo must not repeat a handful of strings"
    assert min(m.created_at for m in mentions) >= NOW - timedelta(days=4)
    assert max(m.created_at for m in mentions) <= NOW
    assert [m.created_at for m in mentions] == sorted(m.created_at for m in mentions)
    assert len({m.external_id for m in mentions}) == len(mentions)


def test_scenario_holds_the_stories_the_demo_tells() -> None:
    mentions = build_scenario(now=NOW)
    assert any(m.followers > 100_000 and m.direction == "inbound" for m in mentions), "a high-reach customer"
    assert any(not m.is_public for m in mentions), "a customer who continues privately"
    assert any(m.direction == "outbound" and m.in_reply_to for m in mentions), "brand replies"
    burst = [m for m in mentions if "SlowDownWithLarkspur" in m.text and m.direction == "inbound"]
    assert len(burst) >= 30
    assert max(m.created_at for m in burst) - min(m.created_at for m in burst) < timedelta(hours=6)


def test_same_seed_same_story_other_seed_other_story() -> None:
    assert build_scenario(now=NOW, seed=1) == build_scenario(now=NOW, seed=1)
    assert [m.text for m in build_scenario(now=NOW, seed=1)] != [
        m.text for m in build_scenario(now=NOW, seed=2)
    ]
