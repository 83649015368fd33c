"""Rate limiting battery: per-route, per-router and global limits.

::

    app = VeloxAPI()
    install_rate_limit(app, RateLimitSettings(default_limits=["1000/hour"]))

    @app.get("/search", dependencies=[Depends(RateLimit("10/minute"))])
    async def search(q: str): ...

    router = APIRouter(dependencies=[Depends(RateLimit("100/minute", name="orders"))])
"""

from veloxapi.batteries.ratelimit.keys import KeyFunc, client_address
from veloxapi.batteries.ratelimit.limiter import RateLimit, RateLimiter, limiter_for
from veloxapi.batteries.ratelimit.middleware import RateLimitMiddleware
from veloxapi.batteries.ratelimit.plan import RateLimitContributor, install_rate_limit
from veloxapi.batteries.ratelimit.rates import Algorithm, Decision, Rate
from veloxapi.batteries.ratelimit.redis_store import RedisRateLimitStore
from veloxapi.batteries.ratelimit.settings import RateLimitSettings
from veloxapi.batteries.ratelimit.stores import MemoryRateLimitStore, RateLimitStore

__all__ = [
    "Algorithm",
    "Decision",
    "KeyFunc",
    "MemoryRateLimitStore",
    "Rate",
    "RateLimit",
    "RateLimitContributor",
    "RateLimitMiddleware",
    "RateLimitSettings",
    "RateLimitStore",
    "RateLimiter",
    "RedisRateLimitStore",
    "client_address",
    "install_rate_limit",
    "limiter_for",
]
