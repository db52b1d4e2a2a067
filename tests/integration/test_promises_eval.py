"""`ombuds eval promises` keeps its contract: one JSON object on stdout; exit 2 and one clear line on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ombuds.cli import app
from tests.conftest import shared_data

pytestmark = pytest.mark.slow

PROMISES = """
- id: on-time
  text: Our flights leave and arrive on time
  label: Late Flight
- id: bags
  text: Your bags arrive with you
  label: Lost Luggage
- id: no-cancellations
  text: Your flight goes ahead as planned
  label: Cancelled Flight
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Promises, and train/test files cut from the public airline tweets (every third row is test)."""
    with shared_data("airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        kept: dict[str, list[dict[str, str]]] = {}
        for row in reader:
            kept.setdefault(row["negativereason"], []).append(row)
    rows = [
        row
        for reason in ("Late Flight", "Lost Luggage", "Cancelled Flight", "Bad Flight", "")
        for row in kept[reason][:90]
    ]
    folder = tmp_path_factory.mktemp("promises")
    paths = {"train": folder / "train.csv", "test": folder / "test.csv", "promises": folder / "promises.yaml"}
    for name, keep in (("train", lambda i: i % 3 != 0), ("test", lambda i: i % 3 == 0)):
        with paths[name].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(row for i, row in enumerate(rows) if keep(i))
    paths["promises"].write_text(PROMISES, encoding="utf-8")
    return paths


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", "promises", *args])
    return result.exit_code, result.stdout, result.stderr


def test_zero_shot_assignment_prints_the_contract(files: dict[str, Path]) -> None:
    code, out, _ = run(
        "--promises",
        str(files["promises"]),
        "--test",
        str(files["test"]),
        "--label-col",
        "negativereason",
        "--json",
    )
    assert code == 0
    [line] = out.strip().splitlines()
    result = json.loads(line)
    assert {"accuracy", "macro_f1", "per_class", "n_test"} <= set(result)
    assert result["n_test"] == 90, "only rows labelled with a promise's label count"
    assert set(result["per_class"]) == {"on-time", "bags", "no-cancellations"}
    assert set(result["per_class"]["bags"]) == {"precision", "recall", "f1", "support"}
    assert result["macro_f1"] > 0.5, "three clearly different promises are told apart from their text alone"


def test_training_examples_are_learned_from(files: dict[str, Path]) -> None:
    code, out, _ = run(
        "--promises",
        str(files["promises"]),
        "--test",
        str(files["test"]),
        "--train",
        str(files["train"]),
        "--label-col",
        "negativereason",
        "--text-col",
        "text",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["n_train"] == 180
    assert result["macro_f1"] > 0.6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label_col": "reason"}, "no column 'reason' (--label-col)"),
        ({"promises_text": "- id: a\n  text: [oops\n"}, "not valid YAML at line"),
        ({"promises_text": "- id: a\n  label: Late Flight\n"}, "missing 'text'"),
        ({"promises_text": "- id: a\n  text: On time\n"}, "have no 'label'"),
        ({"test_text": ""}, "empty file"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    files: dict[str, Path], tmp_path: Path, change: dict[str, str], message: str
) -> None:
    promises, test = files["promises"], files["test"]
    if "promises_text" in change:
        promises = tmp_path / "p.yaml"
        promises.write_text(change["promises_text"], encoding="utf-8")
    if "test_text" in change:
        test = tmp_path / "t.csv"
        test.write_text(change["test_text"], encoding="utf-8")
    code, out, err = run(
        "--promises",
        str(promises),
        "--test",
        str(test),
        "--label-col",
        change.get("label_col", "negativereason"),
        "--json",
    )
    assert code == 2
    assert out == ""
    assert message in err
