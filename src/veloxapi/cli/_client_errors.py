"""Keep a client's protocol errors out of the server's error log.

uvicorn's default WebSocket implementation logs a text frame that is not valid
UTF-8 as an ERROR with a full traceback, although the fault is the client's and
the connection is closed correctly; any client can fill the log with them. This
filter, on ``uvicorn.error`` in the log configuration of ``velox dev`` and
``velox run``, turns such a record into a one-line DEBUG record (dropped unless
the server logs at debug level).
"""

from __future__ import annotations

import logging

CLIENT_FAULTS = frozenset({"Invalid UTF-8 sequence received from client."})
"""Messages uvicorn logs, with a traceback, for what a client sent."""


class ClientFaultFilter(logging.Filter):
    """Client protocol errors become DEBUG lines without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg not in CLIENT_FAULTS:
            return True
        record.exc_info = None
        record.exc_text = None
        record.levelno = logging.DEBUG
        record.levelname = "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


__all__ = ["CLIENT_FAULTS", "ClientFaultFilter"]
