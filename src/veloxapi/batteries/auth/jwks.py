"""An issuer's published keys: fetched asynchronously, cached, refreshed with care.

:class:`JWKSCache` fetches a JSON Web Key Set with httpx under one deadline
(``timeout`` covers connect, send, every read and the whole exchange), keeps it
for ``ttl`` seconds, and refetches early when a token names an unknown ``kid``
(a key rotation) — at most once per ``min_refresh_interval``, so a stream of
forged ``kid`` values cannot make it hammer the identity provider.

Every request waiting for an issuer's keys shares one fetch, and waits for it
at most ``timeout`` seconds. After a failed fetch it does not ask again for
``failure_backoff`` seconds, counted from when the failure became known (a
server that hangs is not waited on by every request): requests are answered
with the cached keys if they are at most ``stale_if_error`` seconds past their
``ttl``, and with :class:`~.errors.KeysUnavailableError` (503) at once otherwise.

With ``discovery=True`` the JWKS URL is read from the issuer's OpenID Connect
discovery document, whose ``issuer`` must match the configured one.
"""

from __future__ import annotations

import functools
import logging
import math
import ssl
import time
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.to_thread
import httpx

from .errors import KeysUnavailableError
from .issuers import Issuer, is_safe_url
from .keys import VerificationKey, key_from_jwk

logger = logging.getLogger("veloxapi.auth")

_DISCOVERY_PATH = "/.well-known/openid-configuration"


class FetchError(Exception):
    """A JWKS or discovery document could not be fetched or understood."""


def parse_jwks(document: object) -> list[VerificationKey]:
    """The usable signing keys of a JWKS document; unusable entries are skipped."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise FetchError("the JWKS document has no 'keys' list")
    keys = []
    for jwk in document["keys"]:
        if not isinstance(jwk, Mapping) or jwk.get("use", "sig") != "sig":
            continue
        try:
            keys.append(key_from_jwk(jwk))
        except ValueError as exc:
            logger.warning("Skipping a JWKS entry: %s", exc)
    return keys


class JWKSCache:
    """The cached key set of one issuer (see the module documentation)."""

    def __init__(
        self,
        issuer: Issuer,
        *,
        timeout: float = 5.0,
        ttl: float = 300.0,
        min_refresh_interval: float = 30.0,
        failure_backoff: float = 5.0,
        stale_if_error: float = 3600.0,
    ) -> None:
        if not issuer.uses_remote_keys:
            raise ValueError(f"Issuer {issuer.issuer!r} has no jwks_url and no discovery")
        self.issuer = issuer
        self.timeout = timeout
        self.ttl = ttl
        self.min_refresh_interval = min_refresh_interval
        self.failure_backoff = failure_backoff
        self.stale_if_error = stale_if_error
        self._jwks_url = issuer.jwks_url
        self._keys: list[VerificationKey] | None = None
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._failed_at: float | None = None
        self._in_flight: anyio.Event | None = None

    async def keys_for(self, kid: str | None) -> list[VerificationKey]:
        """The keys that may have signed a token with this ``kid`` (all keys if ``None``).

        Raises :class:`KeysUnavailableError` when no key set can be had in time.
        """
        if not self._fresh() and not self._backing_off():
            await self._refresh(wait=not self._within_stale_limit())
        matches = self._match(kid)
        if not matches and kid is not None and self._may_refetch():
            logger.info("Unknown kid %r for issuer %s: refetching keys", kid, self.issuer.issuer)
            await self._refresh(wait=True)
            matches = self._match(kid)
        if not matches and kid is not None and self._failed_at is not None:
            raise KeysUnavailableError(self._retry_after())  # cannot tell a new key from a forgery
        return matches

    def _fresh(self) -> bool:
        return self._keys is not None and time.monotonic() - self._fetched_at < self.ttl

    def _within_stale_limit(self) -> bool:
        """Keys past their ttl by less than ``stale_if_error`` seconds."""
        age = time.monotonic() - self._fetched_at
        return self._keys is not None and age < self.ttl + self.stale_if_error

    def _backing_off(self) -> bool:
        """Whether the last fetch failed less than ``failure_backoff`` seconds ago.

        Measured from when the failure became known, not from when the fetch
        started: a server that hangs for the whole timeout is not asked again at once.
        """
        failed_at = self._failed_at
        return failed_at is not None and time.monotonic() - failed_at < self.failure_backoff

    def _retry_after(self) -> int:
        if self._failed_at is None:
            return max(1, math.ceil(self.failure_backoff))
        remaining = self._failed_at + self.failure_backoff - time.monotonic()
        return max(1, math.ceil(remaining))

    def _match(self, kid: str | None) -> list[VerificationKey]:
        """The cached keys for ``kid``; 503 if there are none, or only stale ones past the limit."""
        keys = self._keys
        if keys is None or (self._failed_at is not None and not self._within_stale_limit()):
            raise KeysUnavailableError(self._retry_after())
        return keys if kid is None else [key for key in keys if key.kid == kid]

    def _may_refetch(self) -> bool:
        if self._backing_off():
            return False
        return time.monotonic() - self._attempted_at >= self.min_refresh_interval

    async def _refresh(self, *, wait: bool) -> None:
        """Fetch the key set, one fetch at a time for everyone waiting on this issuer.

        The first caller runs the fetch (bounded by ``timeout``). Callers arriving
        while it runs do not fetch again: they wait for it (at most ``timeout``)
        when ``wait`` is true, and carry on with the keys they have otherwise.
        """
        in_flight = self._in_flight
        if in_flight is not None:
            if wait:
                with anyio.move_on_after(self.timeout):
                    await in_flight.wait()
            return
        self._in_flight = done = anyio.Event()
        try:
            await self._attempt()
        finally:
            self._in_flight = None
            done.set()

    async def _attempt(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            keys = await self._fetch()
        except FetchError as exc:
            self._failed_at = time.monotonic()
            stale = " (serving the cached keys meanwhile)" if self._within_stale_limit() else ""
            logger.warning(
                "Could not fetch the keys of issuer %s: %s%s", self.issuer.issuer, exc, stale
            )
            return
        self._failed_at = None
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def _fetch(self) -> list[VerificationKey]:
        try:
            with anyio.fail_after(self.timeout):
                client = await anyio.to_thread.run_sync(
                    _new_client, self.timeout, abandon_on_cancel=True
                )
                async with client:
                    url = self._jwks_url or await self._discover(client)
                    return parse_jwks(await _get_json(client, url))
        except TimeoutError as exc:
            raise FetchError(f"no answer within {self.timeout}s") from exc

    async def _discover(self, client: httpx.AsyncClient) -> str:
        expected = self.issuer.issuer
        document = await _get_json(client, expected.rstrip("/") + _DISCOVERY_PATH)
        if not isinstance(document, Mapping) or document.get("issuer") != expected:
            raise FetchError(f"the discovery document does not name issuer {expected!r}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not is_safe_url(jwks_uri):
            raise FetchError(f"the discovery document's jwks_uri {jwks_uri!r} is not https")
        self._jwks_url = jwks_uri
        return jwks_uri


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def _new_client(timeout: float) -> httpx.AsyncClient:
    """A client for one fetch, made in a worker thread: making the first one is slow
    (httpx loads its transport and the CA bundle) and must not block the event loop.
    """
    return httpx.AsyncClient(timeout=timeout, verify=_tls_context())


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url} failed: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise FetchError(f"GET {url} answered {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise FetchError(f"GET {url} did not return JSON") from exc
