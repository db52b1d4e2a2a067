"""HTTP to addresses that people type in (feeds, Mastodon instances, alert webhooks).

A brand's admin chooses those addresses, and what the desk reads back (a feed's error, a test
send's answer) is shown to them. Pointed at ``127.0.0.1:5432`` or ``169.254.169.254``, the desk
would probe its own machine and network for them. So every hop of every such request, redirects
included, must reach a public address: the name is resolved and checked before the request is
sent, and the address the connection actually reached is checked again before the answer is read
(a name that resolves differently the second time gains nothing).

The operator may allow private networks (an intranet feed, a Mattermost on the LAN) with
``OMBUDS_OUTBOUND_ALLOW``; the policy is the process's, set from its settings where they are
bound (the app, the runner) and read from the environment otherwise.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from ombuds.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_allowed: tuple[Network, ...] | None = None


class AddressRefused(httpx.ConnectError):
    """The request would reach an address the desk may not reach; the message says which."""


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` → networks; ValueError naming the entry that is not one."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"OMBUDS_OUTBOUND_ALLOW: {entry!r} is not an address or a network") from None
    return tuple(networks)


def configure(allowed: str | Iterable[Network]) -> None:
    """Set the process's policy: the private networks it may reach besides public addresses."""
    global _allowed
    _allowed = parse_networks(allowed) if isinstance(allowed, str) else tuple(allowed)


def allowed_networks() -> tuple[Network, ...]:
    if _allowed is None:
        configure(get_settings().outbound_allow)
    assert _allowed is not None
    return _allowed


def _plain(address: Address) -> Address:
    # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refusal(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why the desk may not reach ``address`` (loopback, private, ...), or None when it may."""
    plain = _plain(address)
    if plain.is_global and not plain.is_multicast:
        return None
    if any(plain.version == network.version and plain in network for network in allowed):
        return None
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(plain, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    return "not a public address"


def _check(host: str, address: Address, allowed: Sequence[Network]) -> None:
    reason = refusal(address, allowed)
    if reason is not None:
        shown = host if host == str(address) else f"{host} ({address})"
        raise AddressRefused(
            f"{shown} is {reason}; the desk reaches only public addresses unless "
            "OMBUDS_OUTBOUND_ALLOW names the network"
        )


def check_url(url: httpx.URL) -> None:
    """Resolve the URL's host and refuse it unless every address it names may be reached."""
    host = url.host
    allowed = allowed_networks()
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        _check(host, literal, allowed)
        return
    try:
        found = socket.getaddrinfo(host, url.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"{host}: the name does not resolve ({exc})") from None
    for *_, sockaddr in found:
        _check(host, ipaddress.ip_address(str(sockaddr[0]).split("%")[0]), allowed)


def _before_sending(request: httpx.Request) -> None:
    check_url(request.url)


def _on_answer(response: httpx.Response) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer:
        try:
            _check(
                response.request.url.host,
                ipaddress.ip_address(str(peer[0]).split("%")[0]),
                allowed_networks(),
            )
        except AddressRefused:
            response.close()
            raise


def client(**options: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every request, redirects included, reaches only allowed addresses."""
    hooks = options.pop("event_hooks", {})
    return httpx.Client(
        event_hooks={
            "request": [_before_sending, *hooks.get("request", [])],
            "response": [_on_answer, *hooks.get("response", [])],
        },
        **options,
    )
