"""Options shared by the commands that load an application (dev, run, routes, openapi)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from veloxapi.cli._discovery import AppNotFound, AppTarget, import_app, resolve_target

F = TypeVar("F", bound=Callable[..., Any])


def app_arguments(command: F) -> F:
    """``[PATH|module:app]``, ``--app NAME`` and ``--compat``."""
    decorators = (
        click.argument("path", required=False, metavar="[PATH|MODULE:APP]"),
        click.option("--app", "app_name", metavar="NAME", help="Name of the app variable."),
        click.option(
            "--compat",
            is_flag=True,
            help="Serve an unchanged FastAPI app: 'import fastapi' resolves to veloxapi.",
        ),
    )
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def load(path: str | None, app_name: str | None, compat: bool) -> tuple[Any, AppTarget]:
    """Import the app; a problem becomes a one-line error (the cause chained for --traceback)."""
    try:
        target = resolve_target(path, app_name)
        app, attribute = import_app(target, compat=compat)
    except AppNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    return app, AppTarget(module=target.module, attribute=attribute, app_dir=target.app_dir)


__all__ = ["app_arguments", "load"]
