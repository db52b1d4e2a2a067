"""A source's sink speaks the outbox's two failures: a connector's read failing, or told to wait, is retried."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import pytest

from ombuds.clock import utcnow
from ombuds.connectors.base import FetchFailed, OutgoingReply, RateLimited, SentReply, SinkRefused, SinkRetry
from ombuds.responses.sending import retry_delay
from ombuds.responses.source_sinks import ConnectorSink, WaitAsked

REPLY = OutgoingReply(text="We found your bag.", in_reply_to="post-1", recipient="lena")


@dataclass
class Failing:
    kind: ClassVar[str] = "failing"
    error: Exception

    def send(self, reply: OutgoingReply) -> SentReply:
        raise self.error


def test_a_rate_limited_sign_in_is_retried_no_sooner_than_the_channel_asked() -> None:
    sink = ConnectorSink(Failing(RateLimited("Bluesky: createSession answered 429", retry_after=900)))
    with pytest.raises(WaitAsked, match="createSession answered 429") as raised:
        sink.send(REPLY)
    assert raised.value.retry_after == 900
    assert retry_delay(1, asked=raised.value.retry_after, rng=random.Random(1)) == timedelta(seconds=900)
    assert retry_delay(1, asked=0, rng=random.Random(1)) < timedelta(seconds=30), "else the usual backoff"


def test_a_failed_look_up_may_pass_and_a_refusal_stays_one() -> None:
    with pytest.raises(SinkRetry, match="getPosts timed out") as raised:
        ConnectorSink(Failing(FetchFailed("Bluesky: getPosts timed out after 30s"))).send(REPLY)
    assert not isinstance(raised.value, WaitAsked)
    with pytest.raises(SinkRefused, match="gone"):
        ConnectorSink(Failing(SinkRefused("Bluesky: the post answered is gone"))).send(REPLY)


def test_a_sink_that_answers_is_passed_through() -> None:
    @dataclass
    class Answering:
        kind: ClassVar[str] = "answering"

        def send(self, reply: OutgoingReply) -> SentReply:
            return SentReply(external_id=f"re-{reply.in_reply_to}", sent_at=utcnow())

    assert ConnectorSink(Answering()).send(REPLY).external_id == "re-post-1"
