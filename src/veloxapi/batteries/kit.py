"""The battery registry: one entry per battery, from which every wiring is derived.

A :class:`Battery` names its settings class and its install function as
``"module:attribute"`` strings, so optional dependencies load only when the
battery is chosen. Every install function has one shape,
``install(app, settings) -> handle``: it adds what the battery needs to ``app``
(middleware, routes, state) and returns the object a user works with afterwards
(the readiness registry, the metrics, the response cache, the limiter, ...).
A battery whose settings can only be judged by building something (the auth
battery's issuers) names a ``check(settings) -> problems`` too, run with the
settings validation so every problem is reported before anything is installed.
:func:`~veloxapi.batteries.app.augment_app` and ``VeloxAPI(batteries=...)`` accept
exactly the registered names, in registry order.

A handle that keeps state in a server store may expose ``stores()`` returning
:class:`~veloxapi.batteries._stores.StoreRef` items: the health battery then
checks those stores for readiness by default.

Other packages add batteries with :func:`register`::

    register(Battery("db", "veloxapi.batteries.db:DatabaseSettings",
                     "veloxapi.batteries.db:install_database"))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic_settings import BaseSettings

Installer = Callable[[Any, Any], object]


def resolve(target: str) -> Any:
    """The object ``"package.module:attribute"`` names (imported on first use)."""
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class Battery:
    """One battery: its option name, settings class and install function."""

    name: str
    settings: str
    """``"module:SettingsClass"``: a pydantic-settings class reading ``VELOX_<NAME>_*``."""
    install: str
    """``"module:function"``: ``install(app, settings) -> handle``."""
    check: str | None = None
    """Optional ``"module:function"``: ``check(settings) -> list[str]``, problems found
    before anything is installed (beyond what the settings class validates)."""

    def settings_class(self) -> type[BaseSettings]:
        found: type[BaseSettings] = resolve(self.settings)
        return found

    def installer(self) -> Installer:
        found: Installer = resolve(self.install)
        return found

    def problems(self, settings: BaseSettings) -> list[str]:
        """What :attr:`check` finds wrong with ``settings`` (nothing without a check)."""
        if self.check is None:
            return []
        found: list[str] = resolve(self.check)(settings)
        return found


def _entry(
    name: str, module: str, settings: str, install: str, check: str | None = None
) -> Battery:
    where = f"veloxapi.batteries.{module}"
    checked = f"{where}:{check}" if check else None
    return Battery(name, f"{where}:{settings}", f"{where}:{install}", checked)


# Installed in this order. ``add_middleware`` wraps, so the first entry is the
# innermost layer: request id runs first on every request, then the access log
# and metrics (which see the final status of everything inside them), security
# and deprecation headers, CORS preflights, errors, rate limits, the cache. The
# database comes first so that health, installed last, can check it.
REGISTRY: dict[str, Battery] = {
    battery.name: battery
    for battery in (
        _entry("db", "db", "DatabaseSettings", "install_database"),
        _entry("cache", "cache", "CacheSettings", "install_cache"),
        _entry("rate_limit", "ratelimit", "RateLimitSettings", "install_rate_limit"),
        _entry("errors", "errors", "ErrorSettings", "install_errors"),
        _entry("cors", "cors", "CorsSettings", "install_cors"),
        _entry("deprecation", "deprecation", "DeprecationSettings", "install_deprecation"),
        _entry(
            "security_headers",
            "security_headers",
            "SecurityHeadersSettings",
            "install_security_headers",
        ),
        _entry("metrics", "metrics", "MetricsSettings", "install_metrics"),
        _entry("logging", "logging", "LoggingSettings", "install_logging"),
        _entry("request_id", "request_id", "RequestIdSettings", "install_request_id"),
        _entry("auth", "auth_battery", "AuthSettings", "install_auth", "check_auth"),
        _entry("offload", "offload", "OffloadSettings", "install_offload"),
        _entry("health", "health", "HealthSettings", "install_health"),
    )
}


def register(battery: Battery, *, before: str | None = None) -> None:
    """Add ``battery`` to the registry (last, or just before the entry ``before``).

    A name already registered is an error: a battery is defined once.
    """
    if battery.name in REGISTRY:
        raise ValueError(f"a battery named {battery.name!r} is already registered")
    if before is not None and before not in REGISTRY:
        raise ValueError(f"register(before={before!r}): no battery has that name")
    entries = list(REGISTRY.values())
    at = len(entries) if before is None else list(REGISTRY).index(before)
    entries.insert(at, battery)
    REGISTRY.clear()
    REGISTRY.update((entry.name, entry) for entry in entries)
