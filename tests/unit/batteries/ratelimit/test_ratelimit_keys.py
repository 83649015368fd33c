from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from veloxapi.batteries.ratelimit import client_address
from veloxapi.batteries.ratelimit.keys import parse_networks

TRUSTED = parse_networks(["10.0.0.0/8", "192.168.1.5"])


def conn(peer: str, *headers: tuple[str, str]) -> HTTPConnection:
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
    }
    return HTTPConnection(scope)


def test_untrusted_peer_headers_are_ignored() -> None:
    request = conn("203.0.113.9", ("X-Forwarded-For", "1.2.3.4"))
    assert client_address(request, TRUSTED) == "203.0.113.9"


def test_no_trusted_proxies_configured_means_the_peer() -> None:
    assert client_address(conn("10.0.0.1", ("X-Forwarded-For", "1.2.3.4"))) == "10.0.0.1"


def test_rightmost_untrusted_hop_from_trusted_proxy() -> None:
    # the client forged "6.6.6.6"; the real client was appended by our proxies
    request = conn("10.0.0.1", ("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 192.168.1.5"))
    assert client_address(request, TRUSTED) == "198.51.100.7"


def test_several_forwarded_for_header_lines() -> None:
    request = conn("10.0.0.1", ("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "10.2.3.4"))
    assert client_address(request, TRUSTED) == "6.6.6.6"


def test_all_hops_trusted_gives_the_leftmost() -> None:
    request = conn("10.0.0.1", ("X-Forwarded-For", "10.9.9.9, 10.0.0.2"))
    assert client_address(request, TRUSTED) == "10.9.9.9"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('for=198.51.100.7;proto=https, for="10.0.0.3"', "198.51.100.7"),
        ('for="[2001:db8::1]:4711"', "2001:db8::1"),
        ("for=198.51.100.7:8080", "198.51.100.7"),
    ],
)
def test_rfc7239_forwarded(header: str, expected: str) -> None:
    assert client_address(conn("10.0.0.1", ("Forwarded", header)), TRUSTED) == expected


def test_bad_trusted_proxy_names_the_value() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_networks(["10.0.0.300"])
