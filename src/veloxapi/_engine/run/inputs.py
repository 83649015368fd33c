"""Per-request access to the raw inputs, each parsed at most once and only if asked for."""

from __future__ import annotations

import email.message
import json
from typing import Any
from urllib.parse import unquote_plus

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request, cookie_parser
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from veloxapi._engine.run.body_policy import (
    BodyPolicy,
    BodyWatch,
    check_json_depth,
    may_nest_deeper,
    policy_of,
)
from veloxapi._request_limits import form_limits_in, is_limit_error
from veloxapi.exceptions import HTTPException, RequestValidationError

_PARSE_ERROR = "There was an error parsing the body"
_COOKIE = frozenset({b"cookie"})
_STARLETTE_BODY = Request.body


class Inputs:
    """The request's path params, query, headers, cookies and body, parsed lazily."""

    __slots__ = (
        "_body",
        "_connection",
        "_cookies",
        "_form",
        "_headers",
        "_query",
        "_query_last",
        "_watch",
        "receive",
        "scope",
        "send",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        self._query: dict[str, list[str]] | None = None
        self._query_last: dict[str, str] | None = None
        self._headers: dict[str, list[str]] | None = None
        self._cookies: dict[str, list[str]] | None = None
        self._connection: HTTPConnection | None = None
        self._body: bytes | None = None
        self._form: FormData | None = None
        self._watch: BodyWatch | None = None

    # -- connection objects ------------------------------------------------------------------
    @property
    def connection(self) -> HTTPConnection:
        if self._connection is None:
            if self.scope["type"] == "websocket":
                self._connection = WebSocket(self.scope, self.receive, self.send)
            else:
                request = Request(self.scope, self.receive_in_time, self.send)
                if self._body is not None:
                    request._body = self._body  # already received: the endpoint reads it again
                self._connection = request
        return self._connection

    def use_request(self, request: HTTPConnection) -> None:
        self._connection = request

    # -- parameter sources, each as name -> list of values -------------------------------
    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            raw = self.scope.get("query_string", b"")
            self._query = parse_query(raw) if raw else {}
        return self._query

    @property
    def query_last(self) -> dict[str, str]:
        """The query as name -> value, a repeated name giving its last value."""
        if self._query_last is None:
            if self._query is not None:
                self._query_last = {k: v[-1] for k, v in self._query.items()}
            else:
                raw = self.scope.get("query_string", b"")
                self._query_last = parse_query_last(raw) if raw else {}
        return self._query_last

    @property
    def headers(self) -> dict[str, list[str]]:
        if self._headers is None:
            parsed: dict[str, list[str]] = {}
            for key, value in self.scope["headers"]:
                parsed.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
            self._headers = parsed
        return self._headers

    def headers_named(self, names: frozenset[bytes]) -> dict[str, list[str]]:
        """The headers called ``names`` (lower-case), or more: every header once
        :attr:`headers` has been parsed."""
        if self._headers is not None:
            return self._headers
        found: dict[str, list[str]] = {}
        for key, value in self.scope["headers"]:
            key = key.lower()
            if key in names:
                found.setdefault(key.decode("latin-1"), []).append(value.decode("latin-1"))
        return found

    @property
    def cookies(self) -> dict[str, list[str]]:
        if self._cookies is None:
            cookies: dict[str, str] = {}
            for raw in self.headers_named(_COOKIE).get("cookie", ()):
                cookies.update(cookie_parser(raw))
            self._cookies = {k: [v] for k, v in cookies.items()}
        return self._cookies

    @property
    def path_values(self) -> dict[str, Any]:
        """The path parameters the route matched, by name."""
        values: dict[str, Any] = self.scope.get("path_params", _NO_VALUES)
        return values

    def header_one(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    # -- body --------------------------------------------------------------------------------
    async def receive_in_time(self) -> Message:
        """The next ASGI message of the body, within the app's body policy.

        Silence past ``request_body_timeout``, a body slower than
        ``request_body_min_rate`` or larger than the default limit ends the request
        with 408 or 413 (``veloxapi._engine.run.body_policy``).
        """
        return await self._body_watch().next_message()

    def _body_watch(self) -> BodyWatch:
        watch = self._watch
        if watch is None:
            watch = self._watch = BodyWatch(self.scope, self.receive)
        return watch

    async def body_bytes(self) -> bytes:
        if self._body is None:
            connection = self._connection
            try:
                if isinstance(connection, Request):
                    self._body = await connection.body()
                elif Request.body is not _STARLETTE_BODY:  # replaced (by a test, say): honoured
                    self._body = await self._replaced_body()
                else:  # PERF: benchmarks in-process nested_body: no Request, no stream generator
                    self._body = await self._receive_body()
            except ClientDisconnect:  # the client left mid-body: nobody to answer, but no 500
                raise HTTPException(status_code=400, detail=_PARSE_ERROR) from None
        return self._body

    async def _replaced_body(self) -> bytes:
        """The body through a replaced ``Request.body``: what it raises is a parse error,
        unless it is an HTTP error or the body limit's own."""
        request = self.connection
        assert isinstance(request, Request)
        try:
            return await request.body()
        except (StarletteHTTPException, ClientDisconnect):
            raise
        except Exception as exc:
            if is_limit_error(exc):
                raise
            raise HTTPException(status_code=400, detail=_PARSE_ERROR) from exc

    async def _receive_body(self) -> bytes:
        watch = self._body_watch()
        chunks: list[bytes] = []
        while True:
            message = await watch.next_message()  # PERF: benchmarks nested_body: no relay
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
            elif message["type"] == "http.disconnect":
                raise ClientDisconnect()

    def _content_type(self) -> str | None:
        if self._headers is not None:
            return self.header_one("content-type")
        for key, value in self.scope["headers"]:
            if key.lower() == b"content-type":
                return str(value.decode("latin-1"))
        return None

    async def json_raw(self, strict_content_type: bool) -> bytes | None:
        """The body's bytes when :meth:`json_body` would parse them as JSON and no JSON
        depth check needs the parsed value; ``None`` otherwise (then ask ``json_body``)."""
        raw = await self.body_bytes()
        if not raw or not self._declared_json(strict_content_type):
            return None
        max_depth = self._policy().max_json_depth
        if max_depth is not None and may_nest_deeper(raw, max_depth):
            return None
        return raw

    def _policy(self) -> BodyPolicy:
        watch = self._watch
        return policy_of(self.scope) if watch is None else watch.policy

    def _declared_json(self, strict_content_type: bool) -> bool:
        """Whether the content type makes the body JSON (none at all does, unless strict)."""
        content_type = self._content_type()
        if content_type is None:
            return not strict_content_type
        return _is_json_media_type(content_type)

    async def json_body(self, strict_content_type: bool) -> tuple[Any, bool]:
        """The decoded body and whether one was sent.

        A body that isn't declared JSON by its content type is handed over as
        bytes, so validation reports it against the expected type.
        """
        raw = await self.body_bytes()
        if not raw:
            return None, False
        if not self._declared_json(strict_content_type):
            return raw, True
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", exc.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": exc.msg},
                    }
                ],
                body=exc.doc,
            ) from None
        except Exception as exc:  # a body that can't be decoded at all, e.g. bad UTF-8
            raise HTTPException(status_code=400, detail=_PARSE_ERROR) from exc
        max_depth = self._policy().max_json_depth
        if max_depth is not None:
            check_json_depth(value, max_depth, raw)
        return value, True

    async def form(self) -> FormData:
        if self._form is None:
            connection = self.connection
            assert isinstance(connection, Request)
            try:
                self._form = await connection.form(**form_limits_in(self.scope))
            except StarletteHTTPException:  # Starlette's own 400s (too many files, ...) and 408
                raise
            except AssertionError:
                raise
            except Exception as exc:
                raise HTTPException(status_code=400, detail=_PARSE_ERROR) from exc
        return self._form

    async def close_form(self) -> None:
        if self._form is not None:
            await self._form.close()


def parse_query(raw: bytes) -> dict[str, list[str]]:
    """``a=1&b=x%20y&a=2`` as ``{"a": ["1", "2"], "b": ["x y"]}``, blank values kept.

    The same result as ``urllib.parse.parse_qsl(raw.decode("latin-1"),
    keep_blank_values=True)``, which Starlette uses, without its per-call overhead.
    PERF: benchmarks in-process path_query: a query with nothing escaped (the usual case)
    is split with no per-pair escape checks.
    """
    parsed: dict[str, list[str]] = {}
    text = raw.decode("latin-1")
    escaped = "%" in text or "+" in text
    for part in text.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if escaped:
            key, value = unquote_plus(key), unquote_plus(value)
        if key in parsed:
            parsed[key].append(value)
        else:
            parsed[key] = [value]
    return parsed


def parse_query_last(raw: bytes) -> dict[str, str]:
    """:func:`parse_query` keeping the last value of each name only.

    PERF: benchmarks in-process path_query: no list per name.
    """
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return {key: values[-1] for key, values in parse_query(raw).items()}
    parsed: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            parsed[key] = value
    return parsed


_NO_VALUES: dict[str, Any] = {}


def _is_json_media_type(content_type: str) -> bool:
    if content_type == "application/json":
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")
