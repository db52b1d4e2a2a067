"""Promise files say exactly what is wrong; stance follows sentiment, or cue words without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ombuds.cases.privacy import mask_found
from ombuds.enrichment.analyzers.pii import whole_values
from ombuds.errors import InvalidInput
from ombuds.promises.files import read_labelled_csv, read_promises
from ombuds.promises.models import KEY_MAX_CHARS, NAME_MAX_CHARS, Stance
from ombuds.promises.stance import detect_stance, sentences


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_marketing_reads_promises_with_campaign_dates_and_examples(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "promises.yaml",
        """
- id: on-time
  text: On time, every time
  campaign: Spring 2026
  channels: [tv, social]
  starts_at: 2026-03-01
  owner: Head of Operations
  examples:
    contradicts: ["3 hours late again"]
    confirms: ["Landed 10 minutes early, thanks!"]
- id: bags
  text: Your bags arrive with you
  label: Lost Luggage
""",
    )
    first, second = read_promises(path)
    assert first.key == "on-time"
    assert first.channels == ("tv", "social")
    assert first.starts_at is not None
    assert first.starts_at.year == 2026
    assert first.starts_at.tzinfo is not None
    assert ("3 hours late again", "contradicts") in first.examples
    assert second.label == "Lost Luggage"
    assert second.examples == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- id: a\n  text: [unclosed\n", "not valid YAML at line"),
        ("", "non-empty list of promises"),
        ("- id: a\n", "missing 'text'"),
        ("- text: On time\n", "missing 'id'"),
        ("- id: a\n  text: x\n- id: a\n  text: y\n", "id used twice"),
        ("- id: a\n  text: x\n  colour: red\n", "unknown field(s) colour"),
        ("- id: a\n  text: x\n  starts_at: someday\n", "is not a date"),
    ],
)
def test_bad_promise_files_say_what_and_where(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(
        InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
    ):
        read_promises(write(tmp_path, "p.yaml", content))


@pytest.mark.parametrize(
    ("field", "most"),
    [
        ("id", KEY_MAX_CHARS),
        ("campaign", NAME_MAX_CHARS),
        ("owner", NAME_MAX_CHARS),
        ("label", NAME_MAX_CHARS),
    ],
)
def test_a_promise_field_longer_than_its_column_names_the_promise_and_the_field(
    tmp_path: Path, field: str, most: int
) -> None:
    def promises(value: str) -> str:
        entry = {"id": "on-time", "text": "On time, every time"} | {field: value}
        return json.dumps([{"id": "bags", "text": "Your bags arrive with you"}, entry])

    [_, fits] = read_promises(write(tmp_path, "fits.json", promises("x" * most)))
    assert getattr(fits, "key" if field == "id" else field) == "x" * most

    with pytest.raises(InvalidInput) as refused:
        read_promises(write(tmp_path, "long.json", promises("x" * (most + 1))))
    entry = "promise #2" if field == "id" else "promise 'on-time'"
    assert f"long.json: {entry}.{field}: at most {most} characters (this has {most + 1})" in str(
        refused.value
    )


def test_csv_errors_name_the_missing_column_and_empty_files(tmp_path: Path) -> None:
    rows = write(tmp_path, "t.csv", "text,reason\nlate again,Late\n")
    with pytest.raises(InvalidInput, match="no column 'negativereason'"):
        read_labelled_csv(rows, text_col="text", label_col="negativereason", keep={"Late"})
    with pytest.raises(InvalidInput, match="empty file"):
        read_labelled_csv(write(tmp_path, "e.csv", ""), text_col="text", label_col="reason", keep={"Late"})
    with pytest.raises(InvalidInput, match="no row has a 'reason' value"):
        read_labelled_csv(rows, text_col="text", label_col="reason", keep={"Bags"})
    found = read_labelled_csv(rows, text_col="text", label_col="reason", keep={"Late"})
    assert found.texts == ["late again"]


def test_sentiment_decides_the_stance_and_the_sentence_is_the_evidence() -> None:
    text = "Boarding was fine. Then we sat 3 hours at the gate!"
    span = sentences(text)[1]
    found = detect_stance(text, span=span, sentiment="negative")
    assert found.stance is Stance.CONTRADICTS
    assert found.evidence == "Then we sat 3 hours at the gate!"
    assert text[found.start : found.end] == found.evidence


def test_cue_words_stand_in_when_no_sentiment_is_stored() -> None:
    assert detect_stance("Flight delayed again, no update").stance is Stance.CONTRADICTS
    assert detect_stance("Landed early, thanks crew, great job").stance is Stance.CONFIRMS
    assert detect_stance("Which gate is flight 12 at?").stance is Stance.NEUTRAL


def test_the_evidence_never_cuts_an_address_in_two_so_masking_it_alone_still_finds_it() -> None:
    text = "My bag never came, write to jane.pii@example.org. Still waiting after 5 days"
    sentence = (0, text.index(".") + 1)  # the sentence splitter stops at the address's first dot
    found = detect_stance(text, span=sentence, sentiment="negative")
    assert found.evidence == "My bag never came, write to jane.pii@example.org"
    assert mask_found(found.evidence) == "My bag never came, write to [email]"
    assert whole_values(text, 0, 10) == (0, 10), "a cut through no value stays where it was"
