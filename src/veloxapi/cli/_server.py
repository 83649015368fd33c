"""Starting uvicorn with the settings ``velox dev`` / ``velox run`` collected.

Granian and Hypercorn were measured against uvicorn for veloxapi apps
(``benchmarks/servers/``): neither is faster for both GET and POST requests,
so uvicorn is the one server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import click

from veloxapi.cli import CLI_EXTRA_HINT


@dataclass(frozen=True)
class ServerSettings:
    """Server-independent settings; each server adapter maps what it supports."""

    host: str
    port: int
    log_config: dict[str, Any]
    log_level: str
    root_path: str = ""
    proxy_headers: bool = True
    forwarded_allow_ips: str | None = None
    http: str = "auto"
    workers: int = 1
    reload: bool = False
    reload_dirs: list[str] = field(default_factory=list)
    timeout_graceful_shutdown: int | None = None
    timeout_keep_alive: int = 5
    header_timeout: float = 10.0
    limit_concurrency: int | None = None
    backlog: int = 2048
    limit_max_requests: int | None = None
    access_log: bool = True

    @property
    def display_host(self) -> str:
        return "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host


def serve(import_string: str, settings: ServerSettings) -> None:
    """Run uvicorn on the app factory at ``import_string`` until it is stopped."""
    try:
        import uvicorn

        from veloxapi.cli._protocols import HEADER_TIMEOUT_ENV, HTTP_PROTOCOLS
    except ImportError as exc:
        raise click.ClickException(f"Serving needs uvicorn: {CLI_EXTRA_HINT}") from exc
    os.environ[HEADER_TIMEOUT_ENV] = str(settings.header_timeout)  # inherited by workers
    if settings.http not in HTTP_PROTOCOLS:
        raise click.ClickException(f"--http {settings.http} needs httptools: {CLI_EXTRA_HINT}")
    uvicorn.run(
        import_string,
        factory=True,
        host=settings.host,
        port=settings.port,
        http=HTTP_PROTOCOLS[settings.http],
        workers=settings.workers,
        reload=settings.reload,
        reload_dirs=settings.reload_dirs or None,
        root_path=settings.root_path,
        proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.timeout_graceful_shutdown,
        timeout_keep_alive=settings.timeout_keep_alive,
        limit_concurrency=settings.limit_concurrency,
        limit_max_requests=settings.limit_max_requests,
        backlog=settings.backlog,
        log_config=settings.log_config,
        log_level=settings.log_level,
        access_log=settings.access_log,
    )


__all__ = ["ServerSettings", "serve"]
