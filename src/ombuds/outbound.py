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

The check is made where the connection is opened: the name is resolved once, every address it
gives is checked and the socket goes to one of those very addresses, so a name that answers a
public address to the check and a private one to the connection (DNS rebinding) reaches nothing,
and no byte of the request is sent to an address not allowed. No proxy from the environment is
used (``HTTP_PROXY``...): a proxy connects to what it resolves itself, out of the check's sight.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
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


#: IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits, which a gateway or
#: the kernel may reach for them: IPv4-compatible (deprecated), IPv4-translated, NAT64 (the
#: well-known and the local-use prefix)
_CARRY_IPV4 = tuple(
    ipaddress.IPv6Network(prefix) for prefix in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)
#: deprecated site-local addresses, private in all but Python's name for them
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")


def _carried(address: Address) -> list[Address]:
    """The address and every IPv4 address it carries (``::ffff:127.0.0.1`` is 127.0.0.1 to the
    kernel; ``64:ff9b::10.0.0.1`` is 10.0.0.1 behind a NAT64 gateway; 6to4 embeds one too)."""
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if any(address in prefix for prefix in _CARRY_IPV4) and int(address) > 1:  # not :: or ::1
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def refusal(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why the desk may not reach ``address`` (loopback, private, ...), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refusal(address.ipv4_mapped, allowed)  # the very IPv4 socket: judged as that alone
    for plain in reversed(_carried(address)):  # the IPv4 address carried names the refusal
        reason = _refusal(plain, allowed)
        if reason is not None:
            return reason
    return None


def _refusal(plain: Address, allowed: Sequence[Network]) -> str | None:
    if any(plain.version == network.version and plain in network for network in allowed):
        return None
    if plain.is_global and not plain.is_multicast and plain not in _SITE_LOCAL:
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


def _resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` names, all of them allowed; ``AddressRefused`` naming the first that is not."""
    allowed = allowed_networks()
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        _check(host, literal, allowed)
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"{host}: the name does not resolve ({exc})") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        _check(host, address, allowed)
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_url(url: httpx.URL) -> None:
    """Resolve the URL's host and refuse it unless every address it names may be reached."""
    _resolve(url.host, url.port or (443 if url.scheme == "https" else 80))


def open_socket(host: str, port: int, timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT) -> socket.socket:  # type: ignore[attr-defined]
    """A TCP connection to one of the addresses ``host`` names, every one of them checked first and
    the socket opened to a checked address, not to the name (which could resolve anew): for the
    mail servers an admin types in (IMAP, SMTP), whose libraries let a subclass open the socket.
    ``AddressRefused`` for an address not allowed; a name that does not resolve is an OSError, in
    the library's own words."""
    try:
        addresses = _resolve(host, port)
    except AddressRefused:
        raise
    except httpx.ConnectError as exc:
        raise socket.gaierror(str(exc)) from None
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout)
        except OSError as exc:
            failure = exc
    assert failure is not None
    raise failure


class _GuardedBackend(httpcore.SyncBackend):
    """Opens a connection only to addresses checked a moment before, resolved by itself: the socket
    goes to the checked address, not to the name, which could resolve anew."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


def _before_sending(request: httpx.Request) -> None:
    # a clear refusal before any connection is even looked for in the pool
    check_url(request.url)


def client(**options: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every request, redirects included, reaches only allowed addresses."""
    hooks = options.pop("event_hooks", {})
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx names no option for it: every connection of this pool is opened by the guarded backend
    transport._pool._network_backend = _GuardedBackend()
    return httpx.Client(
        event_hooks={**hooks, "request": [_before_sending, *hooks.get("request", [])]},
        transport=transport,
        trust_env=False,
        **options,
    )
