"""Resolve ``telemetry=``: defaults, the environment, validation, and whether it can run at all.

The decision that the application has telemetry is taken once, when it
builds its middleware stack: with no provider configured (and no
``auto_configure``), the stack and the route plans carry no telemetry step.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import Any, cast

from veloxapi.exceptions import FastAPIError
from veloxapi.telemetry._api import TelemetryConfig

MISSING_EXTRA = (
    'OpenTelemetry is not installed. Install it with: pip install "veloxapi[otel]" '
    "(or remove telemetry= from the application)."
)
_FLAGS = ("tracing", "metrics", "logs", "operation_spans", "auto_configure")
_PROVIDERS = ("tracer_provider", "meter_provider", "logger_provider")
_KEYS = frozenset((*_FLAGS, *_PROVIDERS, "exclude"))


def otel_installed() -> bool:
    """Whether the OpenTelemetry API can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("opentelemetry.trace") is not None
    except (ImportError, ValueError):  # no "opentelemetry" package, or an import blocked
        return False


def resolve_config(telemetry: Mapping[str, Any] | None) -> TelemetryConfig:
    """``telemetry`` over the defaults; every problem reported in one ``FastAPIError``."""
    config: dict[str, Any] = {
        "tracer_provider": None,
        "meter_provider": None,
        "logger_provider": None,
        "tracing": True,
        "metrics": True,
        "logs": True,
        "operation_spans": True,
        "auto_configure": os.getenv("FASTAPI_OTEL_AUTO_CONFIGURE", "").lower() == "true",
        "exclude": None,
    }
    if telemetry is not None:
        problems = _problems(telemetry)
        if problems:
            raise FastAPIError(
                "Invalid telemetry= settings of the application:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )
        config.update(telemetry)
        if any(config[flag] for flag in ("tracing", "metrics", "logs")) and not otel_installed():
            raise FastAPIError(MISSING_EXTRA)
    return cast(TelemetryConfig, config)


def _problems(telemetry: Mapping[str, Any]) -> list[str]:
    if not isinstance(telemetry, Mapping):
        return [f"telemetry must be a dict of settings, got {telemetry!r}"]
    problems = [
        f"unknown key {key!r}; the keys are {', '.join(sorted(_KEYS))}"
        for key in telemetry
        if key not in _KEYS
    ]
    for flag in _FLAGS:
        if flag in telemetry and not isinstance(telemetry[flag], bool):
            problems.append(f"{flag!r} must be True or False, got {telemetry[flag]!r}")
    exclude = telemetry.get("exclude")
    if exclude is not None and not callable(exclude):
        problems.append(
            f"'exclude' must be a function of the ASGI scope returning a bool, got {exclude!r}"
        )
    return problems
