"""Health endpoints: liveness, readiness with checks, and the running version.

* ``GET /running`` answers ``{"running": true}`` while the process serves requests.
* ``GET /readyz`` runs every registered check concurrently, each with a
  timeout, and answers 200 when all pass or 503 listing the ones that failed.
* ``GET /version`` answers ``{"version": ...}`` from ``VELOX_HEALTH_VERSION``,
  else from the metadata of the installed distribution ``VELOX_HEALTH_PACKAGE``,
  else from the application's ``version`` attribute.

Built-in checks: the database battery's database (``VELOX_DB_URL``) when that
battery was installed first (``VELOX_HEALTH_DATABASE=false`` turns it off),
PostgreSQL through asyncpg (``pip install "veloxapi[postgres]"``) and Redis
through redis.asyncio (``pip install "veloxapi[redis]"``); any other check is a
callable, sync or async, that fails by raising or returning False.
DSNs are checked when the settings are built: ``postgresql+asyncpg://`` (the
SQLAlchemy form) is accepted and normalised, other schemes are refused.
Installed through ``augment_app``, readiness also checks every server store the
other chosen batteries use (:meth:`HealthChecks.add_store`), each store once.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse

from veloxapi.batteries._stores import StoreRef
from veloxapi.batteries.connections import check_redis_url, normalise_postgres_dsn
from veloxapi.batteries.settings import BatterySettings, ConfigurationError

logger = logging.getLogger("veloxapi.health")

CheckFunction = Callable[[], Awaitable[object]] | Callable[[], object]


class HealthSettings(BatterySettings):
    """``VELOX_HEALTH_*``: endpoint paths, check timeout, built-in checks, version."""

    model_config = SettingsConfigDict(env_prefix="VELOX_HEALTH_")

    liveness_path: str = Field(default="/running", pattern=r"^/\S*$")
    readiness_path: str = Field(default="/readyz", pattern=r"^/\S*$")
    version_path: str = Field(default="/version", pattern=r"^/\S*$")
    timeout: float = Field(default=2.0, gt=0, le=60)
    postgres_url: SecretStr | None = Field(default=None, min_length=1)
    redis_url: SecretStr | None = Field(default=None, min_length=1)
    database: bool = True
    check_stores: bool = True
    """Check the Redis/PostgreSQL stores the other batteries use (with ``augment_app``)."""
    version: str | None = None
    package: str | None = None

    @field_validator("postgres_url")
    @classmethod
    def _postgres_dsn(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        return SecretStr(normalise_postgres_dsn(value.get_secret_value()))

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_redis_url(value.get_secret_value())
        return value

    @field_validator("package")
    @classmethod
    def _installed(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                importlib.metadata.version(value)
            except importlib.metadata.PackageNotFoundError:
                raise ValueError(
                    "no installed distribution has this name; give the name you pip-installed"
                ) from None
        return value


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": True} if self.ok else {"ok": False, "error": self.error}


@dataclass(frozen=True)
class ReadinessReport:
    results: dict[str, CheckResult] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(result.ok for result in self.results.values())

    @property
    def failed(self) -> list[str]:
        return sorted(name for name, result in self.results.items() if not result.ok)

    def as_json(self) -> dict[str, Any]:
        checks = {name: result.as_json() for name, result in sorted(self.results.items())}
        return {"ready": self.ready, "failed": self.failed, "checks": checks}


def _is_async(function: Callable[..., object]) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 - async callable objects
    )


async def _call(check: CheckFunction) -> object:
    """Await an async check; run a sync one in a thread (awaiting what it may return)."""
    if _is_async(check):
        outcome = check()
    else:
        outcome = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
    return await outcome if inspect.isawaitable(outcome) else outcome


class HealthChecks:
    """Named readiness checks, run concurrently, each under its own timeout."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self._checks: dict[str, tuple[CheckFunction, float]] = {}
        self._stores: set[tuple[str, str]] = set()

    def add(self, name: str, check: CheckFunction, *, timeout: float | None = None) -> None:
        """Register ``check`` under ``name``; it fails by raising or returning False."""
        if name in self._checks:
            raise ConfigurationError([f"a readiness check named {name!r} is already registered"])
        if not callable(check):
            raise ConfigurationError([f"readiness check {name!r} must be callable, got {check!r}"])
        self._checks[name] = (check, self.timeout if timeout is None else timeout)

    def add_store(self, store: StoreRef) -> None:
        """Check ``store`` (``redis`` or ``postgres``) once, however many batteries use it.

        The check is named after the kind (``redis``), or ``redis-<battery>``
        when another store of that kind is checked already.
        """
        identity = (store.kind, store.url)
        if identity in self._stores:
            return
        makers = {"redis": redis_check, "postgres": postgres_check}
        if store.kind not in makers:
            raise ConfigurationError(
                [f"readiness cannot check a {store.kind!r} store; add a check with add()"]
            )
        name = store.kind if store.kind not in self._checks else f"{store.kind}-{store.battery}"
        self.add(name, makers[store.kind](store.url))
        self._stores.add(identity)

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    async def _run_one(self, name: str, check: CheckFunction, timeout: float) -> CheckResult:
        try:
            with anyio.fail_after(timeout):
                outcome = await _call(check)
        except TimeoutError:
            return CheckResult(False, f"timed out after {timeout}s")
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            return CheckResult(False, type(exc).__name__)
        if outcome is False:
            return CheckResult(False, "check reported failure")
        return CheckResult(True)

    async def run(self) -> ReadinessReport:
        results: dict[str, CheckResult] = {}

        async def run_into(name: str, check: CheckFunction, timeout: float) -> None:
            results[name] = await self._run_one(name, check, timeout)

        async with anyio.create_task_group() as group:
            for name, (check, timeout) in self._checks.items():
                group.start_soon(run_into, name, check, timeout)
        return ReadinessReport(results)


