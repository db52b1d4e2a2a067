"""The x kind's scenario, and the API it runs against: recorded posts paged newest first by
``since_id`` and page tokens, X's rate-limit headers, and replies whose OAuth 1.0a signature is
checked as X checks it."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils

from tests.support.recorded_api import Answer, RecordedApi, Request, payload

BEARER = "x-bearer-do-not-show"
KEYS = {
    "consumer_key": "x-consumer-key",
    "consumer_secret": "x-consumer-secret-do-not-show",
    "access_token": "44196397000-x-access-token",
    "access_token_secret": "x-access-secret-do-not-show",
}
USER_ID = "44196397000"
SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake(seconds: float, sequence: int) -> str:
    return str(((int(seconds * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | sequence)


def signed_by_keys(request: Request, url: str) -> bool:
    """Whether the request's OAuth 1.0a signature is the one X computes from the app's and
    account's secrets (HMAC-SHA1 over the method, address and oauth parameters)."""
    header = request.headers.get("authorization", "")
    if not header.startswith("OAuth "):
        return False
    given = dict(utils.parse_authorization_header(header))
    if (
        given.get("oauth_consumer_key") != KEYS["consumer_key"]
        or given.get("oauth_token") != KEYS["access_token"]
    ):
        return False
    params = signature.collect_parameters(headers={"Authorization": header}, exclude_oauth_signature=True)
    base = signature.signature_base_string(
        request.method, signature.base_string_uri(url), signature.normalize_parameters(params)
    )
    keys = Client(
        KEYS["consumer_key"],
        client_secret=KEYS["consumer_secret"],
        resource_owner_key=KEYS["access_token"],
        resource_owner_secret=KEYS["access_token_secret"],
    )
    expected = signature.sign_hmac_sha1_with_client(base, keys)
    return utils.unescape(given.get("oauth_signature", "")) == expected


class XApi:
    """The parts of X API v2 the connector uses, over recorded posts."""

    def __init__(self, posts: list[dict[str, Any]] | None = None) -> None:
        recorded = payload("x", "mentions")
        self.posts: list[dict[str, Any]] = posts if posts is not None else []
        self.users: list[dict[str, Any]] = recorded["includes"]["users"]
        self.remaining = 450
        self.api = RecordedApi(self.answer)
        self.posted: list[dict[str, Any]] = []

    def answer(self, request: Request) -> Answer:
        if request.method == "POST" and request.path == "/2/tweets":
            if not signed_by_keys(request, f"{self.api.url}/2/tweets"):
                return Answer(401, payload("x", "unauthorized"))
            self.posted.append(request.json())
            created = payload("x", "post_created")
            created["data"]["text"] = request.json()["text"]
            return Answer(201, created)
        if request.headers.get("authorization") != f"Bearer {BEARER}":
            return Answer(401, payload("x", "unauthorized"))
        if request.path == f"/2/users/{USER_ID}/mentions":
            return self.page(request, token="pagination_token", least=5)
        if request.path == "/2/tweets/search/recent":
            assert request.param("query")
            return self.page(request, token="next_token", least=10)
        return Answer(404, {"title": "Not Found Error", "status": 404})

    def page(self, request: Request, *, token: str, least: int) -> Answer:
        size = int(request.param("max_results") or 10)
        if not least <= size <= 100:
            return Answer(400, {"title": "Invalid Request", "detail": f"max_results must be {least} to 100"})
        assert request.param("expansions") == "author_id"
        since = request.param("since_id")
        below = request.param(token)
        newer = [
            post
            for post in sorted(self.posts, key=lambda post: int(post["id"]), reverse=True)
            if (since is None or int(post["id"]) > int(since))
            and (below is None or int(post["id"]) < int(below.removeprefix("7140dibdnow9")))
        ]
        shown, more = newer[:size], len(newer) > size
        self.remaining -= 1
        headers = {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(int(time.time()) + 900),
        }
        meta: dict[str, Any] = {"result_count": len(shown)}
        body: dict[str, Any] = {"meta": meta}
        if shown:
            authors = {post["author_id"] for post in shown}
            body["data"] = shown
            body["includes"] = {"users": [user for user in self.users if user["id"] in authors]}
            meta.update(newest_id=shown[0]["id"], oldest_id=shown[-1]["id"])
            if more:
                meta["next_token"] = f"7140dibdnow9{shown[-1]['id']}"
        return Answer(200, body, headers)

    def mention(self, number: int, *, malformed: bool = False) -> dict[str, Any]:
        """A new post mentioning the brand; ``malformed``: by an author missing from includes."""
        post = copy.deepcopy(payload("x", "mentions")["data"][-1])
        post["id"] = snowflake(time.time(), number % 4096)
        post["text"] = f"@acmeair my bag was lost on flight {number}; nobody answers."
        if malformed:
            post["author_id"] = "700000000000000001"  # a suspended account: no user object comes
        self.posts.append(post)
        return post


class XScenario:
    kind = "x"

    def __init__(self) -> None:
        self.x = XApi()

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        with self.x.api.running():
            yield {
                "api_url": self.x.api.url,
                "bearer_token": BEARER,
                "user_id": USER_ID,
                "page_size": 10,
                **KEYS,
            }

    def add_record(self, number: int) -> str:
        return str(self.x.mention(number)["id"])

    def add_malformed(self) -> None:
        self.x.mention(4000, malformed=True)

    def rate_limit_next(self, seconds: int) -> None:
        reset = str(int(time.time()) + seconds + 1)
        limited = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
        self.x.api.script.append(Answer(429, payload("x", "too_many_requests"), limited))

    def sent_replies(self) -> list[str]:
        return [post["text"] for post in self.x.posted]

    def reply_to(self, external_id: str) -> str | None:
        return None  # a reply on X threads by the post's id alone


SCENARIO = XScenario
