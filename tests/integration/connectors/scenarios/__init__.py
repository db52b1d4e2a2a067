"""Scenarios for the shared connector contract test (``test_contract.py``): one module per kind.

To put a kind through the contract, add a module here (``scenarios/<kind>.py``) that defines
``SCENARIO``: a callable returning a fresh object with the ``Scenario`` members below. The test
finds it by itself; nothing else needs editing. A scenario starts the kind's local server with
recorded, real-shaped payloads and drives it:

* ``start()`` is a context manager: it starts the server and yields the source's config values
  (as ``ombuds source add`` would get them, secrets included);
* ``add_record(number)`` makes one new message appear on the channel and returns its external id;
* ``add_malformed()`` makes the next fetch bring a record that cannot become a mention (a missing
  date, a broken payload); the poller must keep it as a dead letter;
* ``rate_limit_next(seconds)`` makes the next request answer "wait ``seconds``" the way the
  platform does (HTTP 429 with Retry-After, x-ratelimit-reset, ...);
* ``sent_replies()`` lists the texts the channel received from the kind's sink, or ``None`` for a
  kind without one (feeds, webhooks); ``reply_to(external_id)`` says whom a reply to that message
  goes to (``OutgoingReply.recipient``), or ``None``.

``scenarios/rss.py`` is the smallest example.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Scenario(Protocol):
    kind: str

    def start(self) -> AbstractContextManager[dict[str, Any]]: ...

    def add_record(self, number: int) -> str: ...

    def add_malformed(self) -> None: ...

    def rate_limit_next(self, seconds: int) -> None: ...

    def sent_replies(self) -> list[str] | None: ...

    def reply_to(self, external_id: str) -> str | None: ...


def all_scenarios() -> dict[str, Callable[[], Scenario]]:
    """Every scenario module's ``SCENARIO`` by module name."""
    found: dict[str, Callable[[], Scenario]] = {}
    for module in pkgutil.iter_modules(__path__):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        factory = getattr(loaded, "SCENARIO", None)
        if factory is not None:
            found[module.name] = factory
    return found
