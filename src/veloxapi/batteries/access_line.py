"""The access line rendered directly, when only the logging battery's JSON handler reads it.

An access line through ``logging`` costs a ``LogRecord``, two filters (request
id, redaction: regular expressions over the message and every field), a
``datetime`` and ``json.dumps``: most of the cost of a fast request. Yet all but
five of its values are known per route: the method, the route template, the
message prefix, the logger name and the level. :class:`FastLines` renders the
line the battery's :class:`~veloxapi.batteries.logging.JsonFormatter` would
write from those prepared parts, and writes it to the handler's stream under the
handler's lock, exactly as ``StreamHandler.emit`` does.

It is used only when nothing else could see the record: the access logger and
its ancestors have no handlers or filters of their own, the root logger has
exactly the battery's handler, that handler still has its JSON formatter and
its two filters, and redaction would change nothing in the prepared parts
(checked once per route). Anything else -- a handler added by the user, text
format, a filter -- takes the ordinary ``logger.info`` path.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from time import time_ns
from typing import Any

_SAFE = re.compile(r"[A-Za-z0-9._:@/+=\[\]%-]*")
"""Values written without JSON escaping (client addresses, request ids)."""


_StreamHandler = logging.StreamHandler
_INFO = logging.INFO

_MILLIS = tuple(f".{millis:03d}+00:00" for millis in range(1000))
"""The time's milliseconds and offset, by the number of milliseconds."""

_FRACTIONS = tuple(f".{micros:03d}".rstrip("0").ljust(2, "0") for micros in range(1000))
"""A latency's decimals, by its microseconds: ``.0``, ``.001``, ``.01``, ``.123``."""


def _quoted(value: str | None) -> str:
    if value is None:
        return "null"
    if value.isalnum() or _SAFE.fullmatch(value):
        # PERF: benchmarks "batteries" column: isalnum() accepts a generated id (hex)
        # without the regular expression; letters and digits need no JSON escaping
        # (non-ASCII ones are written as they are, ensure_ascii=False).
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


_UNKNOWN = ("", "")
"""Not prepared yet (``None`` is prepared: redaction would change the line)."""
Parts = tuple[str, str]
"""The fixed text around the request id of one method, route and status: from after
the time to the request id, and from after it to the latency."""


