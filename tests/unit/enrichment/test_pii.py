"""Personal data is found, located and masked; numbers that only look personal are left alone."""

from __future__ import annotations

from ombuds.enrichment.analyzers.pii import PiiAnalyzer, find_pii, luhn_valid, redact
from ombuds.enrichment.base import MentionFacts


def kinds(text: str) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in find_pii(text)]


def test_customer_who_posts_contact_details_gets_them_masked() -> None:
    text = "@skyways email me at jane.doe+air@example.co.uk or call 415-555-0132, booking ref K7XJ2P"
    finding = PiiAnalyzer().analyze([MentionFacts(text)])[0]
    assert finding.label == "pii"
    assert finding.data["kinds"] == ["email", "phone", "reference"]
    assert finding.data["redacted"] == "@skyways email me at [email] or call [phone], booking ref [reference]"
    assert "jane.doe" not in str(finding.data["spans"])


def test_only_luhn_valid_card_numbers_count_as_cards() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert kinds("charged twice on 4111 1111 1111 1111 today") == [("card_number", "4111 1111 1111 1111")]
    assert kinds("order 4111 1111 1111 1112 is wrong") == []


def test_addresses_account_numbers_and_international_phones() -> None:
    assert kinds("send it to 221 Baker Street, Apt 4 please") == [
        ("street_address", "221 Baker Street, Apt 4")
    ]
    assert kinds("account # 12345678 is locked") == [("reference", "12345678")]
    assert kinds("call +44 20 7946 0958") == [("phone", "+44 20 7946 0958")]


def test_flight_numbers_times_and_dates_are_not_personal() -> None:
    text = "@skyways flight 1234 on 2/24 delayed 3 hours, boarding at 10:45, 2015-02-24 11:35:52"
    assert find_pii(text) == []
    finding = PiiAnalyzer().analyze([MentionFacts(text)])[0]
    assert finding.label is None
    assert finding.data["redacted"] == text


def test_redaction_keeps_the_rest_of_the_text() -> None:
    text = "a@b.io and c@d.io"
    assert redact(text, find_pii(text)) == "[email] and [email]"


def test_a_booking_code_of_letters_alone_is_masked_but_words_after_booking_are_not() -> None:
    """Airlines' record locators are six capitals, often with no digit ("booking PXZREG")."""
    assert kinds("do I need to add them to booking PXZREG?") == [("reference", "PXZREG")]
    assert kinds("my booking SPHGXR doesn't show up anywhere") == [("reference", "SPHGXR")]
    assert kinds("PNR is QWERTZ, record locator: ABCDEF") == [
        ("reference", "QWERTZ"),
        ("reference", "ABCDEF"),
    ]
    assert kinds("booking online was easy, the booking Agent was kind") == []
    assert kinds("booking AGAIN, confirmation PENDING!") == []  # five and seven capitals: words
    assert kinds("they lost my bag LHRJFK") == []  # capitals with no word for a booking before them
    finding = PiiAnalyzer().analyze([MentionFacts("where is my refund for booking PXZREG")])[0]
    assert finding.data["redacted"] == "where is my refund for booking [reference]"


def test_phone_numbers_as_people_write_them_across_countries() -> None:
    """Bare runs, trunk prefixes, British and Nigerian mobiles, French pairs: each is a phone."""
    assert kinds("call (415) 555-0199 / +44 20 7946 0958 / 4155550142.") == [
        ("phone", "(415) 555-0199"),
        ("phone", "+44 20 7946 0958"),
        ("phone", "4155550142"),
    ]
    for number in (
        "07700 900123",
        "08070635658",
        "1-800-555-0199",
        "1.877.350.0038",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "+49 1708733216",
    ):
        assert kinds(f"my number is {number}, thanks") == [("phone", number)], number


def test_a_card_number_written_with_dots_is_masked() -> None:
    assert kinds("charged on 4111.1111.1111.1111 twice") == [("card_number", "4111.1111.1111.1111")]
    assert kinds("charged on 4111.1111.1111.1112 twice") == []  # fails Luhn's check


def test_versions_decimals_links_and_bigger_ids_are_not_phones() -> None:
    for text in (
        "Chromecast firmware version: 1.28.100555.",
        "pi is 3.1415926535 they say",
        "see https://twitter.com/x/status/1234567890",
        "tweet 1234567890123456789 again",
        "tags 12 34 56 78 90 on the bags",
    ):
        assert find_pii(text) == [], text


def test_phones_with_the_00_international_prefix_are_phones() -> None:
    assert kinds("reach me 0049 30 1234567 or later") == [("phone", "0049 30 1234567")]
    assert kinds("call 0044 20 7946 0111 please") == [("phone", "0044 20 7946 0111")]
    assert kinds("mobile 0033 612345678") == [("phone", "0033 612345678")]
    assert kinds("parcel 0012345678901 arrived") == []  # an id in one run, no country code apart


