"""A label few annotators agreed on teaches less than a sure one.

Crowd-labelled sets (the airline tweets among them) give each label the share of annotators who
agreed; ``read_labeled_csv`` reads it from ``<label>_confidence`` and the heads weigh each row by
its square.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds.enrichment.engine import load_default_engine
from ombuds.enrichment.training import CONFIDENCE_POWER, DataError, fit_sentiment, read_labeled_csv


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_confidence_column_beside_the_label_weighs_each_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "labels.csv",
        "text,mood,mood_confidence\n"
        "late again,negative,1.0\n"
        "thanks,positive,0.5\n"
        "no idea,neutral,\n"  # unknown confidence: counts fully
        "hmm,neutral,0\n"  # nobody stood by it: not an example
        "skipped,,0.9\n",
    )
    found = read_labeled_csv(path, text_col="text", label_col="mood")
    assert found.texts == ["late again", "thanks", "no idea"]
    assert found.weights == [1.0, 0.5**CONFIDENCE_POWER, 1.0]

    plain = read_labeled_csv(path, text_col="text", label_col="mood", confidence_col="")
    assert plain.weights is None
    assert plain.texts == ["late again", "thanks", "no idea", "hmm"]
    # the weights follow their rows through every cut
    assert found.without(["positive"]).weights == [1.0, 1.0]
    assert found.rows([1]).weights == [0.25]


@pytest.mark.parametrize("value", ["high", "1.5", "-0.1", "nan", "inf"])
def test_a_confidence_that_is_not_a_share_is_refused_with_its_line(tmp_path: Path, value: str) -> None:
    path = write(
        tmp_path / "labels.csv", f"text,mood,mood_confidence\nfine,positive,1\nbad,negative,{value}\n"
    )
    with pytest.raises(DataError, match=rf"line 3, column 'mood_confidence': confidence '{value}'"):
        read_labeled_csv(path, text_col="text", label_col="mood")


def test_a_named_confidence_column_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", "text,mood\nfine,positive\nbad,negative\n")
    assert read_labeled_csv(path, text_col="text", label_col="mood").weights is None
    with pytest.raises(DataError, match="no column 'agreement'"):
        read_labeled_csv(path, text_col="text", label_col="mood", confidence_col="agreement")


def test_a_label_few_agreed_on_moves_the_head_less_than_sure_ones(tmp_path: Path) -> None:
    """The same message labelled both ways: the sure labels win however many unsure ones say
    otherwise, and without the confidence the many win."""
    sure = [("the crew was lovely today", "positive", "1.0")] * 3
    unsure = [("the crew was lovely today", "negative", "0.34")] * 5
    others = [
        ("my bag is lost and nobody answers", "negative", "1.0"),
        ("flight delayed three hours again", "negative", "1.0"),
        ("great service and thank you so much", "positive", "1.0"),
        ("best airline ever and loved it", "positive", "1.0"),
    ]
    lines = ["text,mood,mood_confidence"] + [f"{t},{m},{c}" for t, m, c in sure + unsure + others]
    path = write(tmp_path / "labels.csv", "\n".join(lines) + "\n")
    featurizer = load_default_engine().featurizer
    probe = featurizer.transform(["the crew was lovely today"])

    weighed = fit_sentiment(featurizer, read_labeled_csv(path, text_col="text", label_col="mood"))
    counted = fit_sentiment(
        featurizer, read_labeled_csv(path, text_col="text", label_col="mood", confidence_col="")
    )
    assert weighed.classes[weighed.probabilities(probe).argmax()] == "positive"
    assert counted.classes[counted.probabilities(probe).argmax()] == "negative"
