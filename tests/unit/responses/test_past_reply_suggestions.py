"""Past replies among the suggestions: which fit a case, in what order, how many."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from ombuds.responses.wording.suggest import (
    CaseTopic,
    PastReply,
    adapted_past_reply,
    initials,
    similar_past_replies,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def past(
    reply_id: int,
    *,
    case_id: int | None = None,
    hours_ago: int,
    categories: Collection[str] = (),
    text: str = "",
) -> PastReply:
    return PastReply(
        reply_id=reply_id,
        case_id=case_id or reply_id,
        text=f"reply {reply_id}",
        visibility="public",
        sent_at=NOW - timedelta(hours=hours_ago),
        categories=frozenset(categories),
        case_text=text,
    )


def ids(found: list[tuple[PastReply, list[str]]]) -> list[int]:
    return [reply.reply_id for reply, _ in found]


def test_a_shared_category_fits_newest_first_at_most_three() -> None:
    topic = CaseTopic.of(["Baggage"], ["where is my bag"])
    replies = [past(i, hours_ago=i, categories={"baggage"}) for i in range(1, 6)]
    found = similar_past_replies(topic, replies)
    assert ids(found) == [1, 2, 3]
    assert found[0][1] == ["baggage"]


def test_without_a_shared_category_two_shared_words_make_a_case_similar() -> None:
    topic = CaseTopic.of([], ["My suitcase is lost somewhere in Lisbon"])
    one_word = past(1, hours_ago=1, text="Suitcase zipper broken")
    two_words = past(2, hours_ago=2, text="suitcase never reached Lisbon")
    other_category = past(3, hours_ago=3, categories={"refund"}, text="refund please")
    found = similar_past_replies(topic, [one_word, two_words, other_category])
    assert ids(found) == [2]
    assert found[0][1] == ["lisbon", "suitcase"]


def test_one_reply_per_past_case() -> None:
    topic = CaseTopic.of(["baggage"], [])
    found = similar_past_replies(
        topic,
        [
            past(1, case_id=9, hours_ago=1, categories={"baggage"}),
            past(2, case_id=9, hours_ago=2, categories={"baggage"}),
        ],
    )
    assert ids(found) == [1]


def test_a_past_reply_is_made_for_this_case_name_number_and_sign_off() -> None:
    written = "Sorry Maria Silva, I've checked the payment under #19: the refund is issued. (Ref #19) ^PD"
    made = adapted_past_reply(
        written,
        past_case_id=19,
        case_ref="#25",
        past_customer="Maria Silva",
        customer="Dora Lima",
        agent_name="Ada Agent",
    )
    assert made == "Sorry Dora Lima, I've checked the payment under #25: the refund is issued. (Ref #25) ^AA"


def test_another_number_a_hashtag_and_a_reply_without_sign_off_are_left_as_written() -> None:
    written = "Your earlier case #7 and #190 stay open; see #19flights. Thanks!"
    made = adapted_past_reply(
        written, past_case_id=19, case_ref="#25", past_customer=None, customer=None, agent_name="Ada"
    )
    assert made == written


def test_an_agent_without_a_name_leaves_no_one_elses_initials() -> None:
    made = adapted_past_reply(
        "Found it at LIS. ^PD",
        past_case_id=3,
        case_ref="#4",
        past_customer="",
        customer=None,
        agent_name=None,
    )
    assert made == "Found it at LIS."
    assert initials("Pat  van Doe") == "PVD"


def test_a_sign_off_in_any_letters_and_with_an_emoji_after_it_is_this_agent_s() -> None:
    common = {"past_case_id": 3, "case_ref": "#4", "past_customer": None, "customer": None}
    assert adapted_past_reply("Found it. ^ÉN", agent_name="Ada Agent", **common) == "Found it. ^AA"
    assert adapted_past_reply("Found it ^PD 🙏", agent_name="Ada Agent", **common) == "Found it ^AA 🙏"
    assert adapted_past_reply("Found it ^PD.", agent_name=None, **common) == "Found it."
