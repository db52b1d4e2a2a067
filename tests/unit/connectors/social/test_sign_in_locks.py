"""One account's slow sign-in never holds up another account's: sessions are made under a lock per
account, not one for the whole process."""

from __future__ import annotations

import threading

import httpx

from ombuds.connectors.bluesky.client import Bluesky
from ombuds.connectors.bluesky.config import BlueskyConfig

WAIT = 30  # seconds; reached only when the code is wrong


def _account(handle: str, transport: httpx.BaseTransport) -> Bluesky:
    config = BlueskyConfig(
        service_url="https://pds.example", identifier=handle, app_password="abcd-efgh-ijkl-mnop"
    )
    return Bluesky(config, timeout=WAIT, transport=transport)


def _session_answer(handle: str) -> httpx.Response:
    return httpx.Response(200, json={"accessJwt": f"jwt-of-{handle}", "did": f"did:plc:{handle}"})


def test_a_hanging_sign_in_does_not_hold_up_another_account() -> None:
    entered, release = threading.Event(), threading.Event()

    def hanging(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(WAIT)
        return _session_answer("slow")

    slow = _account("slow.example", httpx.MockTransport(hanging))
    quick = _account("quick.example", httpx.MockTransport(lambda request: _session_answer("quick")))
    made: dict[str, str] = {}
    slow_thread = threading.Thread(target=lambda: made.update(slow=slow.session(writing=False).access_jwt))
    slow_thread.start()
    try:
        assert entered.wait(WAIT), "the slow account started signing in"
        quick_thread = threading.Thread(
            target=lambda: made.update(quick=quick.session(writing=False).access_jwt)
        )
        quick_thread.start()
        quick_thread.join(WAIT)
        assert made.get("quick") == "jwt-of-quick", "the other account signed in while the first hung"
        assert "slow" not in made
    finally:
        release.set()
        slow_thread.join(WAIT)
    assert made["slow"] == "jwt-of-slow"
