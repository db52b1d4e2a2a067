"""Waiting for something another thread or process does, with a deadline rather than a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(done: Callable[[], bool], failure: str, seconds: float = 120.0) -> None:
    """Ask ``done`` every tenth of a second until it holds; fail with ``failure`` past ``seconds``."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)
