"""Addresses typed into the app (feeds, instances, alert webhooks) never reach this machine or its
private networks unless the operator allows them, on the first hop or after a redirect."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from ombuds import outbound
from ombuds.connectors.base import FetchFailed, OutgoingReply, SinkError, SinkRefused
from ombuds.connectors.email.config import EmailConfig, TlsMode
from ombuds.connectors.email.imap import ImapFetcher
from ombuds.connectors.email.kind import EmailKind
from ombuds.connectors.http import MAX_ANSWER_BYTES, Api
from ombuds.connectors.rss.fetcher import RssConfig, RssFetcher


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # the same socket as 127.0.0.1
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "link-local"),  # a cloud's metadata service
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        # IPv6 forms that carry an IPv4 address a kernel or gateway reaches for them
        ("::7f00:1", "loopback"),  # IPv4-compatible ::127.0.0.1
        ("::ffff:0:a00:1", "private"),  # IPv4-translated 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b:1::c0a8:1", "private"),  # local-use NAT64 of 192.168.0.1
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("fec0::1", "not a public address"),  # deprecated site-local
        ("64:ff9b::5db8:d822", None),  # NAT64 of a public address
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_only_public_addresses_are_reached_by_default(address: str, reason: str | None) -> None:
    found = outbound.refusal(ipaddress.ip_address(address), ())
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_the_operator_allows_a_private_network_and_only_that() -> None:
    allowed = outbound.parse_networks("10.0.0.0/8, 127.0.0.1")
    assert outbound.refusal(ipaddress.ip_address("10.20.30.40"), allowed) is None
    assert outbound.refusal(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert outbound.refusal(ipaddress.ip_address("127.0.0.2"), allowed) is not None
    assert outbound.refusal(ipaddress.ip_address("192.168.1.1"), allowed) is not None
    # the same address written as IPv6 (a dual-stack resolver's answer) is the allowed socket too
    assert outbound.refusal(ipaddress.ip_address("::ffff:10.20.30.40"), allowed) is None
    assert outbound.refusal(ipaddress.ip_address("::ffff:192.168.1.1"), allowed) is not None
    with pytest.raises(ValueError, match="'intranet' is not an address"):
        outbound.parse_networks("10.0.0.0/8,intranet")


class _Server:
    """A web server on one loopback address that counts what reaches it."""

    def __init__(self, host: str, *, redirect_to: str | None = None) -> None:
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                if redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                self.wfile.write(b"<rss version='2.0'><channel><title>t</title></channel></rss>")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def policy() -> Iterator[None]:
    before = outbound.allowed_networks()
    yield
    outbound.configure(before)


def test_a_loopback_address_is_refused_before_anything_is_sent(policy: None) -> None:
    server = _Server("127.0.0.1")
    try:
        outbound.configure("")
        for url in (f"{server.url}/admin", server.url.replace("127.0.0.1", "localhost") + "/admin"):
            with (
                outbound.client(timeout=5) as client,
                pytest.raises(outbound.AddressRefused, match="loopback"),
            ):
                client.get(url)
        assert server.paths == [], "no request reached the machine's own server"
        outbound.configure("127.0.0.1")
        with outbound.client(timeout=5) as client:
            assert client.get(f"{server.url}/feed").status_code == 200
    finally:
        server.stop()


def test_a_name_that_resolves_anew_to_loopback_reaches_nothing(
    policy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name answers a public address to the first look-up, this machine's to
    every later one; the connection goes to the address checked, so nothing reaches the server."""
    server = _Server("127.0.0.1")
    port = server.server.server_address[1]
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host: object, *args: object, **kwargs: object) -> object:
        if host == "rebind.example":
            return real(next(answers, "127.0.0.1"), *args, **kwargs)  # type: ignore[arg-type]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        outbound.configure("")
        with outbound.client(timeout=5) as client, pytest.raises(outbound.AddressRefused, match="loopback"):
            client.get(f"http://rebind.example:{port}/admin")
        assert server.paths == [], "no request reached the machine's own server"
    finally:
        server.stop()


