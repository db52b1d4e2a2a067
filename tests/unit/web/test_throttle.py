"""The sign-in throttle's counting and how a wait is worded, without a server."""

from __future__ import annotations

import pytest

from ombuds.web.throttle import SignInThrottle, describe_wait, sender_network


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (40, "40 seconds"), (60, "1 minute"), (61, "2 minutes"), (900, "15 minutes")],
)
def test_a_wait_is_worded_as_people_say_it(seconds: int, words: str) -> None:
    assert describe_wait(seconds) == words


def test_failures_pause_the_account_from_any_address_and_the_address_for_any_account() -> None:
    throttle = SignInThrottle(per_account=2, per_address=3, window_seconds=60)
    assert throttle.wait_seconds(email="ada@x.test", address="10.0.0.1") is None

    throttle.failed(email="ada@x.test", address="10.0.0.1")
    throttle.failed(email="Ada@X.test ", address="10.0.0.2")

    wait = throttle.wait_seconds(email="ada@x.test", address="10.0.0.3")
    assert wait is not None
    assert 1 <= wait <= 60
    assert throttle.wait_seconds(email="bob@x.test", address="10.0.0.1") is None

    throttle.failed(email="bob@x.test", address="10.0.0.1")
    throttle.failed(email="cy@x.test", address="10.0.0.1")
    assert throttle.wait_seconds(email="dan@x.test", address="10.0.0.1") is not None
    assert throttle.wait_seconds(email="dan@x.test", address="10.0.0.9") is None


def test_a_success_clears_the_account_but_not_the_address() -> None:
    throttle = SignInThrottle(per_account=2, per_address=2, window_seconds=60)
    throttle.failed(email="ada@x.test", address="10.0.0.1")
    throttle.failed(email="ada@x.test", address="10.0.0.2")

    throttle.succeeded(email="ada@x.test")

    assert throttle.wait_seconds(email="ada@x.test", address="10.0.0.3") is None
    throttle.failed(email="bob@x.test", address="10.0.0.1")
    assert throttle.wait_seconds(email="ada@x.test", address="10.0.0.1") is not None


def test_an_ipv6_sender_is_counted_by_its_64_so_a_fresh_address_per_try_gains_nothing() -> None:
    assert sender_network("2001:db8:1:2::1") == sender_network("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert sender_network("2001:db8:1:3::1") != sender_network("2001:db8:1:2::1")
    assert sender_network("203.0.113.7") == "203.0.113.7"
    assert sender_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert sender_network("testclient") == "testclient"
