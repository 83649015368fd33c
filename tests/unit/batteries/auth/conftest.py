"""Fixtures for the auth battery tests: keys generated once, a live JWKS server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_support import JWKSServer, KeyPair, ec_pair, rsa_pair, running_jwks_server


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return rsa_pair("rsa-1")


@pytest.fixture(scope="session")
def rsa_key_2() -> KeyPair:
    return rsa_pair("rsa-2")


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    return ec_pair("ec-1")


@pytest.fixture
def jwks_server(rsa_key: KeyPair) -> Iterator[JWKSServer]:
    with running_jwks_server(rsa_key) as server:
        yield server
