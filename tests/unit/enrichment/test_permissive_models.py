"""The permissive model learns only from data a company may use, with labels made as documented."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ombuds.enrichment import artifacts
from ombuds.enrichment.artifacts import model_path
from ombuds_lab.enrichment import permissive
from tests.conftest import shared_data


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def permissive_only(tmp_path: Path) -> Path:
    """A data folder holding the permissive files and nothing else (no airline, no twcs)."""
    write_csv(
        tmp_path / permissive.BANKING77,
        ["text", "category"],
        [
            ["How do I order a physical card?", "order_physical_card"],
            ["I was charged twice", "transaction_charged_twice"],
        ],
    )
    write_csv(tmp_path / permissive.CFPB, [permissive.CFPB_TEXT], [["The lender ignored my dispute. " * 80]])
    for name in permissive.UCI:
        write_csv(tmp_path / name, ["sentence", "label"], [["Loved it.", "1"], ["Awful service.", "0"]])
    return tmp_path


def test_labels_are_derived_from_permissive_files_only(permissive_only: Path) -> None:
    sentiment = permissive.sentiment_set(permissive_only)
    labelled = dict(zip(sentiment.texts, sentiment.labels, strict=True))

    assert labelled["How do I order a physical card?"] == "neutral"
    assert labelled["I was charged twice"] == "negative"
    assert labelled["Loved it."] == "positive"
    assert labelled["Awful service."] == "negative"
    narrative = next(text for text in sentiment.texts if text.startswith("The lender"))
    assert len(narrative) == permissive.CFPB_CHARS, "long narratives are cut to their opening"
    categories = permissive.category_set(permissive_only)
    topics = dict(zip(categories.texts, categories.labels, strict=True))
    assert topics["I was charged twice"] == "Fees and charges"
    assert topics["Loved it."] == "none"
    assert len(permissive.unlabelled_texts(permissive_only)) == 2 + 1 + 2 * len(permissive.UCI)


def test_every_file_read_is_licensed_for_commercial_use() -> None:
    assert {f.name for f in permissive.FILES} == {permissive.BANKING77, permissive.CFPB, *permissive.UCI}
    assert all("CC BY 4.0" in f.licence or "public domain" in f.licence for f in permissive.FILES)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(ValueError, match=permissive.BANKING77):
        permissive.sentiment_set(Path("/nonexistent"))


def test_every_banking77_intent_belongs_to_a_topic() -> None:
    path = shared_data(permissive.BANKING77)
    with path.open(encoding="utf-8", newline="") as handle:
        intents = {row["category"] for row in csv.DictReader(handle)}
    assert intents <= set(permissive.TOPIC_OF_INTENT)
    assert not (permissive.NEUTRAL_INTENTS & permissive.NEGATIVE_INTENTS)


def test_the_analysis_model_setting_names_a_shipped_model_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(artifacts, "trained_dir", lambda: tmp_path)
    (tmp_path / "permissive.npz").write_bytes(b"")

    assert model_path(None) == tmp_path / "default.npz"
    assert model_path(Path("permissive")) == tmp_path / "permissive.npz"
    assert model_path(Path("/srv/models/ours.npz")) == Path("/srv/models/ours.npz")
    assert model_path(Path("unknown")) == Path("unknown"), "not a shipped name: read as a path"
