"""Agents teach the analysis: a correction or a training file changes what similar messages get."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, User
from ombuds.enrichment import corrections, retraining
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.brand_engines import load_engine_for_brand
from ombuds.enrichment.corrections import record_correction
from ombuds.enrichment.engine import load_default_engine
from ombuds.enrichment.models import Enrichment, LabeledExample
from ombuds.errors import InvalidInput, NotFound
from ombuds.events import Event
from ombuds.mentions.models import Mention, Source


def add_mention(session: Session, brand: Brand, text: str, external_id: str) -> Mention:
    source = session.scalar(select(Source).where(Source.brand_id == brand.id))
    if source is None:
        source = Source(brand_id=brand.id, kind="api", name="feed")
        session.add(source)
        session.flush()
    mention = Mention(
        brand_id=brand.id,
        source_id=source.id,
        external_id=external_id,
        channel="x",
        author_handle="mara",
        text=text,
        created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        raw=text.encode(),
        raw_format="text",
    )
    session.add(mention)
    session.flush()
    return mention


def teach(
    session: Session,
    brand: Brand,
    agent: User,
    analyzer: str,
    rows: list[tuple[str, str]],
    *,
    retrain: bool = True,
) -> None:
    """An agent corrects ``analyzer`` on a new mention for each (text, label)."""
    for number, (text, label) in enumerate(rows):
        mention = add_mention(session, brand, text, f"{analyzer}{number}")
        record_correction(
            session,
            mention_id=mention.id,
            brand_id=brand.id,
            analyzer=analyzer,
            label=label,
            actor_id=agent.id,
            retrain=retrain,
        )


# Praise in slang the shipped sentiment model reads as negative, and a shorter message like it.
SLANG = "@skyways this seat is stupid comfy, whoever designed it is a legend"
SIMILAR = "@skyways this seat is stupid comfy"


def label_of(session: Session, brand: Brand, analyzer: str, text: str) -> str | None:
    findings = load_engine_for_brand(session, brand.id).analyze([MentionFacts(text)])[0]
    return next(f.label for f in findings if f.analyzer == analyzer)


def test_an_agents_sentiment_correction_changes_the_next_similar_message(
    session: Session, brand: Brand, agent: User
) -> None:
    assert label_of(session, brand, "sentiment", SIMILAR) == "negative"
    mention = add_mention(session, brand, SLANG, "1")

    record_correction(
        session,
        mention_id=mention.id,
        brand_id=brand.id,
        analyzer="sentiment",
        label="positive",
        actor_id=agent.id,
    )
    session.commit()

    assert label_of(session, brand, "sentiment", SIMILAR) == "positive"
    assert label_of(session, brand, "sentiment", "@skyways my bag is lost, worst airline ever") == "negative"
    findings = load_engine_for_brand(session, brand.id).analyze([MentionFacts(SIMILAR)])[0]
    version = next(f.model_version for f in findings if f.analyzer == "sentiment")
    assert version.startswith(f"brand{brand.id}-1ex-")
    shown = session.scalar(select(Enrichment).where(Enrichment.mention_id == mention.id))
    assert shown is not None
    assert (shown.label, shown.model_version) == ("positive", "correction")
    event = session.scalar(select(Event).where(Event.kind == "enrichment.corrected"))
    assert event is not None
    assert (event.actor_id, event.data["label"]) == (agent.id, "positive")


def test_brand_categories_learn_from_corrections_and_stay_with_the_brand(
    session: Session, brand: Brand, agent: User
) -> None:
    teaching = [
        ("@skyways the app logs me out every time I open it", "App problems"),
        ("@skyways app crashes when I try to check in", "App problems"),
        ("@skyways you charged my card twice for one ticket", "Billing"),
        ("@skyways refund still not on my card after 3 weeks", "Billing"),
    ]
    teach(session, brand, agent, "category", teaching)
    session.commit()

    assert label_of(session, brand, "category", "@skyways the app crashes on my phone") == "App problems"
    assert label_of(session, brand, "category", "@skyways charged twice on my card") == "Billing"
    default = load_default_engine().analyze([MentionFacts("@skyways the app crashes on my phone")])[0]
    assert next(f.label for f in default if f.analyzer == "category") != "App problems"
    assert session.scalar(select(LabeledExample.origin)) == "correction"


def test_one_category_alone_is_stored_but_not_yet_learned(
    session: Session, brand: Brand, agent: User
) -> None:
    mention = add_mention(session, brand, "@skyways the app crashes", "x1")
    record_correction(
        session, mention_id=mention.id, brand_id=brand.id, analyzer="category", label="App", actor_id=agent.id
    )
    assert retraining.retrain_brand_model(session, brand_id=brand.id, analyzer="category") is None


def test_corrections_are_checked(session: Session, brand: Brand, agent: User) -> None:
    mention = add_mention(session, brand, "@skyways hello", "v1")
    with pytest.raises(InvalidInput, match="not one of"):
        record_correction(
            session,
            mention_id=mention.id,
            brand_id=brand.id,
            analyzer="sentiment",
            label="furious",
            actor_id=None,
        )
    with pytest.raises(InvalidInput, match="does not learn"):
        record_correction(
            session, mention_id=mention.id, brand_id=brand.id, analyzer="reach", label="high", actor_id=None
        )
    with pytest.raises(NotFound):
        record_correction(
            session,
            mention_id=mention.id + 100,
            brand_id=brand.id,
            analyzer="intent",
            label="praise",
            actor_id=None,
        )


def test_ombuds_train_learns_a_brand_taxonomy_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, engine: object
) -> None:
    from typer.testing import CliRunner

    from ombuds.cli import app
    from ombuds.settings import get_settings

    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    rows = [
        ("the app logs me out every time", "App problems", ""),
        ("app crashes when I check in", "App problems", "negative"),
        ("charged twice for one ticket", "Billing", "negative"),
        ("refund still not on my card", "Billing", ""),
    ]
    csv_file = tmp_path / "examples.csv"
    csv_file.write_text(
        "text,category,sentiment\n" + "".join(f"{t},{c},{s}\n" for t, c, s in rows), encoding="utf-8"
    )
    from ombuds.accounts import actions
    from ombuds.db import make_engine, make_session_factory, transaction

    database = make_engine(database_url)
    with transaction(make_session_factory(database)) as session:
        actions.create_brand(session, slug="acme", name="Acme")
    database.dispose()

    result = runner.invoke(app, ["train", "--brand", "acme", "--from", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert '"category": {"examples_added": 4' in result.stdout
    assert '"sentiment": {"examples_added": 2' in result.stdout

    # the same file again teaches nothing twice; saved by a spreadsheet with a byte-order mark, too
    again = tmp_path / "again.csv"
    again.write_bytes(b"\xef\xbb\xbf" + csv_file.read_bytes().replace(b"\n", b"\r\n"))
    result = runner.invoke(app, ["train", "--brand", "acme", "--from", str(again)])
    assert result.exit_code == 0, result.output
    assert '"category": {"examples_added": 0, "examples_total": 4' in result.stdout

    good = "text,sentiment\nfine flight,positive\n"
    for name, content, says in (
        (
            "label.csv",
            b"text,sentiment\nfine,great\n",
            "line 2, column 'sentiment': sentiment label 'great' is not one of",
        ),
        ("latin1.csv", (good + "caf\xe9 was cold,negative\n").encode("latin-1"), "line 3: not UTF-8"),
        ("nul.csv", (good + "lost\x00bag,negative\n").encode(), "line 3: a NUL character"),
        ("long.csv", (good + '"' + "x" * 60_000 + '",negative\n').encode(), "line 3, column 'text': at most"),
    ):
        bad = tmp_path / name
        bad.write_bytes(content)
        result = runner.invoke(app, ["train", "--brand", "acme", "--from", str(bad)])
        assert result.exit_code == 2, (name, result.output)
        assert says in result.output, (name, result.output)
        assert "Traceback" not in result.output
    folder = runner.invoke(app, ["train", "--brand", "acme", "--from", str(tmp_path)])
    assert folder.exit_code == 2
    assert "it is a folder" in folder.output
    get_settings.cache_clear()


def test_a_brand_with_many_examples_learns_a_correction_in_the_background(
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    agent: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(corrections, "INLINE_RETRAIN_EXAMPLES", 2)  # stands for a brand with thousands
    praise = ["@skyways lovely crew, thanks", "@skyways smooth flight today"]
    teach(session, brand, agent, "sentiment", [(text, "positive") for text in praise])
    session.commit()
    assert retraining.stale_models(session) == []
    mention = add_mention(session, brand, SLANG, "slang")

    record_correction(
        session,
        mention_id=mention.id,
        brand_id=brand.id,
        analyzer="sentiment",
        label="positive",
        actor_id=agent.id,
    )
    session.commit()

    assert retraining.stale_models(session) == [(brand.id, "sentiment")], (
        "the click did not wait for training"
    )
    assert label_of(session, brand, "sentiment", SIMILAR) == "negative"
    assert retraining.retrain_stale_models(session_factory) == [(brand.id, "sentiment")]
    session.expire_all()
    assert retraining.stale_models(session) == []
    assert label_of(session, brand, "sentiment", SIMILAR) == "positive"


@pytest.mark.slow
@pytest.mark.one_database  # tuning takes the time; the rows are the ones other tests write on both
def test_ombuds_train_accurate_learns_from_the_corrections_a_brand_already_has(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    session: Session,
    brand: Brand,
    agent: User,
) -> None:
    """No file: `ombuds train --accurate` fine-tunes the brand's accurate model on its agents'
    corrections, and the brand's engine reads with it from then on."""
    import json

    from typer.testing import CliRunner

    from ombuds.cli import app
    from ombuds.enrichment.accurate.recipe import VERSION_PREFIX
    from ombuds.settings import get_settings

    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()

    result = runner.invoke(app, ["train", "--brand", "skyways"])
    assert result.exit_code == 2
    assert "nothing to learn from" in result.output
    result = runner.invoke(app, ["train", "--brand", "skyways", "--accurate"])
    assert result.exit_code == 2, "a brand with no examples yet"
    assert "no examples to learn from yet" in result.output
    result = runner.invoke(app, ["train", "--brand", "nobody", "--accurate"])
    assert result.exit_code != 0
    assert "'nobody' not found" in result.output

    said = {
        "negative": ["lost my bag again", "flight delayed four hours, no updates", "rude gate agent"],
        "positive": ["lovely crew, thank you", "smooth flight and on time", "great service today"],
    }
    rows = [(f"@skyways {text}", label) for label, texts in said.items() for text in texts]
    teach(session, brand, agent, "sentiment", rows, retrain=False)
    session.commit()

    result = runner.invoke(app, ["train", "--brand", "skyways", "--accurate", "--epochs", "1"])

    assert result.exit_code == 0, result.output
    learned = json.loads(result.stdout)["accurate"]
    assert learned["examples"] == {"sentiment": 6}
    assert learned["version"].startswith(VERSION_PREFIX)
    session.expire_all()
    engine = load_engine_for_brand(session, brand.id)
    assert engine.versions["sentiment"].startswith(VERSION_PREFIX), "the brand reads with its new model"
    get_settings.cache_clear()
