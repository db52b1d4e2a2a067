"""`ombuds eval` keeps its contract: one JSON object on stdout, exit code 2 with one clear line on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ombuds.cli import app
from tests.conftest import shared_data

KEYS = {"accuracy", "macro_f1", "per_class", "n_train", "n_test", "messages_per_second"}


@pytest.fixture(scope="module")
def airline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small train/test pair cut from the public airline tweets (every third row is test)."""
    with shared_data("airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)[:900]
        header = reader.fieldnames or []
    folder = tmp_path_factory.mktemp("airline")
    paths = (folder / "train.csv", folder / "test.csv")
    for path, keep in zip(paths, (lambda i: i % 3 != 0, lambda i: i % 3 == 0), strict=True):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(row for i, row in enumerate(rows) if keep(i))
    return paths


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


def test_sentiment_eval_prints_the_contract(airline: tuple[Path, Path]) -> None:
    train, test = airline
    code, out, _ = run("sentiment", "--train", str(train), "--test", str(test), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= KEYS
    assert set(result["per_class"]) == {"negative", "neutral", "positive"}
    assert set(result["per_class"]["negative"]) == {"precision", "recall", "f1", "support"}
    assert result["n_test"] == 300
    assert result["macro_f1"] > 0.5
    assert result["messages_per_second"] > 0


def test_without_json_the_same_figures_are_a_table_people_read(airline: tuple[Path, Path]) -> None:
    train, test = airline
    code, out, _ = run("sentiment", "--train", str(train), "--test", str(test))
    assert code == 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    rows = [line.split(maxsplit=1) for line in out.splitlines()]
    figures = {row[0]: row[1] for row in rows if len(row) == 2}
    assert int(figures["n_test"]) == 300
    assert float(figures["macro_f1"]) > 0.5
    assert {"per_class.negative.f1", "per_class.positive.recall"} <= set(figures)


def test_category_eval_skips_empty_and_undecided_labels_and_shots_are_repeatable(
    airline: tuple[Path, Path],
) -> None:
    train, test = airline
    args = ["category", "--train", str(train), "--test", str(test), "--label-col", "negativereason"]
    code, out, _ = run(*args, "--json")
    assert code == 0
    full = json.loads(out)
    assert "Can't Tell" not in full["per_class"]
    assert "" not in full["per_class"]
    few = [json.loads(run(*args, "--shots", "4", "--seed", "7", "--json")[1]) for _ in range(2)]
    assert few[0]["n_train"] == few[1]["n_train"] <= 4 * len(full["classes"])
    assert few[0]["per_class"] == few[1]["per_class"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("train_text", "extra", "message"),
    [
        ("text,airline_sentiment\nhi,positive\nbad,negative\n", ["--label-col", "mood"], "no column 'mood'"),
        ("", [], "empty"),
        ("text,airline_sentiment\nhi,positive\nyay,positive\n", [], "only one class"),
        ("text,airline_sentiment\nhi,\n", [], "no rows with a label"),
    ],
)
def test_unusable_files_exit_2_with_one_clear_line(
    tmp_path: Path, train_text: str, extra: list[str], message: str
) -> None:
    train = write(tmp_path / "train.csv", train_text)
    test = write(tmp_path / "test.csv", "text,airline_sentiment\nok,neutral\nbad,negative\n")
    code, out, err = run("sentiment", "--train", str(train), "--test", str(test), *extra, "--json")
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_the_shipped_sentiment_head_is_scored_without_training(airline: tuple[Path, Path]) -> None:
    _, test = airline
    code, out, _ = run("sentiment", "--test", str(test), "--shipped", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= KEYS
    assert (result["n_train"], result["n_test"], result["shipped"]) == (0, 300, True)
    assert result["macro_f1"] > 0.5

    code, _, err = run("sentiment", "--test", str(test))
    assert code == 2
    assert "--train FILE" in err
