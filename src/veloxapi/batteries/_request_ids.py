"""The request id's one context and rules, below every battery that reads or sets it.

The id of the request being handled lives in :data:`request_id_var`; a client's
id is reused only when :func:`incoming_request_id` finds it safe, and a new one
is :func:`new_request_id`. The request-id battery (:mod:`veloxapi.batteries.request_id`)
re-exports these; the outer layer, the errors battery and the log filters read
them here, so none of them has to import a battery that installs itself into the
outer layer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextvars import ContextVar

from starlette.types import Scope

_SAFE_ID = re.compile(r"[A-Za-z0-9._:@/+=-]+")
DEFAULT_HEADER = "X-Request-ID"
DEFAULT_MAX_LENGTH = 128
_DEFAULT_KEY = DEFAULT_HEADER.lower().encode("latin-1")

request_id_var: ContextVar[str | None] = ContextVar("veloxapi_request_id", default=None)


def get_request_id() -> str | None:
    """The id of the request being handled in this context, or ``None`` outside one."""
    return request_id_var.get()


_ID_BYTES = 16
_BATCH = 256
"""Ids drawn from the OS at once: one ``os.urandom`` call per this many requests."""


_CUTS = tuple(
    slice(start, start + 2 * _ID_BYTES) for start in range(0, 2 * _ID_BYTES * _BATCH, 2 * _ID_BYTES)
)
"""Where each id of a batch lies in the batch's hex string."""


def _fresh_ids() -> Iterator[str]:
    """``_BATCH`` new ids, each 16 bytes (32 hex digits) from one ``os.urandom`` call.

    Request ids appear in responses, logs and error bodies, and a client must not
    be able to predict another request's id from its own, which rules out a
    per-process prefix with a counter: each id is 128 random bits from the OS,
    as with ``uuid4().hex``. What costs is asking the OS per request (a system
    call), so ids are read 256 at a time (4 KiB) and cut out of one hex string
    as they are taken (PERF: benchmarks "batteries" column: one C call per id,
    none to cut the batch up front).
    """
    return map(os.urandom(_ID_BYTES * _BATCH).hex().__getitem__, _CUTS)


_ids: Iterator[str] = iter(())
"""The current batch. ``next()`` on it runs C code only (``map`` calling ``str``
slicing), so it is atomic: two threads never get the same id; a thread finding the
batch used up installs a fresh one (two doing so at once merely read twice)."""


def _drop_ids() -> None:
    global _ids
    _ids = iter(())


os.register_at_fork(after_in_child=_drop_ids)  # parent and child never share ids


def new_request_id() -> str:
    """32 random hex digits (16 bytes from the OS), as a uuid4's hex but without the object.

    PERF: benchmarks "batteries" column: taken from a batch read at once
    (:func:`_fresh_ids`), one C call per id.
    """
    global _ids
    found = next(_ids, None)
    while found is None:
        _ids = _fresh_ids()
        found = next(_ids, None)
    return found


def incoming_request_id(
    scope: Scope,
    header: bytes = _DEFAULT_KEY,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> str | None:
    """The id the client sent in ``header`` (lower-case bytes), if it is safe to reuse.

    Safe means at most ``max_length`` characters from ``A-Z a-z 0-9 . _ : @ / + = -``:
    nothing that could break a header, a log line or a JSON body. Only the first
    such header counts; an unsafe one yields ``None`` (make a new id), not the next.
    This is the one rule for every battery that reads a client's request id.
    """
    for key, value in scope.get("headers", ()):
        if key == header:
            candidate: str = value.decode("latin-1")
            if len(candidate) <= max_length and _SAFE_ID.fullmatch(candidate):
                return candidate
            return None
    return None