def postgres_check(dsn: str) -> CheckFunction:
    """A check that connects to PostgreSQL at ``dsn`` and runs ``SELECT 1``."""
    try:
        import asyncpg  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            'The PostgreSQL readiness check needs asyncpg: pip install "veloxapi[postgres]"'
        ) from exc

    async def check_postgres() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.fetchval("SELECT 1")
        finally:
            await connection.close()

    return check_postgres


def redis_check(url: str) -> CheckFunction:
    """A check that sends PING to the Redis server at ``url``."""
    try:
        from redis.asyncio import Redis
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            'The Redis readiness check needs redis: pip install "veloxapi[redis]"'
        ) from exc

    async def check_redis() -> None:
        client = Redis.from_url(url, socket_connect_timeout=5)
        try:
            await client.ping()
        finally:
            await client.aclose()

    return check_redis


def _version(app: Any, settings: HealthSettings) -> str:
    if settings.version:
        return settings.version
    if settings.package:
        return importlib.metadata.version(settings.package)
    app_version = getattr(app, "version", None)
    return app_version if isinstance(app_version, str) else "unknown"


def install_health(app: Any, settings: HealthSettings) -> HealthChecks:
    """Add the liveness, readiness and version routes; return the check registry."""
    checks = HealthChecks(settings.timeout)
    if settings.postgres_url is not None:
        checks.add_store(StoreRef("postgres", settings.postgres_url.get_secret_value(), "health"))
    if settings.redis_url is not None:
        checks.add_store(StoreRef("redis", settings.redis_url.get_secret_value(), "health"))
    database = getattr(app.state, "velox_database", None)  # the db battery, when installed
    if settings.database and database is not None:
        checks.add("database", database.check)
    version = _version(app, settings)

    async def running(request: Request) -> JSONResponse:
        return JSONResponse({"running": True})

    async def ready(request: Request) -> JSONResponse:
        report = await checks.run()
        return JSONResponse(
            report.as_json(),
            status_code=200 if report.ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    async def version_info(request: Request) -> JSONResponse:
        return JSONResponse({"version": version})

    for path, endpoint in (
        (settings.liveness_path, running),
        (settings.readiness_path, ready),
        (settings.version_path, version_info),
    ):
        app.add_route(path, endpoint, methods=["GET"], include_in_schema=False)
    return checks
