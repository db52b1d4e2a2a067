"""Replies on Reddit: ``POST /api/comment`` with the ``thing_id`` of the post or comment answered."""

from __future__ import annotations

from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkRefused, SinkRetry
from ombuds.connectors.reddit.client import Reddit
from ombuds.connectors.reddit.config import RedditConfig

PATH = "/api/comment"
#: Errors Reddit returns in a 200 answer that pass with time.
PASSING_ERRORS = frozenset({"RATELIMIT"})


class RedditSink:
    kind: ClassVar[str] = "reddit"

    def __init__(
        self,
        config: RedditConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.clock = clock
        self.reddit = Reddit(config, timeout, clock, transport)

    def send(self, reply: OutgoingReply) -> SentReply:
        if not reply.is_public:
            raise SinkRefused(
                "Reddit: private replies (messages) are not sent from here; answer in the thread"
            )
        if not reply.in_reply_to:
            raise SinkRefused("Reddit: a reply needs the post or comment it answers (its fullname)")
        form = {"api_type": "json", "thing_id": reply.in_reply_to, "text": reply.text}
        try:
            answer = self._post(form)
        except SinkRefused as exc:
            if " with 401" not in str(exc):
                raise
            self.reddit.forget()  # the kept token was refused: sign in again, once
            answer = self._post(form)
        result = answer.get("json") if isinstance(answer, dict) else None
        errors = result.get("errors") if isinstance(result, dict) else None
        if errors:
            # [["RATELIMIT", "you are doing that too much. try again in 5 minutes.", "ratelimit"]]
            codes = {str(error[0]) for error in errors if isinstance(error, list) and error}
            said = "; ".join(
                " ".join(str(part) for part in error[:2]) for error in errors if isinstance(error, list)
            )
            failure = SinkRetry if codes and codes <= PASSING_ERRORS else SinkRefused
            raise failure(f"Reddit: POST {PATH} refused the reply: {said[:300]}")
        data = result.get("data") if isinstance(result, dict) else None
        things = data.get("things") if isinstance(data, dict) else None
        first = things[0] if isinstance(things, list) and things else None
        made = first.get("data") if isinstance(first, dict) else None
        name = made.get("name") if isinstance(made, dict) else None
        if not isinstance(name, str) or not name:
            raise SinkRefused(
                f"Reddit: POST {PATH} answered without the comment it made: {str(answer)[:200]}"
            )
        return SentReply(external_id=name, sent_at=self.clock())

    def _post(self, form: dict[str, str]) -> object:
        headers = self.reddit.bearer(writing=True)
        with self.reddit.api.client() as client:
            return self.reddit.api.write_json(client, "POST", PATH, data=form, headers=headers)
