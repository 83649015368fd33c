"""uvicorn ``log_config`` dictionaries for ``velox dev`` (readable) and ``velox run`` (JSON).

JSON lines use the logging battery's :class:`~veloxapi.batteries.logging.JsonFormatter`
with its request-id and redaction filters, so the server's own lines
(start-up, errors, access) look like the application's. The dictionary is
applied by uvicorn in every worker process.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Literal

import click

LogFormat = Literal["json", "text"]
_BATTERY = "veloxapi.batteries.logging"
_SERVER_LOGGERS = ("uvicorn", "veloxapi.server")  # and uvicorn.error, with a filter


def _require_logging_battery() -> None:
    if importlib.util.find_spec("pydantic_settings") is None:
        raise click.ClickException(
            "JSON logs use the logging battery, which needs pydantic-settings: "
            'pip install "veloxapi[cli]" (or choose --log-format text)'
        )


def log_config(log_format: LogFormat, level: str, access_log: bool) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: one stderr handler for server and access."""
    if log_format == "json":
        _require_logging_battery()
        formatter: dict[str, Any] = {"()": f"{_BATTERY}.JsonFormatter"}
    else:
        formatter = {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(asctime)s %(levelprefix)s %(name)s: %(message)s",
            "datefmt": "%H:%M:%S",
        }
    handler: dict[str, Any] = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "filters": {"client_faults": {"()": "veloxapi.cli._client_errors.ClientFaultFilter"}},
        "loggers": {
            **{
                name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
                for name in _SERVER_LOGGERS
            },
            "uvicorn.error": {
                "handlers": ["default"],
                "level": level.upper(),
                "propagate": False,
                "filters": ["client_faults"],
            },
            "uvicorn.access": {
                "handlers": ["default"] if access_log else [],
                "level": level.upper(),
                "propagate": False,
            },
        },
    }
    if log_format == "json":
        config["filters"] |= {
            "request_id": {"()": f"{_BATTERY}.RequestIdFilter"},
            "redact": {"()": f"{_BATTERY}.RedactingFilter"},
        }
        handler["filters"] = ["request_id", "redact"]
    return config


__all__ = ["LogFormat", "log_config"]
