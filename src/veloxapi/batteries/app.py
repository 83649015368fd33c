"""``augment_app``: turn on the chosen batteries of an application with one call.

Each battery is given as ``True`` (settings read from the environment), a
settings instance, or ``False``/``None`` (off). All settings are validated
before anything is installed: if any battery is misconfigured, one
:class:`~veloxapi.batteries.settings.ConfigurationError` lists every problem of
every battery, by environment variable name, and the app is left untouched.

Middleware order (outermost first): request id, access log, metrics, security
headers, CORS, errors, rate limit, cache, then the app. So every log line of a
request carries its id, and metrics and the access log see the final status,
including CORS preflights, 429s and cached answers.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic_settings import BaseSettings

from veloxapi.batteries.settings import ConfigurationError, build_settings

if TYPE_CHECKING:
    from veloxapi.batteries.db import Database
    from veloxapi.batteries.health import HealthChecks
    from veloxapi.batteries.metrics import HTTPMetrics

BatteryOption = bool | BaseSettings | None


class BatterySpec(NamedTuple):
    """Where a battery lives: ``module:SettingsClass`` and ``module:install_function``."""

    settings: str
    install: str


# Installed in this order, innermost middleware first (``add_middleware`` wraps).
BATTERIES: dict[str, BatterySpec] = {
    "db": BatterySpec(
        "veloxapi.batteries.db:DatabaseSettings", "veloxapi.batteries.db:install_database"
    ),
    "cache": BatterySpec(
        "veloxapi.batteries.cache:CacheSettings", "veloxapi.batteries.cache:install_cache"
    ),
    "rate_limit": BatterySpec(
        "veloxapi.batteries.ratelimit:RateLimitSettings",
        "veloxapi.batteries.ratelimit:install_rate_limit",
    ),
    "errors": BatterySpec(
        "veloxapi.batteries.errors:ErrorSettings", "veloxapi.batteries.errors:install_errors"
    ),
    "cors": BatterySpec(
        "veloxapi.batteries.security_headers:CorsSettings",
        "veloxapi.batteries.security_headers:install_cors",
    ),
    "security_headers": BatterySpec(
        "veloxapi.batteries.security_headers:SecurityHeadersSettings",
        "veloxapi.batteries.security_headers:install_security_headers",
    ),
    "metrics": BatterySpec(
        "veloxapi.batteries.metrics:MetricsSettings", "veloxapi.batteries.metrics:install_metrics"
    ),
    "logging": BatterySpec(
        "veloxapi.batteries.logging:LoggingSettings", "veloxapi.batteries.logging:install_logging"
    ),
    "request_id": BatterySpec(
        "veloxapi.batteries.request_id:RequestIdSettings",
        "veloxapi.batteries.request_id:install_request_id",
    ),
    "health": BatterySpec(
        "veloxapi.batteries.health:HealthSettings", "veloxapi.batteries.health:install_health"
    ),
    "offload": BatterySpec(
        "veloxapi.batteries.offload:OffloadSettings",
        "veloxapi.batteries.offload:install_offload",
    ),
}


def _resolve(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass
class Batteries:
    """What :func:`augment_app` installed: each battery's settings and install result."""

    settings: dict[str, BaseSettings] = field(default_factory=dict)
    installed: dict[str, Any] = field(default_factory=dict)

    @property
    def health(self) -> HealthChecks | None:
        """The readiness check registry, to ``add()`` custom checks to."""
        return self.installed.get("health")

    @property
    def metrics(self) -> HTTPMetrics | None:
        return self.installed.get("metrics")

    @property
    def db(self) -> Database | None:
        """The database battery's engines and sessions."""
        return self.installed.get("db")


def _settings_for(name: str, option: BatteryOption) -> tuple[BaseSettings | None, list[str]]:
    settings_cls: type[BaseSettings] = _resolve(BATTERIES[name].settings)
    if option is True:
        return build_settings(settings_cls)
    if isinstance(option, settings_cls):
        return option, []
    expected = f"True, False, None or a {settings_cls.__name__} instance"
    return None, [f"augment_app({name}=...) expects {expected}, got {option!r}"]


def collect_settings(options: Mapping[str, BatteryOption]) -> dict[str, BaseSettings]:
    """Settings of every enabled battery, or one ConfigurationError with all problems."""
    chosen: dict[str, BaseSettings] = {}
    problems = [
        f"{name!r} is not a battery; choose from {', '.join(sorted(BATTERIES))}"
        for name in options
        if name not in BATTERIES
    ]
    for name, option in options.items():
        if name not in BATTERIES or option is None or option is False:
            continue
        settings, found = _settings_for(name, option)
        problems.extend(found)
        if settings is not None:
            chosen[name] = settings
    if problems:
        raise ConfigurationError(problems)
    return chosen


def install_batteries(app: Any, options: Mapping[str, BatteryOption]) -> Batteries:
    """:func:`augment_app` with the choices in a mapping (the constructor's ``batteries=``)."""
    chosen = collect_settings(options)
    result = Batteries(settings=chosen)
    for name, spec in BATTERIES.items():
        if name in chosen:
            result.installed[name] = _resolve(spec.install)(app, chosen[name])
    return result


def augment_app(
    app: Any,
    *,
    logging: BatteryOption = None,
    request_id: BatteryOption = None,
    metrics: BatteryOption = None,
    health: BatteryOption = None,
    security_headers: BatteryOption = None,
    cors: BatteryOption = None,
    errors: BatteryOption = None,
    rate_limit: BatteryOption = None,
    cache: BatteryOption = None,
    db: BatteryOption = None,
    offload: BatteryOption = None,
) -> Batteries:
    """Validate the chosen batteries' settings, then install them on ``app``."""
    options = {
        "logging": logging,
        "request_id": request_id,
        "metrics": metrics,
        "health": health,
        "security_headers": security_headers,
        "cors": cors,
        "errors": errors,
        "rate_limit": rate_limit,
        "cache": cache,
        "db": db,
        "offload": offload,
    }
    return install_batteries(app, options)