class FastLines:
    """Renders access lines for the battery's JSON handler when it alone reads them."""

    def __init__(
        self,
        logger: logging.Logger,
        handler_name: str,
        formatter: type[logging.Formatter],
        redactor: type[Any],
    ) -> None:
        """``formatter`` and ``redactor`` are the logging battery's JSON formatter and
        redacting filter classes (handed in: the battery imports this module)."""
        self.logger = logger
        self.handler_name = handler_name
        self._formatter = formatter
        self._redactor = redactor
        self._root = logging.getLogger()
        self._second = (-1, "")
        """The second of the last line and its time text, replaced together (threads
        may share them)."""
        self._handler: logging.Handler | None = None
        """The battery's handler, once seen: known by identity after that."""
        self._parts: dict[tuple[str, str, int], Parts | None] = {}
        self._clients: dict[tuple[str, int], str] = {}

    def write(
        self,
        method: str,
        route: str,
        status: int,
        micros: int,
        size: int,
        client: tuple[str, int] | None,
        request_id: str | None,
        trusted_id: bool = False,
    ) -> bool:
        """Write the line and return ``True``, or ``False`` when the record must go
        through ``logging`` instead. ``micros``: the latency in microseconds.
        ``trusted_id``: the request id is known to be made of characters needing no
        JSON escaping (the outer layer's ids).

        PERF: benchmarks "batteries" column: the checks, the clock, the client and the
        latency text written out here, one call where there were five.
        """
        # Nothing but the battery's handler reads the record: no logger from the access
        # logger up has handlers or filters of its own, or stops propagation, and the
        # root's one handler is the battery's, as configured. Read afresh every time,
        # since any of them may change at any time; together with the logger's level
        # (AccessLog.write asks isEnabledFor first) this is all that decides which
        # handlers see the record and what the battery's handler writes.
        root = self._root
        if root.filters or len(root.handlers) != 1:
            return False
        logger: logging.Logger | None = self.logger
        while logger is not root:
            if logger is None or logger.handlers or logger.filters or not logger.propagate:
                return False
            logger = logger.parent
        handler: Any = root.handlers[0]
        if handler is not self._handler and not self._is_batterys(handler):
            return False
        # What may change on the battery's handler and would change its output. (Its
        # name no longer matters once it is known to be the battery's.)
        if type(handler.formatter) is not self._formatter or len(handler.filters) != 2:
            return False
        if handler.level > _INFO:
            return False
        key = (method, route, status)
        parts = self._parts.get(key, _UNKNOWN)
        if parts is _UNKNOWN:
            parts = self._prepare(handler, key)
        if parts is None:
            return False
        # PERF: integer divisions of the clock's nanoseconds cost less than ``int()``
        # of a float, twice; the second's text is made once a second
        millis = time_ns() // 1_000_000
        second = millis // 1000
        known = self._second
        if second != known[0]:
            moment = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:-6]
            known = self._second = (second, moment)
        quoted_client = self._clients.get(client) if client else "null"
        if quoted_client is None:
            quoted_client = self._client(client)  # type: ignore[arg-type]
        quoted_id = f'"{request_id}"' if trusted_id else _quoted(request_id)
        # PERF: the latency's text from integers and a table: the JSON formatter writes
        # ``repr(micros / 1000)``, which is the decimal ``micros // 1000`` point
        # ``micros % 1000`` (at most 15 significant digits: the float keeps them, and
        # its shortest repr is them, trailing zeros dropped); formatting a float
        # costs several times more
        latency = (
            str(micros // 1000) + _FRACTIONS[micros % 1000]
            if micros < 10**15
            else repr(micros / 1000)  # more digits than a float keeps; not a latency
        )
        line = (
            f'{{"time": "{known[1]}{_MILLIS[millis % 1000]}{parts[0]}{quoted_id}{parts[1]}'
            f'{latency}, "response_size": {size}, "client": {quoted_client}}}\n'
        )
        stream = handler.stream
        # PERF: what StreamHandler.emit and flush do (the handler's type is checked to
        # be exactly StreamHandler), under the handler's lock taken once.
        lock: Any = handler.lock
        lock.acquire()  # PERF: cheaper than ``with`` on CPython 3.11
        try:
            stream.write(line)
            flush = getattr(stream, "flush", None)
            if flush is not None:
                flush()
        except Exception:
            return False  # the ordinary path reports the failure the handler's way
        finally:
            lock.release()
        return True

    def _is_batterys(self, handler: logging.Handler) -> bool:
        """Whether ``handler`` is the battery's JSON handler (then remembered)."""
        if type(handler) is not _StreamHandler or handler.name != self.handler_name:
            return False
        self._handler = handler
        return True

    def _client(self, client: tuple[str, int]) -> str:
        """The client as a JSON value, made once per address and port (a connection
        sends many requests)."""
        if len(self._clients) >= 4096:  # bounded: ports change with every connection
            self._clients.clear()
        quoted = self._clients[client] = _quoted(f"{client[0]}:{client[1]}")
        return quoted

    def _prepare(self, handler: Any, key: tuple[str, str, int]) -> Parts | None:
        """The fixed parts of the line for one method, route and status; ``None`` when
        redaction would change them (the ordinary path then masks what it must)."""
        method, route, status = key
        redactor = next((f for f in handler.filters if isinstance(f, self._redactor)), None)
        names = ("method", "route", "status", "latency_ms", "response_size", "client")
        message = f"{method} {route} {status}"
        found: Parts | None = None
        if (
            redactor is not None
            and not any(redactor.is_secret(name) for name in names)
            and redactor.redact_text(message) == message
            and redactor.redact_value("route", route) == route
            and redactor.redact_value("method", method) == method
        ):
            logger = json.dumps(self.logger.name, ensure_ascii=False)
            quoted = json.dumps(message, ensure_ascii=False)
            found = (
                f'", "level": "INFO", "logger": {logger}, "message": {quoted}, "request_id": ',
                f', "method": {json.dumps(method, ensure_ascii=False)}, '
                f'"route": {json.dumps(route, ensure_ascii=False)}, '
                f'"status": {status}, "latency_ms": ',
            )
        if len(self._parts) < 4096:  # bounded: an unmatched request's method comes from the client
            self._parts[key] = found
        return found
