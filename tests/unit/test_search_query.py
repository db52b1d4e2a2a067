"""The search language and its snippets: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markupsafe import escape

from ombuds.search.index import fts_match
from ombuds.search.query import QueryError, parse_query
from ombuds.search.snippets import excerpt, highlights, pieces


def test_words_phrases_and_filters_are_told_apart() -> None:
    query = parse_query(
        'lost bag "left in Porto" from:@mara_lind category:"Lost Luggage" team:baggage status:OPEN '
        "date:2026-11-01..2026-11-30"
    )
    assert query.words == ("lost", "bag")
    assert query.phrases == (("left", "in", "Porto"),)
    assert query.handles == ("mara_lind",)
    assert query.categories == ("Lost Luggage",)
    assert query.teams == ("baggage",)
    assert query.statuses == ("open",)
    assert query.after == datetime(2026, 11, 1, tzinfo=UTC)
    assert query.before == datetime(2026, 12, 1, tzinfo=UTC)  # the range's last day is included
    assert query.preferred_phrase == "lost bag"


def test_dates_are_the_brands_days() -> None:
    # Los Angeles: UTC-7 until Sunday 1 November 2026, UTC-8 from then on
    query = parse_query("date:2026-10-31..2026-11-01", timezone="America/Los_Angeles")
    assert query.after == datetime(2026, 10, 31, 7, tzinfo=UTC)
    assert query.before == datetime(2026, 11, 2, 8, tzinfo=UTC)  # 1 November had 25 hours there
    assert parse_query("bag before:2026-12-24", timezone="Asia/Tokyo").before == datetime(
        2026, 12, 23, 15, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("typed", "words", "phrases"),
    [
        ('"unbalanced quote here', (), (("unbalanced", "quote", "here"),)),
        ("bag* NEAR(lost, 2) AND OR NOT", ("bag", "lost", "2"), ()),
        ("((bag) lost\x00found", ("bag", "lost", "found"), ()),
        ("re: my bag", ("re", "my", "bag"), ()),
        ('"single"', ("single",), ()),
    ],
)
def test_syntax_characters_only_separate_words(
    typed: str, words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]
) -> None:
    query = parse_query(typed)
    assert (query.words, query.phrases) == (words, phrases)


def test_the_fts_expression_quotes_every_word_so_operators_stay_words() -> None:
    assert fts_match(parse_query('near "lost bag"')) == '"near" AND "lost bag"'


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("x" * 10_000, "10,000 characters"),
        ("* ( ) AND", "nothing to search for"),
        ("\x00", "nothing to search for"),
        ("status:exploded", "use one of new, open, pending"),
        ("after:2026-13-45", "write dates as YYYY-MM-DD"),
        ("date:9999-12-31", "outside the years 1970 to 2100"),  # its next day overflowed: a 500
        ("bag date:2026-01-01..9999-12-31", "outside the years 1970 to 2100"),
        ("before:0001-01-01", "outside the years 1970 to 2100"),
        ("after:2026-12-01 before:2026-11-01", "no time between them"),
        (" ".join(f"w{i}" for i in range(40)), "more than 16 words"),
        ("status:", "status: needs a value right after the colon, with no space, such as status:open"),
        ("bag team: billing", "team: needs a value"),  # searched as the words "team" and "billing"
    ],
)
def test_queries_that_cannot_be_searched_say_why(typed: str, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        parse_query(typed)


def test_a_snippet_centres_on_the_match_and_marks_word_starts_only() -> None:
    text = "A long story. " * 20 + "Then my Bags went to Porto, not the airbag desk." + " More." * 30
    snippet = excerpt(text, ["bag", "porto"])
    assert "Bags went to Porto" in snippet
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    marked = [snippet[a:b] for a, b in highlights(snippet, ["bag", "porto"])]
    assert marked == ["Bags", "Porto"]


def test_highlighted_pieces_cannot_smuggle_html() -> None:
    text = "<script>alert('bag')</script> my bag"
    shown = "".join(
        f"<mark>{escape(p.text)}</mark>" if p.is_hit else str(escape(p.text))
        for p in pieces(text, highlights(text, ["bag"]))
    )
    assert "<script>" not in shown
    assert shown.count("<mark>bag</mark>") == 2


def test_spans_that_do_not_fit_the_text_mark_nothing() -> None:
    assert pieces("short", [(2, 99), (-1, 2)]) == pieces("short", [])


def test_a_word_ending_in_a_colon_that_names_no_filter_stays_a_word() -> None:
    assert parse_query("re: my bag").words == ("re", "my", "bag")


def test_a_category_or_team_typed_with_underscores_or_dashes_is_the_same_name() -> None:
    from ombuds.search.queries import _folded

    assert _folded("lost_luggage") == _folded("Lost Luggage") == _folded("lost-luggage") == "lost luggage"
    assert _folded("Customer  Care") == _folded("customer_care")
    assert _folded("Late Flight").startswith(_folded("late_fl"))
