"""Start-up and shut-down: ``auto_configure`` from the ``OTEL_*`` environment, and flushing.

For each enabled signal with an endpoint (``OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT``,
or ``OTEL_EXPORTER_OTLP_ENDPOINT`` + ``/v1/<signal>``), an OTLP http/protobuf
exporter is attached to the provider in use: added to a configured provider
(kept, with its own exporters), or a new SDK provider is installed globally
when none is configured. Each provider gets veloxapi's exporter once. What
veloxapi created is flushed at shut-down and shut down when the process exits;
providers the application passed in are never shut down.

At start-up a failure of ``auto_configure`` is logged, never fatal: telemetry
is optional. Before shut-down completes, what veloxapi attached is flushed so
the last spans, metrics and log records are exported.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any
from urllib.parse import urlsplit

from anyio.to_thread import run_sync
from opentelemetry import _logs, metrics, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.exceptions import FastAPIError
from veloxapi.logger import logger
from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._providers import unconfigured
from veloxapi.telemetry._sdk import Sdk, load_sdk

_DISABLE = "pass telemetry={'auto_configure': False} to the application"
_lock = threading.RLock()
_owned: list[Any] = []  # processors, readers and providers veloxapi created
_configured: list[tuple[str, Any]] = []  # (signal, provider) pairs given an exporter already


def _flush() -> None:
    for component in tuple(_owned):
        try:
            component.force_flush()
        except Exception:
            logger.exception("FastAPI telemetry cleanup failed: flushing exporters")


def _shutdown() -> None:
    with _lock:
        owned = tuple(_owned)
        _owned.clear()
    for component in owned:
        try:
            component.shutdown()
        except Exception:
            logger.exception("FastAPI telemetry cleanup failed: shutting down exporters")


atexit.register(_shutdown)


def _export_endpoint(signal: str) -> str | None:
    """The OTLP endpoint ``signal`` (TRACES, METRICS, LOGS) exports to, ``None`` if none."""
    exporter = (os.getenv(f"OTEL_{signal}_EXPORTER") or "otlp").strip().lower()
    endpoint = os.getenv(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    if not endpoint:
        base = os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
        endpoint = f"{base.removesuffix('/')}/v1/{signal.lower()}" if base else None
    if not endpoint or exporter == "none":
        return None
    if exporter != "otlp":
        raise FastAPIError(
            f"OTEL_{signal}_EXPORTER={exporter!r}: automatic telemetry supports otlp or none. "
            f"Configure other exporters on your providers and {_DISABLE}."
        )
    protocol = (
        os.getenv(f"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL")
        or os.getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    )
    if protocol != "http/protobuf":
        raise FastAPIError(
            f"OTLP protocol {protocol!r}: automatic telemetry exports over http/protobuf only. "
            f"Configure other transports on your providers and {_DISABLE}."
        )
    parsed = urlsplit(endpoint)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise FastAPIError(
            f"Invalid OTLP {signal.lower()} endpoint {endpoint!r}: use an absolute HTTP or "
            "HTTPS URL, e.g. http://localhost:4318."
        )
    return endpoint


def _configure_from_environment(config: TelemetryConfig) -> None:
    """Attach the exporters the environment asks for (see the module docstring)."""
    if not config["auto_configure"] or os.getenv("OTEL_SDK_DISABLED", "").lower() == "true":
        return
    with _lock:
        wanted = [
            (signal, explicit, endpoint)
            for signal, enabled, explicit in (
                ("TRACES", config["tracing"], config["tracer_provider"]),
                ("METRICS", config["metrics"], config["meter_provider"]),
                ("LOGS", config["logs"], config["logger_provider"]),
            )
            if enabled and (endpoint := _export_endpoint(signal)) is not None
        ]
        if not wanted:
            return
        sdk = load_sdk()
        for signal, explicit, endpoint in wanted:
            _attach(sdk, signal, explicit, endpoint)


def _global_provider(signal: str) -> Any:
    if signal == "TRACES":
        return trace.get_tracer_provider()
    if signal == "METRICS":
        return metrics.get_meter_provider()
    return _logs.get_logger_provider()


def _attach(sdk: Sdk, signal: str, explicit: Any, endpoint: str) -> None:
    provider = _registration_provider(
        explicit if explicit is not None else _global_provider(signal)
    )
    if any(s == signal and p is provider for s, p in _configured):
        return
    if explicit is None and unconfigured(provider):
        installed = sdk.install_global(signal, endpoint)
        current = _global_provider(signal)
        if current is installed:
            _configured.append((signal, installed))
            _owned.append(installed)
            return
        # someone else installed a global provider meanwhile: use theirs
        installed.shutdown()
        provider = _registration_provider(current)
    register = sdk.register_method(signal, provider)
    if register is None:
        kind = {"TRACES": "tracer", "METRICS": "meter", "LOGS": "logger"}[signal]
        raise FastAPIError(
            f"The configured OpenTelemetry {kind} provider ({type(provider).__name__}) does not "
            "support adding an OTLP exporter. Set up export through that provider and "
            f"{_DISABLE}."
        )
    component = sdk.component(signal, endpoint)
    try:
        register(component)
    except Exception:
        component.shutdown()
        raise
    _configured.append((signal, provider))
    _owned.append(component)


def _registration_provider(provider: Any) -> Any:
    """Where to register: older Logfire meter wrappers hold the SDK provider inside."""
    cls = type(provider)
    if (
        cls.__module__ == "logfire._internal.metrics"
        and cls.__name__ == "ProxyMeterProvider"
        and not hasattr(provider, "add_metric_reader")
    ):
        return provider.provider
    return provider


_ENDED = frozenset(
    {"lifespan.shutdown.complete", "lifespan.shutdown.failed", "lifespan.startup.failed"}
)


async def lifespan(
    *, config: TelemetryConfig, app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run the app's lifespan: configure export at start-up, flush it before shut-down ends."""

    async def on_receive() -> Message:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                _configure_from_environment(config)
            except Exception as exc:
                logger.warning("FastAPI automatic telemetry configuration failed: %s", exc)
        return message

    async def on_send(message: Message) -> None:
        if message["type"] in _ENDED and _owned:
            await run_sync(_flush)
        await send(message)

    await app(scope, on_receive, on_send)
