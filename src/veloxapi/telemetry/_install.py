"""What an application asks of telemetry when it builds its middleware stack.

:func:`start` decides whether the application has telemetry: only if
OpenTelemetry is installed and some enabled signal has a provider (given,
configured globally, or promised by ``auto_configure``). With every signal
off, OpenTelemetry absent, or (without ``telemetry=``) not even imported, it
returns ``None`` and the application runs exactly as without telemetry: no
layer, no plan observer, no per-request check.

Otherwise, while no provider is configured yet, the application gets a
:class:`Dormant` runtime: no plan observer and no span, only a check per
request that a global provider has appeared since (set after the app
started, as FastAPI allows), upon which the application rebuilds its stack
with telemetry; and at shut-down, exporters set up earlier are flushed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._config import otel_installed

if TYPE_CHECKING:
    from veloxapi.telemetry._asgi import NativeTelemetry


class Telemetry:
    """The pieces an application with telemetry puts in its stack and its route plans."""

    def __init__(self, config: TelemetryConfig) -> None:
        from veloxapi.telemetry import _asgi
        from veloxapi.telemetry._exceptions import ExceptionObserver
        from veloxapi.telemetry._observer import PlanObserver

        self.config = config
        self.observer = PlanObserver()
        self.exception_observer = ExceptionObserver
        # looked up now, not imported: an integration may have replaced it (see _asgi)
        self.native: NativeTelemetry = _asgi.NativeTelemetry(config)

    async def serve(self, stack: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve through the request layer (spans, metrics, logs, lifespan export)."""
        await self.native(app=stack, scope=scope, receive=receive, send=send)


class Dormant:
    """Telemetry that may start: waits for a global provider (see the module docstring)."""

    observer = None
    exception_observer = None

    def __init__(self, config: TelemetryConfig, rebuild: Callable[[], None]) -> None:
        from veloxapi.telemetry._providers import GlobalsWatch, any_signal_configured

        self.config = config
        self._configured = any_signal_configured
        self._watch = GlobalsWatch()
        self._rebuild = rebuild

    async def serve(self, stack: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            from veloxapi.telemetry._runtime import lifespan

            await lifespan(config=self.config, app=stack, scope=scope, receive=receive, send=send)
        elif self._watch.changed() and self._configured(self.config):
            self._rebuild()  # the application's next stack has telemetry
            app = scope["app"]
            await app(scope, receive, send)
        else:
            await stack(scope, receive, send)


def start(
    config: TelemetryConfig, explicit: bool, rebuild: Callable[[], None]
) -> Telemetry | Dormant | None:
    """The application's telemetry, or ``None`` when it has none (see the module docstring).

    ``rebuild``: drops the application's stack, for a dormant runtime that wakes up.

    ``explicit``: the application was given ``telemetry=``. Without it, and with
    OpenTelemetry not even imported yet, nothing can have configured a provider:
    the answer is "none" without importing it.
    """
    if not (config["tracing"] or config["metrics"] or config["logs"]):
        return None
    if not explicit and not config["auto_configure"] and "opentelemetry" not in sys.modules:
        return None
    if not otel_installed():
        return None
    from veloxapi.telemetry._providers import any_signal_configured

    if not any_signal_configured(config):
        return Dormant(config, rebuild)
    return Telemetry(config)
