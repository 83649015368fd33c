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


def new_request_id() -> str:
    """32 random hex digits (16 bytes from the OS), as a uuid4's hex but without the object."""
    return os.urandom(16).hex()


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
