"""Who a request counts against: client address, API key, token subject or custom.

The client address is the ASGI peer, unless that peer is one of the configured
trusted proxies: then the forwarding headers are read from the right, skipping
trusted hops, and the first untrusted address is the client. A header that an
untrusted peer sends is never believed, so clients cannot pick their own key.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.requests import HTTPConnection

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
KeyFunc = Callable[[HTTPConnection], "str | Awaitable[str | None] | None"]
"""A custom key function: the identity to count against, or ``None`` to fall back
to the client address. It may be ``async``."""


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse trusted proxy addresses or CIDR ranges; ValueError naming a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"trusted proxy {value!r} is not an IP address or CIDR range; "
                'use entries like "10.0.0.7" or "10.0.0.0/8"'
            ) from None
    return tuple(networks)


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _forwarded_for(headers: Any) -> list[str]:
    """Hops from ``X-Forwarded-For``, else from RFC 7239 ``Forwarded``, oldest first."""
    xff = headers.getlist("x-forwarded-for")
    if xff:
        return [hop.strip() for value in xff for hop in value.split(",") if hop.strip()]
    hops = []
    for value in headers.getlist("forwarded"):
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, raw = pair.strip().partition("=")
                if name.lower() == "for" and raw:
                    hops.append(_strip_forwarded_node(raw.strip('"')))
    return hops


def _strip_forwarded_node(node: str) -> str:
    if node.startswith("["):  # "[2001:db8::1]:4711"
        return node[1:].partition("]")[0]
    host, sep, port = node.rpartition(":")
    return host if sep and port.isdigit() and host.count(":") == 0 else node


def client_address(conn: HTTPConnection, trusted: Sequence[IPNetwork] = ()) -> str:
    """The client's address, honouring forwarding headers only from trusted proxies."""
    peer = conn.client.host if conn.client else "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = _forwarded_for(conn.headers)
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def api_key(conn: HTTPConnection, header: str) -> str | None:
    """A digest of the API key header (the key itself never reaches the store)."""
    value = conn.headers.get(header)
    return "key:" + _digest(value) if value else None


def token_subject(conn: HTTPConnection) -> str | None:
    """The ``sub`` of an authenticated principal found in ``request.state``.

    Looks at ``state.user`` / ``state.principal`` / ``state.token`` /
    ``state.claims`` (a claims mapping, or an object with ``claims``, ``subject``
    or ``id``, a string or an integer) as set by an authentication dependency or middleware that ran
    before the limit; the
    subject is only trusted once a token was verified, so an unverified bearer
    token never picks its own counter. ``None`` (no principal) falls back to the
    client address.
    """
    state = conn.scope.get("state") or {}
    for name in ("user", "principal", "token", "claims"):
        found = state.get(name)
        subject = _subject_of(found)
        if subject:
            return "sub:" + _digest(subject)
    return None


def principal_subject(principals: Sequence[object]) -> str | None:
    """The subject of the last of ``principals`` (results of the route's security
    dependencies: a validated token, a user) that names one."""
    for found in reversed(principals):
        subject = _subject_of(found)
        if subject:
            return "sub:" + _digest(subject)
    return None


def _subject_of(found: object) -> str | None:
    claims = found if isinstance(found, Mapping) else getattr(found, "claims", None)
    if isinstance(claims, Mapping) and isinstance(claims.get("sub"), str):
        return str(claims["sub"])
    for attribute in ("subject", "id"):
        value = getattr(found, attribute, None)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # a database user's integer primary key
    return None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]
