"""``velox dev`` and ``velox run``: serve an application with uvicorn.

``dev`` reloads on code changes and logs readable lines on 127.0.0.1.
``run`` is for production: all interfaces, several workers, proxy headers,
graceful shutdown, JSON logs and hardened connection handling (see
``docs/deployment.md``): a deadline for request headers (slowloris), a bound
on concurrent connections, a short keep-alive.
"""

from __future__ import annotations

import os
from typing import Any

import click

from veloxapi.cli._app_options import app_arguments, load
from veloxapi.cli._discovery import AppTarget
from veloxapi.cli._loader import LOADER, export_target
from veloxapi.cli._logconfig import LogFormat, log_config
from veloxapi.cli._server import ServerSettings, serve

DEV_LOG_FORMAT_ENV = "VELOX_LOGGING_FORMAT"
_LEVELS = click.Choice(["critical", "error", "warning", "info", "debug", "trace"])


def _announce(target: AppTarget, settings: ServerSettings, mode: str) -> None:
    url = f"http://{settings.display_host}:{settings.port}{settings.root_path}"
    click.secho(f"velox {mode}: serving {target.describe()} from {target.app_dir}", err=True)
    click.secho(f"  {url}  (docs: {url}/docs)", err=True, fg="cyan")


def _start(path: str | None, app_name: str | None, compat: bool) -> AppTarget:
    _, target = load(path, app_name, compat)
    export_target(target, compat=compat)
    return target


def common_server_options(command: Any) -> Any:
    """Options both ``dev`` and ``run`` take."""
    options = (
        click.option(
            "--root-path",
            default="",
            envvar="VELOX_ROOT_PATH",
            show_envvar=True,
            help="Path prefix the proxy strips, e.g. /api (sets the ASGI root_path).",
        ),
        click.option(
            "--proxy-headers/--no-proxy-headers",
            default=True,
            show_default=True,
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips.",
        ),
        click.option(
            "--forwarded-allow-ips",
            envvar="VELOX_FORWARDED_ALLOW_IPS",
            show_envvar=True,
            metavar="IPS",
            help="Comma-separated proxy addresses (or '*') whose headers are trusted "
            "[default: 127.0.0.1].",
        ),
        click.option(
            "--header-timeout",
            type=click.FloatRange(min=0),
            default=10.0,
            show_default=True,
            help="Seconds a client has to send complete request headers (0: no limit).",
        ),
        click.option("--log-level", type=_LEVELS, default="info", show_default=True),
        click.option(
            "--http",
            "http_impl",
            type=click.Choice(["auto", "httptools", "h11"]),
            default="auto",
            show_default=True,
            help="uvicorn's HTTP/1.1 parser.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@click.command()
@app_arguments
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--reload/--no-reload",
    default=True,
    show_default=True,
    help="Restart when a watched file changes.",
)
@click.option(
    "--reload-dir",
    "reload_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Directory to watch (repeatable) [default: the app's top directory].",
)
@common_server_options
def dev(
    path: str | None,
    app_name: str | None,
    compat: bool,
    host: str,
    port: int,
    reload: bool,
    reload_dirs: tuple[str, ...],
    root_path: str,
    proxy_headers: bool,
    forwarded_allow_ips: str | None,
    header_timeout: float,
    log_level: str,
    http_impl: str,
) -> None:
    """Serve the app for development: auto-reload, readable logs, localhost only.

    The logging battery, if the app turns it on, writes text lines unless
    VELOX_LOGGING_FORMAT says otherwise.
    """
    os.environ.setdefault(DEV_LOG_FORMAT_ENV, "text")  # before the app is imported
    target = _start(path, app_name, compat)
    settings = ServerSettings(
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        http=http_impl,
        header_timeout=header_timeout,
        log_config=log_config("text", log_level, access_log=True),
        log_level=log_level,
        reload=reload,
        reload_dirs=list(reload_dirs) or [target.app_dir],
    )
    _announce(target, settings, "dev")
    serve(LOADER, settings)


@click.command()
@app_arguments
@click.option("--host", default="0.0.0.0", show_default=True, envvar="VELOX_HOST", show_envvar=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    envvar="VELOX_PORT",
    show_envvar=True,
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    envvar="VELOX_WORKERS",
    show_envvar=True,
    help="Worker processes.",
)
@common_server_options
@click.option(
    "--timeout-graceful-shutdown",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    envvar="VELOX_GRACEFUL_TIMEOUT",
    show_envvar=True,
    help="Seconds in-flight requests get to finish after SIGTERM.",
)
@click.option(
    "--timeout-keep-alive",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--limit-concurrency",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Per worker: connections plus requests in progress before new requests "
    "get 503 (0: no limit).",
)
@click.option(
    "--backlog",
    type=click.IntRange(min=1),
    default=2048,
    show_default=True,
    help="Connections the kernel queues before accepting.",
)
@click.option(
    "--limit-max-requests",
    type=click.IntRange(min=1),
    default=None,
    help="Restart a worker after this many requests.",
)
@click.option(
    "--log-format", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def run(
    path: str | None,
    app_name: str | None,
    compat: bool,
    host: str,
    port: int,
    workers: int,
    root_path: str,
    proxy_headers: bool,
    forwarded_allow_ips: str | None,
    header_timeout: float,
    log_level: str,
    http_impl: str,
    timeout_graceful_shutdown: int,
    timeout_keep_alive: int,
    limit_concurrency: int,
    backlog: int,
    limit_max_requests: int | None,
    log_format: LogFormat,
    access_log: bool,
) -> None:
    """Serve the app in production: workers, proxy headers, JSON logs, hardened limits."""
    target = _start(path, app_name, compat)
    settings = ServerSettings(
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        http=http_impl,
        log_config=log_config(log_format, log_level, access_log),
        log_level=log_level,
        workers=workers,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        timeout_keep_alive=timeout_keep_alive,
        header_timeout=header_timeout,
        limit_concurrency=limit_concurrency or None,
        backlog=backlog,
        limit_max_requests=limit_max_requests,
        access_log=access_log,
    )
    _announce(target, settings, "run")
    serve(LOADER, settings)


__all__ = ["dev", "run"]
