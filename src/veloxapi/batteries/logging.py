"""Logging: JSON lines or plain text through the standard ``logging`` module.

* :class:`JsonFormatter` / :class:`TextFormatter` render records; JSON lines
  carry the time, level, logger, message, request id and any ``extra=`` fields.
* :class:`RequestIdFilter` stamps every record with the current request id
  (see :mod:`veloxapi.batteries.request_id`).
* :class:`RedactingFilter` replaces secrets: Authorization, cookies, API keys,
  passwords, tokens and any configured field, in ``extra=`` fields and message
  arguments (also nested in dicts, header lists and ASGI ``(b"name", b"value")``
  pairs), in ``key=value`` / ``key: value`` text and in Python reprs
  (``{'authorization': '...'}``, ``(b'cookie', b'...')``) inside messages.
* :class:`AccessLogMiddleware` writes one line per request on the
  ``veloxapi.access`` logger: method, route template, status, latency,
  response size and client.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.batteries._asgi import SendWatcher, route_template
from veloxapi.batteries._request_ids import get_request_id
from veloxapi.batteries.access_line import FastLines
from veloxapi.batteries.settings import BatterySettings, CsvList

ACCESS_LOGGER = "veloxapi.access"
REDACTED = "[REDACTED]"
DEFAULT_REDACTED_FIELDS = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "api_key",
    "apikey",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}
_HANDLER_NAME = "veloxapi"
_INFO = logging.INFO


class LoggingSettings(BatterySettings):
    """``VELOX_LOGGING_*``: level, format, access log and extra fields to redact."""

    model_config = SettingsConfigDict(env_prefix="VELOX_LOGGING_")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    format: Literal["json", "text"] = "json"
    access_log: bool = True
    redact_fields: CsvList = ()

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_")


class RedactingFilter(logging.Filter):
    """Masks secret values on a record before any handler formats it.

    A name is secret when it is one of the fields or ends with one after ``_``
    or ``-`` (``db_password``, ``x-csrf-token``).
    """

    def __init__(self, fields: Iterable[str] = ()) -> None:
        super().__init__()
        self.fields = frozenset(_normalise(f) for f in (*DEFAULT_REDACTED_FIELDS, *fields))
        patterns = (re.escape(f).replace("_", "[-_]?") for f in self.fields)
        names = "|".join(sorted(patterns, key=len, reverse=True))
        value = r"[^\s\",;&]+(?:;\s*[^\s\",;&=]+=[^\s\",;&]*)*"  # a cookie list stays whole
        self._decided: dict[str, bool] = {}
        self._inline = re.compile(
            rf"(?i)\b((?:[\w-]*[-_])?(?:{names}))(\"?\s*[:=]\s*\"?)(bearer\s+|basic\s+)?({value})"
        )
        # a repr'd pair: 'name': 'value' (dict) or (b'name', b'value') (tuple), either quote
        self._quoted = re.compile(
            rf"""(?i)(b?(['"])(?:[\w-]*[-_])?(?:{names})\2\s*[:,]\s*b?)(['"])((?:\\.|(?!\3).)*)\3"""
        )

    def is_secret(self, name: str) -> bool:
        # PERF: benchmarks "batteries" column: record keys repeat, so decide each name once
        known = self._decided.get(name)
        if known is None:
            key = _normalise(name)
            known = key in self.fields or any(key.endswith(f"_{field}") for field in self.fields)
            if len(self._decided) < 4096:  # bounded: names come from code, not from clients
                self._decided[name] = known
        return known

    def redact_text(self, text: str) -> str:
        """``Authorization: Bearer abc`` becomes ``Authorization: Bearer [REDACTED]``;
        ``{'cookie': 'a=b'}`` becomes ``{'cookie': '[REDACTED]'}``."""
        text = self._quoted.sub(lambda m: f"{m[1]}{m[3]}{REDACTED}{m[3]}", text)
        return self._inline.sub(lambda m: f"{m[1]}{m[2]}{m[3] or ''}{REDACTED}", text)

    def redact_value(self, key: str, value: Any) -> Any:
        """``value`` with secrets masked, looking into dicts, lists and header pairs."""
        if self.is_secret(key):
            return REDACTED
        if isinstance(value, Mapping):
            return {k: self.redact_value(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._redact_item(key, item) for item in value]
        if isinstance(value, str):
            return self.redact_text(value)
        return value

    def _redact_item(self, key: str, item: Any) -> Any:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str | bytes):
            return (item[0], self.redact_value(_text(item[0]), item[1]))
        return self.redact_value(key, item)

    def redact_args(self, args: tuple[Any, ...] | Mapping[str, Any]) -> Any:
        """Message arguments with secrets masked before ``%`` formatting renders them."""
        if isinstance(args, Mapping):
            return self.redact_value("", args)
        return tuple(self._redact_item("", arg) for arg in args)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = self.redact_args(record.args)
        record.msg = self.redact_text(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRS:
                setattr(record, key, self.redact_value(key, value))
        return True


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = get_request_id()
        return True


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-JSON values are rendered with ``str()``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": get_request_id(),
        }
        entry.update(_extra_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for development: time, level, logger, request id, message, extras."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-8s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        extras = _extra_fields(record)
        request_id = extras.pop("request_id", None)
        if request_id:
            line += f" [request_id={request_id}]"
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


def make_handler(settings: LoggingSettings, stream: Any = None) -> logging.Handler:
    """A stream handler with the configured formatter, request id and redaction."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter(settings.redact_fields))
    return handler


def configure_logging(settings: LoggingSettings, stream: Any = None) -> logging.Handler:
    """Route the root logger (and uvicorn's) through one veloxapi handler.

    Calling it again replaces the handler it installed before. uvicorn's own
    access log is silenced when ours is on, so each request is logged once.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = make_handler(settings, stream)
    root.addHandler(handler)
    root.setLevel(settings.level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = settings.access_log
    return handler


class AccessLog:
    """Writes the access line of a request: ``METHOD /route/{template} STATUS`` with
    ``method``, ``route``, ``status``, ``latency_ms``, ``response_size`` and ``client``.

    The line is a record on the ``veloxapi.access`` logger, so any handler sees it.
    When the only handler it reaches is the logging battery's own JSON handler
    (the usual production set-up), the line is rendered directly from parts
    prepared once per route and method -- the same bytes the formatter would
    write, at a fraction of the cost of a ``LogRecord`` going through filters and
    ``json.dumps`` (see :mod:`veloxapi.batteries.access_line`).
    """

    def __init__(self, logger_name: str = ACCESS_LOGGER) -> None:
        self.logger = logging.getLogger(logger_name)
        self._fast = FastLines(self.logger, _HANDLER_NAME, JsonFormatter, RedactingFilter)

    def write(
        self,
        scope: Scope,
        route: str,
        status: int,
        elapsed_ns: int,
        size: int,
        request_id: str | None,
        trusted_id: bool = False,
    ) -> None:
        """``elapsed_ns``: the latency in nanoseconds, written in milliseconds to the
        microsecond. ``trusted_id``: ``request_id`` is made of the characters a
        client's id may have (:func:`~veloxapi.batteries._request_ids.incoming_request_id`),
        as the outer layer's ids are."""
        if not self.logger.isEnabledFor(_INFO):
            return
        method: str = scope["method"]
        peer = scope.get("client")
        if request_id is None:
            request_id, trusted_id = get_request_id(), False
        micros = (elapsed_ns + 500) // 1000
        if self._fast.write(method, route, status, micros, size, peer, request_id, trusted_id):
            return
        fields = {
            "method": method,
            "route": route,
            "status": status,
            "latency_ms": micros / 1000,
            "response_size": size,
            "client": f"{peer[0]}:{peer[1]}" if peer else None,
        }
        self.logger.info(f"{method} {route} {status}", extra=fields)


class AccessLogMiddleware:
    """Pure ASGI middleware logging one line per HTTP request after it ends.

    ``augment_app`` does not add it: the batteries' outer layer
    (:mod:`veloxapi.batteries.layer`) writes the same line. It serves apps that
    take the battery on its own.
    """

    def __init__(self, app: ASGIApp, logger_name: str = ACCESS_LOGGER) -> None:
        self.app = app
        self.access = AccessLog(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter_ns()
        watcher = SendWatcher(send)
        try:
            await self.app(scope, receive, watcher)
        finally:
            elapsed = time.perf_counter_ns() - start
            route = route_template(scope)
            self.access.write(scope, route, watcher.status, elapsed, watcher.size, None)


def install_logging(app: Any, settings: LoggingSettings) -> logging.Handler:
    """Configure logging now; with the access log on, the batteries' outer layer
    writes one line per request.

    The handle is the root handler installed (its formatter and filters).
    """
    from veloxapi.batteries.layer import outer_layer

    handler = configure_logging(settings)
    if settings.access_log:
        outer_layer(app).access_log = AccessLog()
    return handler
