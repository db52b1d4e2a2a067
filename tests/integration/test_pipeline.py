"""Mentions go in; cases come out, analysed, threaded and routed — and a crash loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_api_token
from ombuds.accounts.models import Brand, Team
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.enrichment.models import Enrichment
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import EmbeddedRunner, run_until_idle
from ombuds.pipeline.stages import STAGES, PipelineStage
from ombuds.settings import Settings
from ombuds.web.app import create_app

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _mention(
    external_id: str, author: str, text: str, minutes: int, channel: str = "x", **extra: object
) -> IncomingMention:
    created = MentionCreate(
        external_id=external_id,
        author=author,
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        channel=channel,
        **extra,  # type: ignore[arg-type]
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def _ingest(factory: sessionmaker[Session], brand: Brand, mentions: Sequence[IncomingMention]) -> None:
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=mentions)


CONVERSATION = [
    _mention(
        "1", "mara", "@Skyways my bag never arrived in Lisbon, day 3 and nobody answers", 0, followers=420
    ),
    _mention(
        "2",
        "Skyways",
        "@mara so sorry Mara, please DM us your file reference",
        20,
        direction="outbound",
        in_reply_to="1",
    ),
    _mention("3", "mara", "@Skyways done, sent it. still no bag though", 35, in_reply_to="2"),
    _mention("4", "leo", "Flight was smooth and the crew were lovely, thanks @Skyways!", 50, followers=80),
]


def test_mentions_become_routed_cases_with_their_analysis(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _ingest(session_factory, brand, CONVERSATION)

    report = run_until_idle(session_factory)

    assert report.failed == 0
    with session_factory() as session:
        assert set(session.scalars(select(Mention.stage))) == {Stage.DETECTED}
        cases = {c.subject.split()[1]: c for c in session.scalars(select(Case).order_by(Case.id))}
        assert len(cases) == 2, "one case per customer: the brand's reply and Mara's follow-up join hers"
        mara = next(c for c in cases.values() if "bag" in c.subject)
        leo = next(c for c in cases.values() if c is not mara)
        thread = session.scalars(
            select(Mention).where(Mention.case_id == mara.id).order_by(Mention.created_at)
        )
        assert [m.external_id for m in thread] == ["1", "2", "3"]
        assert mara.first_responded_at == T0 + timedelta(minutes=20)
        assert mara.status is CaseStatus.OPEN, "the brand answered, so the case is being worked"
        assert leo.status is CaseStatus.NEW
        assert mara.team_id == team.id
        assert mara.first_response_due_at is not None
        assert mara.first_response_due_at > mara.opened_at
        assert mara.priority < leo.priority, "a lost bag comes before a thank-you"
        assert all(session.scalars(select(Enrichment.model_version))), "every enrichment names its model"
        labels = dict(
            session.execute(
                select(Mention.external_id, Enrichment.label)
                .join(Enrichment, Enrichment.mention_id == Mention.id)
                .where(Enrichment.analyzer == "sentiment")
            ).all()
        )
        assert labels["1"] == "negative"
        assert labels["4"] == "positive"


def test_angry_high_reach_complaint_jumps_the_queue(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _ingest(
        session_factory,
        brand,
        [
            _mention(
                "a",
                "quiet_customer",
                "@Skyways delayed 2 hours again, no update at the gate",
                0,
                followers=90,
            ),
            _mention(
                "b",
                "travel_editor",
                "@Skyways three hours stuck on the tarmac with no water and no information. Disgraceful.",
                5,
                followers=250_000,
            ),
        ],
    )
    run_until_idle(session_factory)
    with session_factory() as session:
        first = session.scalars(select(Case).order_by(Case.priority, Case.opened_at)).first()
        assert first is not None
        assert first.priority == Priority.URGENT
        assert "tarmac" in first.subject


def test_a_restart_after_a_crash_resumes_without_doubling(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _ingest(session_factory, brand, CONVERSATION)
    run_until_idle(session_factory, stages=STAGES[:1])  # the process stops after enrichment
    with session_factory() as session:
        assert set(session.scalars(select(Mention.stage))) == {Stage.ENRICHED}

    run_until_idle(session_factory)  # a new process picks up where the last one stopped

    with session_factory() as session:
        assert set(session.scalars(select(Mention.stage))) == {Stage.DETECTED}
        per_mention = session.execute(
            select(Enrichment.mention_id, Enrichment.analyzer, func.count()).group_by(
                Enrichment.mention_id, Enrichment.analyzer
            )
        ).all()
        assert all(count == 1 for *_, count in per_mention)
        assert session.scalar(select(func.count()).select_from(Case)) == 2


@pytest.mark.parametrize("broken", [0, 2], ids=["enrich", "route"])
def test_a_mention_that_breaks_a_stage_fails_alone(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, broken: int
) -> None:
    """A round runs every stage in one transaction; a stage late in it that breaks undoes the
    round, and the stages run again one at a time put the blame on the one mention."""
    _ingest(session_factory, brand, CONVERSATION)
    stage = STAGES[broken]

    def run_but_choke_on_leo(session: Session, mentions: Sequence[Mention], now: datetime) -> None:
        if any(m.author_handle == "leo" for m in mentions):
            raise ValueError("analyzer crashed")
        stage.run(session, mentions, now)

    choking = list(STAGES)
    choking[broken] = PipelineStage(
        stage.name, stage.picks, stage.marks, run_but_choke_on_leo, stage.in_time_order
    )
    report = run_until_idle(session_factory, stages=choking)

    assert report.failed == 1
    with session_factory() as session:
        stages = dict(session.execute(select(Mention.author_handle, Mention.stage)).all())
        assert stages == {"mara": Stage.DETECTED, "Skyways": Stage.DETECTED, "leo": Stage.FAILED}
        failure = session.scalar(select(Event).where(Event.kind == "pipeline.failed"))
        assert failure is not None
        assert "analyzer crashed" in failure.data["error"]
        assert failure.data["stage"] == stage.name
        # what the stages before the broken one did for leo stands, once
        analysed = session.scalar(
            select(func.count()).select_from(Enrichment).join(Mention).where(Mention.author_handle == "leo")
        )
        assert (analysed > 0) == (broken > 0)


def test_the_embedded_runner_processes_new_mentions_in_the_background(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    runner = EmbeddedRunner(session_factory, batch_size=2, poll_seconds=30)
    runner.start()
    try:
        _ingest(session_factory, brand, CONVERSATION)
        runner.wake()
        done = threading.Event()
        for _ in range(600):  # bounded wait for the background thread's result (at most ~60 s)
            with session_factory() as session:
                if session.scalar(select(func.count()).where(Mention.stage == Stage.DETECTED)) == 4:
                    done.set()
                    break
            done.wait(0.1)
        assert done.is_set(), "the runner did not route the new mentions"
        with session_factory() as session:
            statuses = sorted(session.scalars(select(Case.status)))
            assert statuses == [CaseStatus.NEW, CaseStatus.OPEN], "answered cases are open, the rest new"
    finally:
        runner.stop()


def test_the_same_batch_arriving_again_adds_nothing(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    for _ in range(3):
        _ingest(session_factory, brand, CONVERSATION)
        run_until_idle(session_factory)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4
        assert session.scalar(select(func.count()).select_from(Case)) == 2


def test_a_brand_rule_sends_matching_cases_to_its_team(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    from ombuds.accounts.actions import create_team
    from ombuds.routing.actions import create_rule

    with session_factory.begin() as session:
        found = session.get(Brand, brand.id)
        assert found is not None
        priority_desk = create_team(session, brand=found, slug="priority", name="Priority desk")
        create_rule(session, brand_id=brand.id, name="public fires", team=priority_desk, channels=["x"])
        create_rule(session, brand_id=brand.id, name="email", team=None, channels=["email"])
    _ingest(session_factory, brand, CONVERSATION[:1])
    _ingest(
        session_factory,
        brand,
        [_mention("e1", "kim@example.org", "Where is my refund? Six weeks now.", 3, "email")],
    )

    run_until_idle(session_factory)

    with session_factory() as session:
        teams = dict(
            session.execute(select(Case.channel, Team.slug).join(Team, Team.id == Case.team_id)).all()
        )
        assert teams == {"x": "priority", "email": team.slug}, (
            "unmatched or team-less rules fall back to the default"
        )


def test_a_rule_sends_a_case_to_its_own_brand_s_team_when_another_brand_has_a_team_of_that_name(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    """An agency desk: two brands, each with a "priority" team, their mentions in one batch."""
    from ombuds.accounts.actions import create_brand, create_team
    from ombuds.routing.actions import create_rule

    with session_factory.begin() as session:
        found = session.get(Brand, brand.id)
        assert found is not None
        rail = create_brand(session, slug="rail", name="Rail")
        create_team(session, brand=rail, slug="care", name="Care", is_default=True)
        for owner in (found, rail):
            desk = create_team(session, brand=owner, slug="priority", name="Priority desk")
            create_rule(session, brand_id=owner.id, name="public fires", team=desk, channels=["x"])
    # the second brand's mentions are accepted first: its team comes first and last in the reads
    _ingest(session_factory, rail, [_mention("r1", "otto", "@Rail my train was cancelled again", 0)])
    _ingest(session_factory, brand, CONVERSATION[:1])

    run_until_idle(session_factory)

    with session_factory() as session:
        routed = session.execute(
            select(Case.brand_id, Team.brand_id).join(Team, Team.id == Case.team_id)
        ).all()
        assert sorted(routed) == sorted([(brand.id, brand.id), (rail.id, rail.id)]), "each to its own team"


def test_a_brand_reply_joins_the_case_of_the_message_it_answers_on_its_own_channel(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    """Two files of one brand both number their rows: an id names a message on its own source."""
    files = {
        "complaints.csv": [_mention("1", "kim@example.org", "Where is my refund?", 0, "email")],
        "tweets.csv": [
            _mention("1", "mara", "@Skyways my bag never arrived", 5),
            _mention("2", "Skyways", "@mara so sorry, DM us", 9, direction="outbound", in_reply_to="1"),
        ],
    }
    for name, mentions in files.items():
        with session_factory.begin() as session:
            source = get_or_create_source(session, brand_id=brand.id, kind="import", name=name)
            ingest_mentions(session, source=source, mentions=mentions)

    run_until_idle(session_factory)

    with session_factory() as session:
        case_of = dict(session.execute(select(Mention.author_handle, Mention.case_id)).all())
        assert case_of["Skyways"] == case_of["mara"] != case_of["kim@example.org"]


def test_a_mention_posted_to_the_api_is_processed_without_waiting_for_the_next_poll(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, tmp_path: Path
) -> None:
    runner = EmbeddedRunner(session_factory, batch_size=50, poll_seconds=600)
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    app.state.wake_pipeline = runner.wake
    with session_factory.begin() as session:
        _, token = create_api_token(session, brand=brand, name="helpdesk bridge")
    runner.start()
    try:
        assert runner.idle.wait(60), "the runner's first round did not finish"
        with TestClient(app) as client:
            answer = client.post(
                "/api/v1/mentions",
                json={
                    "external_id": "m-1",
                    "author": "mara",
                    "text": "My bag never arrived",
                    "channel": "x",
                    "created_at": T0.isoformat(),
                },
                headers={"Authorization": f"Bearer {token}"},
            )
        assert answer.status_code == 200, answer.text
        done = threading.Event()
        for _ in range(600):  # bounded wait, far shorter than the ten-minute poll
            with session_factory() as session:
                if session.scalar(select(Mention.stage)) == Stage.DETECTED:
                    done.set()
                    break
            done.wait(0.1)
        assert done.is_set(), "the new mention waited for the next poll"
    finally:
        runner.stop()


def _signals(session: Session, external_id: str) -> set[str]:
    mention = session.scalars(select(Mention).where(Mention.external_id == external_id)).one()
    row = session.scalars(
        select(Enrichment).where(Enrichment.mention_id == mention.id, Enrichment.analyzer == "signals")
    ).one()
    return {signal["name"] for signal in row.data["signals"]}


def test_enrichment_sees_the_authors_profile_and_what_they_wrote_before(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _ingest(
        session_factory,
        brand,
        [
            _mention("b1", "mara", "@Skyways my bag never arrived in Lisbon, flight SK210", 0),
            _mention(
                "b2", "mara", "@Skyways still no bag in Lisbon after flight SK210, day four", 3 * 24 * 60
            ),
            _mention(
                "b3", "mara", "@Skyways my bag never arrived in Lisbon again, flight SK212", 40 * 24 * 60
            ),
            # another person who is "mara" on Reddit, the next day, about the same flight
            _mention("r1", "mara", "Skyways lost my bag in Lisbon, flight SK210", 24 * 60, "reddit"),
            _mention(
                "p1",
                "lena",
                "@Skyways how many hours was SK330 delayed tonight?",
                10,
                author_bio="Aviation reporter at the Daily Courier. Tips welcome.",
            ),
            _mention(
                "p2",
                "leo",
                "@Skyways how many hours was SK330 delayed tonight?",
                12,
                author_bio="Dad, runner, coffee.",
            ),
        ],
    )

    run_until_idle(session_factory)

    with session_factory() as session:
        assert "repeat_contact" not in _signals(session, "b1")
        assert "repeat_contact" in _signals(session, "b2"), "same customer, same issue within days"
        assert "repeat_contact" not in _signals(session, "b3"), "a month later is a new contact"
        assert "repeat_contact" not in _signals(session, "r1"), "a handle names a person on one channel"
        assert "media_author" in _signals(session, "p1")
        assert "media_author" not in _signals(session, "p2")