def test_values_written_with_unicode_spaces_dashes_digits_and_at_signs_are_masked() -> None:
    """A phone keyboard's no-break spaces, a word processor's dashes, a full-width @ or digits:
    the same value to a reader, so the same mask; the spans are the text's own."""
    card = "4242\u00a04242\u00a04242\u00a04242"
    text = f"Refund to card {card} please, or mail lou\uff20example.com, call 415\u2011555\u20110132"
    assert kinds(text) == [
        ("card_number", card),
        ("email", "lou\uff20example.com"),
        ("phone", "415\u2011555\u20110132"),
    ]
    assert redact(text, find_pii(text)) == "Refund to card [card] please, or mail [email], call [phone]"
    wide = "\uff14\uff11\uff11\uff11 1111 1111 1111"  # full-width digits
    assert kinds(f"card {wide}") == [("card_number", wide)]


def test_bank_account_numbers_pass_their_check() -> None:
    assert kinds("iban DE89370400440532013000 thanks") == [("bank_account", "DE89370400440532013000")]
    assert kinds("IBAN GB82 WEST 1234 5698 7654 32.") == [("bank_account", "GB82 WEST 1234 5698 7654 32")]
    assert kinds("IBAN GB82 WEST 1234 5698 7654 33.") == []  # fails the check: one digit wrong
    finding = PiiAnalyzer().analyze([MentionFacts("pay back to GB82WEST12345698765432")])[0]
    assert finding.data["redacted"] == "pay back to [account]"


def test_social_security_numbers_are_masked_and_numbers_never_issued_are_not() -> None:
    assert kinds("my ssn 123-45-6789 was on the form") == [("national_id", "123-45-6789")]
    for text in ("ref 000-12-3456", "ref 666-12-3456", "ref 912-34-5678", "ref 123-00-4567", "call 555-0147"):
        assert [kind for kind, _ in kinds(text)] != ["national_id"], text


def test_addresses_written_to_dodge_robots_are_masked_but_a_shops_website_is_not() -> None:
    assert kinds("write to jane.doe(at)gmail(dot)com please") == [("email", "jane.doe(at)gmail(dot)com")]
    assert kinds("or jane [at] example.co.uk") == [("email", "jane [at] example.co.uk")]
    assert kinds("reach me: jane@example dot co dot uk") == [("email", "jane@example dot co dot uk")]
    assert kinds("mail jane at gmail dot com") == [("email", "jane at gmail dot com")]
    assert kinds("it is jd_88 at example dot org") == [("email", "jd_88 at example dot org")]
    # an address after a phrase that looks like the start of one is still found
    assert kinds("please write me at jane dot doe at gmail dot com") == [
        ("email", "jane dot doe at gmail dot com")
    ]
    assert kinds("jane dot doe (at) gmail (dot) com") == [("email", "jane dot doe (at) gmail (dot) com")]
    assert kinds("jane.doe @ gmail.com or jane.roe at outlook.com") == [
        ("email", "jane.doe @ gmail.com"),
        ("email", "jane.roe at outlook.com"),
    ]
    assert kinds("jane_doe at yahoo dot co.uk") == [("email", "jane_doe at yahoo dot co.uk")]
    # a bare "at" with a word before it and a shop's site after it is a sentence, not an address
    assert kinds("for members only at Target dot com at 7 AM") == []
    assert kinds("I booked at booking.com and we were at home") == []
    assert kinds("mr.smith at booking.com, gate agent on Sunday @ MCO.Keep up the good work") == []
    finding = PiiAnalyzer().analyze([MentionFacts("DM me, ann.lee (at) proton (dot) me")])[0]
    assert finding.data["redacted"] == "DM me, [email]"


def test_a_local_number_and_a_british_postcode_are_masked_but_zip_codes_years_and_tail_numbers_are_not() -> (
    None
):
    assert kinds("call me on 555-0142 tonight") == [("phone", "555-0142")]
    assert kinds("or 555 0142 after six") == [("phone", "555 0142")]
    assert kinds("under MCL 600.2145 they never notified me") == []
    assert kinds("deliver the bag to 221 Baker Street, NW1 6XE") == [
        ("street_address", "221 Baker Street"),
        ("street_address", "NW1 6XE"),
    ]
    assert kinds("I live in M1 1AE") == [("street_address", "M1 1AE")]
    assert kinds("ZIP 12345-6789, the 2019-2020 season, flight 3744 (N284WN), gate B33") == []
