"""Which providers a request reports to, and the tracer and instruments made from them.

A provider given in ``telemetry=`` is used as is; otherwise the global one,
unless it is still OpenTelemetry's placeholder (nothing configured it) or a
no-op provider. The global providers are looked up per request, so a
provider installed or replaced later is followed.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import _logs, metrics, trace
from opentelemetry.metrics import Histogram, UpDownCounter

from veloxapi._version import __version__
from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._attributes import SCHEMA_URL

SCOPE_NAME = "fastapi"  # the instrumentation scope FastAPI reports under; dashboards filter on it
_DURATION_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)
# OpenTelemetry's placeholders for "no provider set yet" (it has no public query for that).
_PLACEHOLDERS = frozenset(
    {
        ("opentelemetry.trace", "ProxyTracerProvider"),
        ("opentelemetry.metrics._internal", "_ProxyMeterProvider"),
        ("opentelemetry._logs._internal", "ProxyLoggerProvider"),
    }
)
_NO_OPS = (trace.NoOpTracerProvider, metrics.NoOpMeterProvider, _logs.NoOpLoggerProvider)


def unconfigured(provider: Any) -> bool:
    cls = type(provider)
    return (cls.__module__, cls.__name__) in _PLACEHOLDERS


def usable(explicit: Any, provider: Any) -> bool:
    """Whether ``provider`` (``explicit`` or the global one) records anything."""
    if explicit is None and unconfigured(provider):
        return False
    return not isinstance(provider, _NO_OPS)


def any_signal_configured(config: TelemetryConfig) -> bool:
    """Whether some enabled signal has a provider now (or auto_configure may give it one)."""
    if config["auto_configure"]:
        return True
    return (
        (config["tracing"] and usable(config["tracer_provider"], _tracer_provider(config)))
        or (config["metrics"] and usable(config["meter_provider"], _meter_provider(config)))
        or (config["logs"] and usable(config["logger_provider"], _logger_provider(config)))
    )


def _tracer_provider(config: TelemetryConfig) -> trace.TracerProvider:
    return config["tracer_provider"] or trace.get_tracer_provider()


def _meter_provider(config: TelemetryConfig) -> metrics.MeterProvider:
    return config["meter_provider"] or metrics.get_meter_provider()


def _logger_provider(config: TelemetryConfig) -> _logs.LoggerProvider:
    return config["logger_provider"] or _logs.get_logger_provider()


class Providers:
    """The application's tracer, instruments and logger, remade when a provider changes."""

    def __init__(self, config: TelemetryConfig) -> None:
        self.config = config
        self._tracer_source: Any = None
        self._tracer: trace.Tracer | None = None
        self._meter_source: Any = None
        self._instruments: tuple[Histogram, UpDownCounter] | None = None

    def tracer(self) -> trace.Tracer | None:
        provider = _tracer_provider(self.config)
        if not usable(self.config["tracer_provider"], provider):
            return None
        if provider is not self._tracer_source:
            self._tracer = provider.get_tracer(SCOPE_NAME, __version__, schema_url=SCHEMA_URL)
            self._tracer_source = provider
        return self._tracer

    def instruments(self) -> tuple[Histogram, UpDownCounter] | None:
        provider = _meter_provider(self.config)
        if not usable(self.config["meter_provider"], provider):
            return None
        if provider is not self._meter_source:
            meter = provider.get_meter(SCOPE_NAME, __version__, schema_url=SCHEMA_URL)
            duration = meter.create_histogram(
                "http.server.request.duration",
                unit="s",
                description="Duration of HTTP server requests.",
                explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
            )
            active = meter.create_up_down_counter(
                "http.server.active_requests",
                unit="{request}",
                description="Number of active HTTP server requests.",
            )
            self._instruments = (duration, active)
            self._meter_source = provider
        return self._instruments

    def logger(self) -> _logs.Logger | None:
        provider = _logger_provider(self.config)
        if not usable(self.config["logger_provider"], provider):
            return None
        return _logs.get_logger(
            SCOPE_NAME, __version__, self.config["logger_provider"], schema_url=SCHEMA_URL
        )
