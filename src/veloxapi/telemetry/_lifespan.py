"""Start-up and shut-down of an application with telemetry.

At start-up, ``auto_configure`` attaches the exporters the environment asks
for (a failure there is logged, never fatal: telemetry is optional). Before
shut-down completes, what veloxapi attached is flushed so the last spans,
metrics and log records are exported.
"""

from __future__ import annotations

from anyio.to_thread import run_sync
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.logger import logger
from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._environment import configure_from_environment, flush_owned, owns_any

_ENDED = frozenset(
    {"lifespan.shutdown.complete", "lifespan.shutdown.failed", "lifespan.startup.failed"}
)


async def observe_lifespan(
    config: TelemetryConfig, app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    async def on_receive() -> Message:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                configure_from_environment(config)
            except Exception as exc:
                logger.warning("FastAPI automatic telemetry configuration failed: %s", exc)
        return message

    async def on_send(message: Message) -> None:
        if message["type"] in _ENDED and owns_any():
            await run_sync(flush_owned)
        await send(message)

    await app(scope, on_receive, on_send)
