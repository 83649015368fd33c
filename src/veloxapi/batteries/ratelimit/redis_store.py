"""Rate-limit counters in Redis, shared by every worker and machine.

Each algorithm is one Lua script, so a decision is a single atomic step on the
server however many workers race for the same key. Windows are measured on the
Redis server's clock (``TIME``), so workers whose clocks disagree still agree on
windows. Every script touches only its one declared key.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from veloxapi.batteries._stores import RedisConnection
from veloxapi.batteries.ratelimit.rates import Algorithm, Decision, Rate

# All scripts: ARGV[1] = period (ms), ARGV[2] = limit.
# They return {allowed (0/1), remaining, reset (ms), retry_after (ms)}.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
"""

_FIXED = (
    _NOW
    + """
local window = math.floor(now / period)
if redis.call('HGET', KEYS[1], 'w') ~= tostring(window) then
  redis.call('HSET', KEYS[1], 'w', tostring(window), 'c', 0)
end
local count = redis.call('HINCRBY', KEYS[1], 'c', 1)
local reset = math.ceil((window + 1) * period - now)
redis.call('PEXPIRE', KEYS[1], reset)
if count <= limit then
  return {1, limit - count, reset, 0}
end
return {0, 0, reset, reset}
"""
)

_SLIDING = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', KEYS[1], math.ceil(period))
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = math.ceil(tonumber(oldest[2]) + period - now)
if allowed == 1 then
  return {1, limit - count, reset, 0}
end
return {0, 0, reset, reset}
"""
)

_BUCKET = (
    _NOW
    + """
local per_ms = limit / period
local state = redis.call('HMGET', KEYS[1], 't', 's')
local tokens = tonumber(state[1]) or limit
local stamp = tonumber(state[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - stamp) * per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(now))
local reset = math.ceil((limit - tokens) / per_ms)
redis.call('PEXPIRE', KEYS[1], reset + 1000)
local retry = 0
if allowed == 0 then
  retry = math.ceil((1 - tokens) / per_ms)
end
return {allowed, math.floor(tokens), reset, retry}
"""
)

_SCRIPTS = {
    Algorithm.FIXED_WINDOW: _FIXED,
    Algorithm.SLIDING_WINDOW: _SLIDING,
    Algorithm.TOKEN_BUCKET: _BUCKET,
}


class RedisRateLimitStore:
    """Counters in Redis (``pip install "veloxapi[redis]"``), exact across processes.

    ``prefix`` is prepended to every key, so several applications (or tests) can
    share one Redis database without touching each other's counters.
    """

    def __init__(self, url: str, *, prefix: str = "velox:rl:", timeout: float = 1.0) -> None:
        self.connection = RedisConnection(url, socket_timeout=timeout)
        self.prefix = prefix
        self._shas = {
            algorithm: hashlib.sha1(source.encode()).hexdigest()
            for algorithm, source in _SCRIPTS.items()
        }

    async def hit(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        args: list[Any] = [rate.period * 1000, rate.limit]
        if algorithm is Algorithm.SLIDING_WINDOW:
            args.append(uuid.uuid4().hex)  # a unique member per request
        reply = await self._run(algorithm, self.prefix + key, args)
        allowed, remaining, reset_ms, retry_ms = (int(part) for part in reply)
        return Decision(bool(allowed), rate.limit, remaining, reset_ms / 1000, retry_ms / 1000)

    async def _run(self, algorithm: Algorithm, key: str, args: list[Any]) -> list[Any]:
        from redis.exceptions import NoScriptError

        client = self.connection.client()
        try:
            reply = await client.evalsha(self._shas[algorithm], 1, key, *args)
        except NoScriptError:
            reply = await client.eval(_SCRIPTS[algorithm], 1, key, *args)
        return list(reply)

    async def aclose(self) -> None:
        await self.connection.aclose()
