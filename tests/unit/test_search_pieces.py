"""A search by a piece of personal data, as the index finds it (stems, accents, case), is told apart
from a word written in the open."""

from ombuds.search.pieces import folded, found_only_in_personal_data

TEXT = "Mara Lind here: write to mara.lind@example.org or call +1 415 555 0134, card 4111 1111 1111 1111"
PERSONAL = ["mara.lind@example.org", "+1 415 555 0134", "4111 1111 1111 1111"]


def test_pieces_of_values_are_found_only_there_however_the_word_is_spelt() -> None:
    for word in ("0134", "4111", "example", "exampl", "examples", "EXAMPLE", "ëxample"):
        assert found_only_in_personal_data([word], TEXT, PERSONAL), word


def test_a_word_also_written_in_the_open_is_not() -> None:
    for word in ("mara", "lind", "linds", "Lïnd", "write", "card"):
        assert not found_only_in_personal_data([word], TEXT, PERSONAL), word
    assert not found_only_in_personal_data(["0134"], "Flight 0134 was late", [])


def test_one_revealing_word_among_others_is_enough() -> None:
    assert found_only_in_personal_data(["card", "0134"], TEXT, PERSONAL)
    assert folded("Élodie ΟΔΟΣ") == "elodie οδοσ"


def test_a_longer_word_is_in_the_open_only_by_an_ending_a_stemmer_takes_off() -> None:
    """ "mail" beside jane.doe@mailbox.example does not put "mailbox" in the open: the index would
    not match them, and finding the message would confirm the address's domain."""
    text = "Call me or mail jane.doe@mailbox.example today"
    assert found_only_in_personal_data(["mailbox"], text, ["jane.doe@mailbox.example"])
    assert not found_only_in_personal_data(["mails"], text, ["jane.doe@mailbox.example"])
