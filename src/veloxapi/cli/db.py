"""``velox db``: create, apply, revert and inspect database migrations (Alembic).

The database is ``VELOX_DB_URL``; the models' metadata ``--metadata`` or
``VELOX_DB_METADATA`` (``package.module:metadata``, imported from the current
directory); the scripts ``--directory`` or ``VELOX_DB_MIGRATIONS``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

import click

from veloxapi.batteries.db import migrations
from veloxapi.batteries.settings import ConfigurationError

T = TypeVar("T")
_OPTIONS = "veloxapi.db.options"


def _config(context: click.Context) -> migrations.MigrationConfig:
    """The migration settings: ``VELOX_DB_*`` overridden by the group's options."""
    metadata, directory = context.meta.get(_OPTIONS, (None, None))
    return _run(
        lambda: migrations.MigrationConfig.from_settings(
            metadata=metadata, script_location=directory
        )
    )


def _run(action: Callable[[], T]) -> T:
    """Run ``action``, turning a configuration problem into a clean command-line error."""
    try:
        return action()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("db")
@click.option(
    "--metadata",
    metavar="PACKAGE.MODULE:NAME",
    help="The models' MetaData (default: VELOX_DB_METADATA).",
)
@click.option(
    "--directory",
    type=click.Path(file_okay=False),
    help="The migration scripts (default: VELOX_DB_MIGRATIONS, else ./migrations).",
)
@click.pass_context
def db(context: click.Context, metadata: str | None, directory: str | None) -> None:
    """Database migrations of the application (Alembic)."""
    context.meta[_OPTIONS] = (metadata, directory)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # so that --metadata finds the project's modules


@db.command()
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option(
    "--autogenerate/--empty",
    default=True,
    show_default=True,
    help="Compare the database with the metadata, or write an empty revision.",
)
@click.pass_context
def revision(context: click.Context, message: str, autogenerate: bool) -> None:
    """Write a new migration script."""
    config = _config(context)
    written = _run(lambda: migrations.revision(config, message, autogenerate=autogenerate))
    click.echo(f"Created revision {written} in {config.script_location}")


@db.command()
@click.argument("rev", default="head")
@click.pass_context
def upgrade(context: click.Context, rev: str) -> None:
    """Apply migrations up to REV (default: head)."""
    config = _config(context)
    _run(lambda: migrations.upgrade(config, rev))
    click.echo(f"Database at {_describe(_run(lambda: migrations.current(config)))}")


@db.command()
@click.argument("rev")
@click.pass_context
def downgrade(context: click.Context, rev: str) -> None:
    """Revert migrations down to REV (a revision id, -1, or base)."""
    config = _config(context)
    _run(lambda: migrations.downgrade(config, rev))
    click.echo(f"Database at {_describe(_run(lambda: migrations.current(config)))}")


@db.command()
@click.pass_context
def current(context: click.Context) -> None:
    """Show the revision the database is at."""
    config = _config(context)
    click.echo(_describe(_run(lambda: migrations.current(config))))


def _describe(heads: tuple[str, ...]) -> str:
    return ", ".join(heads) if heads else "base (no migration applied)"
