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


class GlobalsWatch:
    """Tells cheaply whether a global provider may have been set since the last look.

    OpenTelemetry has no public hook for that, and asking for the three global
    providers costs microseconds; reading the variables its setters assign costs
    three attribute reads. Should those private names disappear, every look
    answers "maybe" and the caller asks the public functions.
    """

    def __init__(self) -> None:
        from opentelemetry._logs import _internal as logs_internal
        from opentelemetry.metrics import _internal as metrics_internal

        modules: tuple[Any, Any, Any] = (trace, metrics_internal, logs_internal)
        names = ("_TRACER_PROVIDER", "_METER_PROVIDER", "_LOGGER_PROVIDER")
        known = all(hasattr(module, name) for module, name in zip(modules, names, strict=True))
        self._modules = modules if known else None
        self._seen = self._values()

    def _values(self) -> tuple[Any, Any, Any]:
        if self._modules is None:
            return (None, None, None)
        tracing, metering, logging = self._modules
        return tracing._TRACER_PROVIDER, metering._METER_PROVIDER, logging._LOGGER_PROVIDER

    def changed(self) -> bool:
        # PERF: runs per request while dormant: three reads and a comparison
        if self._modules is None:
            return True
        tracing, metering, logging = self._modules
        seen = self._seen
        if (
            tracing._TRACER_PROVIDER is seen[0]
            and metering._METER_PROVIDER is seen[1]
            and logging._LOGGER_PROVIDER is seen[2]
        ):
            return False
        self._seen = self._values()
        return True


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
