"""What an agent pastes after posting a reply by hand becomes the message's id on its channel."""

from __future__ import annotations

import pytest

from ombuds.errors import InvalidInput
from ombuds.responses.posted_ids import posted_id


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("1864229987163312345", "1864229987163312345"),
        ("  1864229987163312345 ", "1864229987163312345"),
        ("https://x.com/larkspur/status/1864229987163312345", "1864229987163312345"),
        ("https://x.com/larkspur/status/1864229987163312345?s=20", "1864229987163312345"),
        ("https://mastodon.social/@larkspur/113456789012345678/", "113456789012345678"),
        ("HTTPS://www.reddit.com/r/flying/comments/abc123/late_again/kx9z1/", "kx9z1"),
        ("", None),
        ("   ", None),
    ],
)
def test_an_id_or_a_link_to_the_message_gives_its_id(typed: str, found: str | None) -> None:
    assert posted_id(typed) == found


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("https://x.com/", "links to no post"),
        ("posted it at 10", "no spaces"),
        ("9" * 201, "at most 200 characters"),
        ("12\x0034", "no spaces"),
    ],
)
def test_what_is_no_message_id_is_refused_naming_the_field(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput, match="external_id") as refused:
        posted_id(typed)
    assert says in str(refused.value)
