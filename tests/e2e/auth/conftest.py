"""Fixtures for the auth end-to-end tests: keys, JWKS servers, an HTTP client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# The keys, token and JWKS-server helpers are shared with the unit tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "batteries" / "auth"))

from auth_support import JWKSServer, KeyPair, rsa_pair, running_jwks_server


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return rsa_pair("rsa-1")


@pytest.fixture(scope="session")
def rsa_key_2() -> KeyPair:
    return rsa_pair("rsa-2")


@pytest.fixture(scope="module")
def jwks_server(rsa_key: KeyPair) -> Iterator[JWKSServer]:
    with running_jwks_server(rsa_key) as server:
        yield server


@pytest.fixture(scope="module")
def slow_jwks_server(rsa_key: KeyPair) -> Iterator[JWKSServer]:
    with running_jwks_server(rsa_key) as server:
        server.delay = 3.0
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http
