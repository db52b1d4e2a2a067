"""The reddit kind's scenario, and the API it runs against: an OAuth token endpoint (client
credentials or a script app's password grant), a subreddit's listing paged newest first by
``after``, Reddit's x-ratelimit headers, and ``/api/comment``."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.recorded_api import Answer, RecordedApi, Request, payload

CLIENT_ID = "reddit-client-id"
CLIENT_SECRET = "reddit-secret-do-not-show"
USERNAME = "acmeair_support"
PASSWORD = "reddit-password-do-not-show"
TOKEN = "reddit-issued-token"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text


class RedditApi:
    """``www.reddit.com``'s token endpoint and ``oauth.reddit.com``'s listings, on one server."""

    def __init__(self, children: list[dict[str, Any]] | None = None) -> None:
        self.children: list[dict[str, Any]] = children if children is not None else []
        self.api = RecordedApi(self.answer)
        self.comments: list[dict[str, str]] = []
        self.used = 0
        self.limit_next: int | None = None  # the next listing answers 429, waiting this long

    def answer(self, request: Request) -> Answer:
        if request.path == "/api/v1/access_token":
            return self.token(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"message": "Unauthorized", "error": 401})
        assert "ombuds" in request.headers.get("user-agent", ""), "Reddit asks for a descriptive User-Agent"
        if request.method == "GET" and request.path == "/r/acmeair/new":
            return self.listing(request)
        if request.method == "POST" and request.path == "/api/comment":
            form = request.form()
            self.comments.append(form)
            made = payload("reddit", "comment_created")
            thing = made["json"]["data"]["things"][0]["data"]
            thing.update(body=form["text"], parent_id=form["thing_id"], name=f"t1_lq3kz0{len(self.comments)}")
            return Answer(200, made)
        return Answer(404, {"message": "Not Found", "error": 404})

    def token(self, request: Request) -> Answer:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Answer(401, {"message": "Unauthorized", "error": 401})
        form = request.form()
        if form["grant_type"] == "password" and (form.get("username"), form.get("password")) != (
            USERNAME,
            PASSWORD,
        ):
            return Answer(200, payload("reddit", "token_refused"))  # Reddit says so in a 200
        return Answer(200, payload("reddit", "token"))

    def listing(self, request: Request) -> Answer:
        assert request.param("raw_json") == "1"
        if self.limit_next is not None:
            wait, self.limit_next = self.limit_next, None
            limited = {
                "x-ratelimit-used": "100",
                "x-ratelimit-remaining": "0.0",
                "x-ratelimit-reset": str(wait),
            }
            return Answer(429, payload("reddit", "too_many_requests"), limited)
        limit = int(request.param("limit") or 25)
        after = request.param("after")
        ordered = sorted(self.children, key=lambda child: int(child["data"]["id"], 36), reverse=True)
        if after is not None:
            ordered = [
                child for child in ordered if int(child["data"]["id"], 36) < int(after.partition("_")[2], 36)
            ]
        shown = ordered[:limit]
        self.used += 1
        headers = {
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-remaining": f"{100 - self.used:.1f}",
            "x-ratelimit-reset": "412",
        }
        body = {
            "kind": "Listing",
            "data": {
                "after": shown[-1]["data"]["name"] if len(ordered) > limit else None,
                "dist": len(shown),
                "modhash": "",
                "children": shown,
                "before": None,
            },
        }
        return Answer(200, body, headers)

    def post(self, number: int, *, malformed: bool = False) -> dict[str, Any]:
        """A new post in r/acmeair, shaped like the recorded ones; ``malformed``: no title or date."""
        recorded = payload("reddit", "new")["data"]["children"]
        child = copy.deepcopy(recorded[3] if malformed else recorded[-1])
        newest = max((int(child["data"]["id"], 36) for child in self.children), default=int("1h8k2b0", 36))
        child["data"]["id"] = _base36(newest + 1)
        child["data"]["name"] = f"t3_{child['data']['id']}"
        if not malformed:
            child["data"]["title"] = f"Bag lost on flight {number}"
            child["data"]["selftext"] = "Nobody answers the phone."
        self.children.append(child)
        return child


class RedditScenario:
    kind = "reddit"

    def __init__(self) -> None:
        self.reddit = RedditApi()

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        with self.reddit.api.running():
            url = self.reddit.api.url
            yield {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "username": USERNAME,
                "password": PASSWORD,
                "subreddit": "acmeair",
                "api_url": url,
                "auth_url": url,
            }

    def add_record(self, number: int) -> str:
        return str(self.reddit.post(number)["data"]["name"])

    def add_malformed(self) -> None:
        self.reddit.post(0, malformed=True)

    def rate_limit_next(self, seconds: int) -> None:
        self.reddit.limit_next = seconds

    def sent_replies(self) -> list[str]:
        return [comment["text"] for comment in self.reddit.comments]

    def reply_to(self, external_id: str) -> str | None:
        return None  # a comment answers its thing_id; no recipient to name


SCENARIO = RedditScenario
