"""``ResponseCache``: looks responses up, stores them, and invalidates them."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import anyio

from veloxapi.batteries._stores import Backoff, StoreRef, ThrottledWarning
from veloxapi.batteries.cache.entries import CachedResponse
from veloxapi.batteries.cache.policy import Policy, path_key, variant
from veloxapi.batteries.cache.redis_store import RedisCacheStore
from veloxapi.batteries.cache.settings import CacheSettings
from veloxapi.batteries.cache.stores import CacheStore, MemoryCacheStore

logger = logging.getLogger("veloxapi.cache")
STATE_KEY = "veloxapi_cache"
_META = "#meta"


class ResponseCache:
    """The store plus the rules for keys; one lives on ``app.state`` once installed.

    A store outage never fails a request: lookups miss, stores are skipped, and a
    warning is logged at most every 30 seconds.
    """

    def __init__(self, settings: CacheSettings, store: CacheStore | None = None) -> None:
        self.settings = settings
        self.store = store or _store_for(settings)
        self._outage = ThrottledWarning(logger)
        self._backoff = Backoff(settings.failure_backoff)
        self._timeout = settings.redis_timeout if settings.backend == "redis" else None

    def stores(self) -> list[StoreRef]:
        """The server store responses live in (none for the memory backend)."""
        if self.settings.backend != "redis":
            return []
        return [StoreRef("redis", self.settings.store_url(), "cache")]

    def credential(self, headers: dict[str, str]) -> str | None:
        """A digest of the request's credentials, or ``None`` when it carries none."""
        present = [f"{n}={headers[n]}" for n in self.settings.credential_headers if n in headers]
        if not present:
            return None
        return hashlib.sha256("\n".join(present).encode("latin-1", "replace")).hexdigest()

    def bypassed(self, policy: Policy, credential: str | None) -> bool:
        """Whether an authenticated request must not be served from or into the cache."""
        private = credential is not None and not policy.shared
        return private and self.settings.authenticated == "bypass"

    async def lookup(
        self, base: str, headers: dict[str, str], credential: str | None
    ) -> CachedResponse | None:
        if self._backoff.active:
            return None
        try:
            with anyio.fail_after(self._timeout):
                raw = await self._find(base, headers, credential)
        except Exception as exc:
            self._warn(exc)
            return None
        self._backoff.succeeded()
        return CachedResponse.load(raw) if raw else None

    async def _find(
        self, base: str, headers: dict[str, str], credential: str | None
    ) -> bytes | None:
        raw_policy = await self.store.get(base + _META)
        policy = Policy.load(raw_policy) if raw_policy else None
        if policy is None or self.bypassed(policy, credential):
            return None
        return await self.store.get(f"{base}#{variant(policy, headers, credential)}")

    async def save(
        self,
        base: str,
        policy: Policy,
        variant_key: str,
        entry: CachedResponse,
        tags: list[str],
    ) -> None:
        if self._backoff.active:
            return
        try:
            with anyio.fail_after(self._timeout):
                await self.store.set(f"{base}#{variant_key}", entry.dump(), policy.ttl, tags)
                await self.store.set(base + _META, policy.dump(), policy.ttl)
        except Exception as exc:
            self._warn(exc)

    async def invalidate(
        self, *, path: str | None = None, prefix: str | None = None, tag: str | None = None
    ) -> int:
        """Drop cached responses: every variant of ``path`` (any query string), every
        path starting with ``prefix``, and/or every entry stored with ``tag``.
        Returns how many store keys were deleted. Store errors propagate here, so
        a caller knows when an invalidation did not happen."""
        if path is None and prefix is None and tag is None:
            raise TypeError("invalidate() needs path=, prefix= or tag=")
        deleted = 0
        if path is not None:
            deleted += await self.store.delete_prefix(f"GET:{path_key(path)}?")
        if prefix is not None:
            deleted += await self.store.delete_prefix(f"GET:{path_key(prefix)}")
        if tag is not None:
            deleted += await self.store.delete_tag(tag)
        return deleted

    async def aclose(self) -> None:
        await self.store.aclose()

    def _warn(self, exc: Exception) -> None:
        self._backoff.failed()
        self._outage.warn(
            "response cache store failed (%s: %s); serving without the cache",
            type(exc).__name__,
            exc,
        )


def _store_for(settings: CacheSettings) -> CacheStore:
    if settings.backend == "redis":
        return RedisCacheStore(
            settings.store_url(), prefix=settings.key_prefix, timeout=settings.redis_timeout
        )
    return MemoryCacheStore(settings.max_entries)


def cache_for(app: Any) -> ResponseCache:
    """The :class:`ResponseCache` installed on ``app``; LookupError when there is none."""
    found = getattr(getattr(app, "state", None), STATE_KEY, None)
    if not isinstance(found, ResponseCache):
        raise LookupError("no response cache on this app; call install_cache(app, settings)")
    return found


async def invalidate(
    app: Any, *, path: str | None = None, prefix: str | None = None, tag: str | None = None
) -> int:
    """Invalidate cached responses of ``app`` (see :meth:`ResponseCache.invalidate`)."""
    return await cache_for(app).invalidate(path=path, prefix=prefix, tag=tag)