def test_a_proxy_named_in_the_environment_is_not_used(policy: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy resolves and connects on its own, out of the check's sight: requests go direct."""
    proxy = _Server("127.0.0.1")
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    target = _Server("127.0.0.2")
    try:
        outbound.configure("127.0.0.0/8")
        with outbound.client(timeout=5) as client:
            assert client.get(f"{target.url}/feed").status_code == 200
        assert target.paths == ["/feed"]
        assert proxy.paths == [], "the request did not go through the environment's proxy"
    finally:
        proxy.stop()
        target.stop()


def test_a_redirect_to_an_address_not_allowed_is_not_followed(policy: None) -> None:
    inner = _Server("127.0.0.2")
    outer = _Server("127.0.0.1", redirect_to=f"{inner.url}/secrets")
    try:
        outbound.configure("127.0.0.1/32")  # the feed's host is allowed, the hop it redirects to is not
        refused = pytest.raises(outbound.AddressRefused, match=r"127\.0\.0\.2 is a loopback address")
        with outbound.client(timeout=5, follow_redirects=True) as client, refused:
            client.get(f"{outer.url}/feed")
        assert outer.paths == ["/feed"]
        assert inner.paths == []
    finally:
        inner.stop()
        outer.stop()


def test_a_feed_on_a_private_address_fails_in_words_that_keep_its_token_hidden(policy: None) -> None:
    server = _Server("127.0.0.1")
    try:
        outbound.configure("")
        fetcher = RssFetcher(RssConfig(url=f"{server.url}/feed.xml?token=s3cret-value"), timeout=5)
        with pytest.raises(FetchFailed) as failed:
            fetcher.fetch(None)
        message = str(failed.value)
        assert "loopback address" in message
        assert "OMBUDS_OUTBOUND_ALLOW" in message
        assert f"{server.url}/feed.xml?…" in message
        assert "s3cret" not in message
        assert server.paths == []
    finally:
        server.stop()


def test_a_platform_answer_past_the_limit_is_refused_while_read() -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for number in range(MAX_ANSWER_BYTES // 65536 * 4):
            sent.append(number)
            yield b"[" + b" " * 65535

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    api = Api(
        "Mastodon at social.example", "https://social.example", 5, transport=httpx.MockTransport(answer)
    )
    with api.client() as client, pytest.raises(FetchFailed, match="answered more than 10 MB"):
        api.read_json(client, "GET", "/api/v1/notifications")
    assert len(sent) <= MAX_ANSWER_BYTES // 65536 + 2, "it stopped reading soon after the limit"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that takes connections without answering: whether anything connected shows."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.setblocking(False)
        yield sock


def _connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def test_a_mailbox_an_admin_types_in_never_reaches_this_machine(
    policy: None, listener: socket.socket, tmp_path: Path
) -> None:
    port = listener.getsockname()[1]
    outbound.configure("")
    config = EmailConfig(
        host="127.0.0.1",
        port=port,
        username="desk",
        password="s3cret-imap",
        tls=TlsMode.NONE,
        smtp_host="localhost",
    )
    fetcher = ImapFetcher(config, timeout=1, attachments_dir=tmp_path)
    with pytest.raises(FetchFailed, match=r"127\.0\.0\.1 is a loopback address"):
        fetcher.fetch(None)
    sink = EmailKind().sink(
        config.model_copy(update={"smtp_port": port, "smtp_tls": TlsMode.NONE}), timeout=1
    )
    assert sink is not None
    reply = OutgoingReply(text="We are on it", in_reply_to=None, recipient="mara@example.org")
    with pytest.raises(SinkRefused, match=r"localhost \(.+\) is a loopback address"):
        sink.send(reply)
    assert not _connected(listener), "neither the IMAP nor the SMTP client connected"


def test_a_mail_server_name_that_resolves_anew_to_this_machine_reaches_nothing(
    policy: None, listener: socket.socket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers an allowed address to the check and this machine's to every later look-up:
    the mail clients connect to the address checked, so nothing reaches the listener."""
    port = listener.getsockname()[1]
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def rebinding(host: object, *args: object, **kwargs: object) -> object:
        if host == "mail.example":
            looked_up.append("mail.example")
            return real("127.0.0.2" if len(looked_up) % 2 else "127.0.0.1", *args, **kwargs)  # type: ignore[arg-type]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    outbound.configure("127.0.0.2/32")  # the intranet mail server; this machine is not allowed
    config = EmailConfig(
        host="mail.example",
        port=port,
        username="desk",
        password="s3cret-imap",
        tls=TlsMode.NONE,
        smtp_host="mail.example",
        smtp_port=port,
        smtp_tls=TlsMode.NONE,
    )
    with pytest.raises(FetchFailed, match="could not connect"):
        ImapFetcher(config, timeout=1, attachments_dir=tmp_path).fetch(None)
    sink = EmailKind().sink(config, timeout=1)
    assert sink is not None
    with pytest.raises(SinkError):
        sink.send(OutgoingReply(text="We are on it", in_reply_to=None, recipient="mara@example.org"))
    assert not _connected(listener), "neither client connected to the address the name answered later"
