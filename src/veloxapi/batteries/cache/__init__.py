"""Response caching battery: per-route opt-in, ETags and 304s, explicit invalidation.

::

    app = VeloxAPI()
    install_cache(app, CacheSettings(backend="redis"))

    @app.get("/items/{item_id}", dependencies=[Depends(Cache(ttl=60, tags=["item:{item_id}"]))])
    async def read_item(item_id: int): ...

    await invalidate(app, tag="item:3")      # or path="/items/3", prefix="/items/"
"""

from veloxapi.batteries.cache.core import ResponseCache, cache_for, invalidate
from veloxapi.batteries.cache.middleware import CacheMiddleware
from veloxapi.batteries.cache.plan import CacheContributor, install_cache
from veloxapi.batteries.cache.policy import Cache
from veloxapi.batteries.cache.redis_store import RedisCacheStore
from veloxapi.batteries.cache.settings import CacheSettings
from veloxapi.batteries.cache.stores import CacheStore, MemoryCacheStore

__all__ = [
    "Cache",
    "CacheContributor",
    "CacheMiddleware",
    "CacheSettings",
    "CacheStore",
    "MemoryCacheStore",
    "RedisCacheStore",
    "ResponseCache",
    "cache_for",
    "install_cache",
    "invalidate",
]
