"""How a request body may arrive: silence, pace, size and JSON depth, checked as it is read.

Every body veloxapi reads for a route (JSON, forms, ``request.body()``,
``request.stream()``) goes through :meth:`BodyWatch.next_message`, one ASGI message at a
time. The app's :class:`BodyPolicy` decides:

* ``idle``: seconds the client may stay silent mid-body (408 after that);
* ``min_rate``: bytes per second the body must average once ``idle`` seconds have
  passed since veloxapi started reading it, so a body trickled a byte at a time ends
  with 408 instead of holding a worker for as long as the client likes;
* ``default_limit``: bytes a body may hold when no ``max_body_size`` is set anywhere
  for the route (413, from ``Content-Length`` at once or as the bytes arrive);
* ``max_json_depth``: nesting levels a JSON body may have (422), so nothing accepted
  is too deep to be serialized back.

On asyncio the idle limit costs one timer per message; elsewhere (trio) it is an
anyio cancel scope per message.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import anyio
from starlette.types import Message, Receive, Scope

from veloxapi.exceptions import HTTPException, RequestValidationError

_TIMEOUT = "The request body was not received in time"
_TOO_SLOW = "The request body arrived too slowly"
_TOO_LARGE = "Content Too Large"
_EXPLICIT_LIMIT = "starlette.max_body_size"  # set by max_body_size= at any level
DEFAULT_BODY_TIMEOUT = 30.0
"""Seconds a client may stay silent while sending a request body."""


@dataclass(frozen=True, slots=True)
class BodyPolicy:
    """The body rules of one application (see the module docstring)."""

    idle: float | None = DEFAULT_BODY_TIMEOUT
    min_rate: float | None = None
    default_limit: int | None = None
    max_json_depth: int | None = None


PLAIN = BodyPolicy()


def policy_of(scope: Scope) -> BodyPolicy:
    policy = getattr(scope.get("app"), "body_policy", None)
    return policy if isinstance(policy, BodyPolicy) else PLAIN


class BodyWatch:
    """One request's body as it arrives: silence, pace and size against the policy."""

    __slots__ = ("complete", "limit", "policy", "receive", "received", "started")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.receive = receive
        self.policy = policy = policy_of(scope)
        self.received = 0
        self.started = 0.0
        self.complete = False  # the last body message came: later receives are not timed
        limit = policy.default_limit
        if limit is not None and _EXPLICIT_LIMIT in scope:
            limit = None  # max_body_size= set for this route: Starlette's layer counts
        self.limit = limit
        if limit is not None:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                raise HTTPException(status_code=413, detail=_TOO_LARGE)

    async def next_message(self) -> Message:
        """The next ASGI message, or a 408/413 ``HTTPException``."""
        if self.complete:  # e.g. waiting for the client to leave: no body rule applies
            return await self.receive()
        policy = self.policy
        if not self.started:
            self.started = time.monotonic()
        if policy.idle is None:
            message = await self.receive()
        else:
            message = await _within(policy.idle, self.receive)
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.limit is not None and self.received > self.limit:
                raise HTTPException(status_code=413, detail=_TOO_LARGE)
            if not message.get("more_body", False):
                self.complete = True
            elif policy.min_rate is not None:
                self._check_pace(policy.min_rate, policy.idle or DEFAULT_BODY_TIMEOUT)
        return message

    def _check_pace(self, min_rate: float, grace: float) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > grace and self.received < min_rate * elapsed:
            raise HTTPException(status_code=408, detail=_TOO_SLOW)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length" or key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _within(seconds: float, receive: Receive) -> Message:
    """``await receive()``, or 408 after ``seconds`` of waiting."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # not asyncio (trio): anyio's cancel scope
        task = None
    if task is None:
        try:
            with anyio.fail_after(seconds):
                return await receive()
        except TimeoutError:
            raise HTTPException(status_code=408, detail=_TIMEOUT) from None
    rang = False
    cancelling = task.cancelling()

    def ring() -> None:  # PERF: benchmarks in-process nested_body: a closure, no object
        nonlocal rang
        rang = True
        task.cancel()

    handle = task.get_loop().call_later(seconds, ring)
    try:
        return await receive()
    except asyncio.CancelledError:
        if rang and task.uncancel() <= cancelling:
            raise HTTPException(status_code=408, detail=_TIMEOUT) from None
        raise
    finally:
        handle.cancel()


def may_nest_deeper(raw: bytes, max_depth: int) -> bool:
    """Whether the JSON ``raw`` could nest deeper than ``max_depth``: a body with no more
    opening brackets than that cannot, which two C-speed counts settle for most bodies."""
    return raw.count(b"[") + raw.count(b"{") > max_depth


def check_json_depth(value: object, max_depth: int, raw: bytes) -> None:
    """422 when the parsed JSON ``value`` (of the bytes ``raw``) nests deeper than
    ``max_depth`` levels; the bytes are looked at first (:func:`may_nest_deeper`)."""
    if not isinstance(value, (dict, list)) or not may_nest_deeper(raw, max_depth):
        return
    level: list[tuple[object, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        if depth > max_depth:
            raise RequestValidationError(
                [
                    {
                        "type": "json_too_deep",
                        "loc": ("body",),
                        "msg": f"JSON nesting is deeper than {max_depth} levels",
                        "input": {},
                        "ctx": {"max_depth": max_depth},
                    }
                ]
            )
        children = node.values() if isinstance(node, dict) else node
        for child in children:  # type: ignore[attr-defined]
            if isinstance(child, (dict, list)):
                level.append((child, depth + 1))
