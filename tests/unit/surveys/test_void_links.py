"""Which survey link in the outbox may still go out, and why one may not."""

from __future__ import annotations

from ombuds.surveys.values import SurveyDelivery, void_link_reason


def _why(**changes: object) -> str | None:
    facts: dict[str, object] = {
        "link_id": 7,
        "standing_link_id": 7,
        "delivery": SurveyDelivery.QUEUED,
        "case_is_open": False,
        "answered": False,
    } | changes
    return void_link_reason(**facts)  # type: ignore[arg-type]


def test_the_standing_offer_s_link_goes_out() -> None:
    assert _why() is None


def test_a_link_is_void_once_its_offer_no_longer_stands_and_says_why() -> None:
    assert (
        _why(delivery=SurveyDelivery.WITHDRAWN, case_is_open=True)
        == "the case was reopened before it went out"
    )
    assert _why(delivery=SurveyDelivery.WITHDRAWN) == (
        "the case was resolved again as spam or a duplicate, which asks nobody"
    )
    assert _why(standing_link_id=None) == "the case was resolved again, and that resolution asks instead"
    assert _why(standing_link_id=9) == "the case was resolved again, and that resolution asks instead"
    assert _why(answered=True) == "the customer has answered the survey already"
