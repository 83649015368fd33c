"""``augment_app``: turn on the chosen batteries of an application with one call.

Each battery is given as ``True`` (settings read from the environment), a
settings instance, or ``False``/``None`` (off); the names are those of the
battery registry (:mod:`veloxapi.batteries.kit`). All settings are validated
before anything is installed: if any battery is misconfigured, one
:class:`~veloxapi.batteries.settings.ConfigurationError` lists every problem of
every battery, by environment variable name, and the app is left untouched.

Batteries are installed in registry order (see ``kit.REGISTRY`` for the
middleware order and why). With the health battery on, the readiness check
also covers every server store the other chosen batteries use (Redis for the
cache and rate limits ...), unless ``VELOX_HEALTH_CHECK_STORES=false``, and
the OpenAPI document shows what the batteries answer (:mod:`veloxapi.batteries.documentation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic_settings import BaseSettings

from veloxapi.batteries.documentation import document_batteries
from veloxapi.batteries.kit import REGISTRY, Battery
from veloxapi.batteries.settings import ConfigurationError, build_settings

if TYPE_CHECKING:
    from veloxapi.batteries.db import Database
    from veloxapi.batteries.health import HealthChecks
    from veloxapi.batteries.metrics import HTTPMetrics

BatteryOption = bool | BaseSettings | None


@dataclass
class Batteries:
    """What was installed: each battery's settings and the handle its install returned."""

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


def _settings_for(battery: Battery, option: BatteryOption) -> tuple[BaseSettings | None, list[str]]:
    settings_cls = battery.settings_class()
    if option is True:
        return build_settings(settings_cls)
    if isinstance(option, settings_cls):
        return option, []
    expected = f"True, False, None or a {settings_cls.__name__} instance"
    return None, [f"augment_app({battery.name}=...) expects {expected}, got {option!r}"]


def collect_settings(options: Mapping[str, BatteryOption]) -> dict[str, BaseSettings]:
    """Settings of every enabled battery, or one ConfigurationError with all problems."""
    chosen: dict[str, BaseSettings] = {}
    problems = [
        f"{name!r} is not a battery; choose from {', '.join(sorted(REGISTRY))}"
        for name in options
        if name not in REGISTRY
    ]
    for name, option in options.items():
        if name not in REGISTRY or option is None or option is False:
            continue
        settings, found = _settings_for(REGISTRY[name], option)
        problems.extend(found)
        if settings is not None:
            problems.extend(REGISTRY[name].problems(settings))
            chosen[name] = settings
    if problems:
        raise ConfigurationError(problems)
    return chosen


def _check_stores(result: Batteries) -> None:
    """Give the health battery's readiness the stores the other batteries use."""
    health = result.installed.get("health")
    if health is None or not getattr(result.settings["health"], "check_stores", True):
        return
    for name, handle in result.installed.items():
        stores = getattr(handle, "stores", None)
        if name != "health" and callable(stores):
            for store in stores():
                health.add_store(store)


def install_batteries(app: Any, options: Mapping[str, BatteryOption]) -> Batteries:
    """:func:`augment_app` with the choices in a mapping (the constructor's ``batteries=``)."""
    chosen = collect_settings(options)
    result = Batteries(settings=chosen)
    for name, battery in REGISTRY.items():
        if name in chosen:
            result.installed[name] = battery.installer()(app, chosen[name])
    _check_stores(result)
    if result.installed:
        document_batteries(app)
    return result


def augment_app(app: Any, **batteries: BatteryOption) -> Batteries:
    """Validate the chosen batteries' settings, then install them on ``app``.

    Keyword names are the registered batteries (``logging``, ``request_id``,
    ``metrics``, ``health``, ``security_headers``, ``cors``, ``deprecation``,
    ``errors``, ``rate_limit``, ``cache``, ``auth`` and any added with
    :func:`veloxapi.batteries.kit.register`).
    """
    return install_batteries(app, batteries)
