"""The OpenTelemetry SDK and OTLP exporter parts ``auto_configure`` builds with, loaded on use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import _logs, metrics, trace

from veloxapi.exceptions import FastAPIError


class Sdk:
    """Creates veloxapi's export components and providers for one signal at a time."""

    def __init__(self) -> None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self._components: dict[str, Callable[[str], Any]] = {
            "TRACES": lambda url: BatchSpanProcessor(OTLPSpanExporter(endpoint=url)),
            "METRICS": lambda url: PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=url)),
            "LOGS": lambda url: BatchLogRecordProcessor(OTLPLogExporter(endpoint=url)),
        }
        self._tracer_provider = TracerProvider
        self._meter_provider = MeterProvider
        self._logger_provider = LoggerProvider

    def component(self, signal: str, endpoint: str) -> Any:
        return self._components[signal](endpoint)

    def install_global(self, signal: str, endpoint: str) -> Any:
        """A new SDK provider exporting to ``endpoint``, set as the global one."""
        component = self.component(signal, endpoint)
        if signal == "TRACES":
            tracer_provider = self._tracer_provider(shutdown_on_exit=False)
            tracer_provider.add_span_processor(component)
            trace.set_tracer_provider(tracer_provider)
            return tracer_provider
        if signal == "METRICS":
            meter_provider = self._meter_provider(
                metric_readers=[component], shutdown_on_exit=False
            )
            metrics.set_meter_provider(meter_provider)
            return meter_provider
        logger_provider = self._logger_provider(shutdown_on_exit=False)
        logger_provider.add_log_record_processor(component)
        _logs.set_logger_provider(logger_provider)
        return logger_provider

    @staticmethod
    def register_method(signal: str, provider: Any) -> Callable[[Any], None] | None:
        """The provider's method adding an exporter component (vendor wrappers have them too)."""
        name = {
            "TRACES": "add_span_processor",
            "METRICS": "add_metric_reader",
            "LOGS": "add_log_record_processor",
        }[signal]
        method = getattr(provider, name, None)
        return method if callable(method) else None


def load_sdk() -> Sdk:
    try:
        return Sdk()
    except ImportError as exc:
        raise FastAPIError(
            "Automatic OpenTelemetry export needs the SDK and OTLP exporter: pip install "
            '"veloxapi[otel]" (the extra that takes the place of fastapi[opentelemetry]). '
            "Or configure providers yourself and pass "
            "telemetry={'auto_configure': False} to the application."
        ) from exc
