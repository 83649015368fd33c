"""Alembic migrations wired to the application's metadata and ``VELOX_DB_*`` settings.

::

    config = MigrationConfig.from_settings(metadata="app.models:metadata")
    revision(config, "add notes")       # writes migrations/versions/<id>_add_notes.py
    upgrade(config)                     # to "head"
    downgrade(config, "-1")
    current(config)                     # the revisions the database is at

The migration scripts live in ``script_location`` (``VELOX_DB_MIGRATIONS``,
default ``migrations``), created on the first :func:`revision` from veloxapi's
template: an ``env.py`` that runs migrations over the asyncio engine, with
batch mode on SQLite so that columns can be altered there too. The functions
are synchronous (Alembic runs its own event loop); from async code, call them
in a thread (``await anyio.to_thread.run_sync(upgrade, config)``).
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script
from pydantic import SecretStr
from sqlalchemy import MetaData
from sqlalchemy.types import TypeDecorator

from veloxapi.batteries.db.engine import create_async_database_engine
from veloxapi.batteries.db.settings import DatabaseSettings
from veloxapi.batteries.settings import ConfigurationError, load_settings

TEMPLATE = Path(__file__).with_name("alembic_template")
_ATTRIBUTE = "velox_migrations"


@dataclass(frozen=True)
class MigrationConfig:
    """Where the metadata, the database and the migration scripts are."""

    metadata: str | MetaData | None = None
    settings: DatabaseSettings = field(default_factory=DatabaseSettings)
    script_location: Path = Path("migrations")

    @classmethod
    def from_settings(
        cls,
        settings: DatabaseSettings | None = None,
        *,
        metadata: str | MetaData | None = None,
        script_location: str | Path | None = None,
        url: str | None = None,
    ) -> MigrationConfig:
        """``VELOX_DB_*`` settings, overridden by the arguments given."""
        if settings is None:
            overrides = {"url": SecretStr(url)} if url is not None else {}
            settings = load_settings(DatabaseSettings, **overrides)
        return cls(
            metadata=metadata if metadata is not None else settings.metadata,
            settings=settings,
            script_location=Path(script_location or settings.migrations),
        )

    def target_metadata(self) -> MetaData | None:
        """The metadata to compare the database with (imported from ``pkg.module:name``)."""
        if self.metadata is None or isinstance(self.metadata, MetaData):
            return self.metadata
        return load_metadata(self.metadata)


def load_metadata(target: str) -> MetaData:
    """Import ``pkg.module:name`` (``name`` may be dotted, e.g. ``Base.metadata``)."""
    module_name, _, attribute = target.partition(":")
    problem = f"the metadata {target!r} (--metadata / VELOX_DB_METADATA)"
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            [f"{problem} cannot be loaded: {exc}; give it as package.module:metadata"]
        ) from exc
    if not isinstance(found, MetaData):
        raise ConfigurationError(
            [f"{problem} is a {type(found).__name__}, not an SQLAlchemy MetaData"]
        )
    return found


def migration_target(config: Config) -> MigrationConfig:
    """The :class:`MigrationConfig` an ``env.py`` runs with (from ``VELOX_DB_*`` by default)."""
    given = config.attributes.get(_ATTRIBUTE)
    return given if isinstance(given, MigrationConfig) else MigrationConfig.from_settings()


def render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate hook: veloxapi's column types are written as the SQLAlchemy type under them.

    Migrations then depend on nothing but SQLAlchemy (``UTCDateTime`` becomes
    ``sa.DateTime(timezone=True)``, which is what the database holds).
    """
    ours = isinstance(item, TypeDecorator) and type(item).__module__.startswith("veloxapi.")
    if kind == "type" and ours:
        return f"sa.{item.impl_instance!r}"
    return False


def init(config: MigrationConfig) -> bool:
    """Create the script directory from veloxapi's template; False if it already exists."""
    location = config.script_location
    if (location / "env.py").exists():
        return False
    if location.exists() and any(location.iterdir()):
        raise ConfigurationError(
            [f"{location} exists but has no env.py; point VELOX_DB_MIGRATIONS elsewhere"]
        )
    shutil.copytree(TEMPLATE, location, dirs_exist_ok=True, ignore=_not_template)
    (location / "versions").mkdir(exist_ok=True)
    return True


def _not_template(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__"]


def alembic_config(config: MigrationConfig) -> Config:
    """An Alembic :class:`Config` (no ``alembic.ini``) carrying ``config`` to ``env.py``."""
    alembic = Config()
    alembic.set_main_option("script_location", str(config.script_location))
    alembic.attributes[_ATTRIBUTE] = config
    return alembic


def _require_scripts(config: MigrationConfig) -> None:
    if not (config.script_location / "env.py").exists():
        raise ConfigurationError(
            [f"no migrations in {config.script_location}: create one with `velox db revision`"]
        )


def revision(config: MigrationConfig, message: str, *, autogenerate: bool = True) -> str:
    """Write a new revision (compared with the metadata when ``autogenerate``); its id."""
    if autogenerate and config.target_metadata() is None:
        raise ConfigurationError(
            [
                "autogenerate compares the database with your models' metadata: give it with "
                "--metadata package.module:metadata or VELOX_DB_METADATA (or write an empty one)"
            ]
        )
    init(config)
    written = command.revision(alembic_config(config), message=message, autogenerate=autogenerate)
    scripts = written if isinstance(written, list) else [written]
    return ", ".join(script.revision for script in scripts if isinstance(script, Script))


def upgrade(config: MigrationConfig, rev: str = "head") -> None:
    """Apply migrations up to ``rev`` (default: the newest)."""
    _require_scripts(config)
    command.upgrade(alembic_config(config), rev)


def downgrade(config: MigrationConfig, rev: str) -> None:
    """Revert migrations down to ``rev`` (a revision id, ``-1``, or ``base``)."""
    _require_scripts(config)
    command.downgrade(alembic_config(config), rev)


def current(config: MigrationConfig) -> tuple[str, ...]:
    """The revisions the database is at (empty before the first upgrade)."""
    return asyncio.run(_current_heads(config.settings))


async def _current_heads(settings: DatabaseSettings) -> tuple[str, ...]:
    engine = create_async_database_engine(settings, pooled=False)
    try:
        async with engine.connect() as connection:
            heads = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_heads()
            )
    finally:
        await engine.dispose()
    return tuple(heads)
