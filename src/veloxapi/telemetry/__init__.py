"""FastAPI's native OpenTelemetry API: ``VeloxAPI(telemetry={...})``.

Importing this module never imports OpenTelemetry; the instrumentation
itself (``veloxapi.telemetry._*``) loads only when an application turns it
on. See ``docs/telemetry.md``.
"""

from veloxapi.telemetry._api import TelemetryConfig, TelemetryData
from veloxapi.telemetry._lookup import get_telemetry_data

__all__ = ["TelemetryConfig", "TelemetryData", "get_telemetry_data"]
