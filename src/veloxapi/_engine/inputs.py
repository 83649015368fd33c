"""Per-request access to the raw inputs, each parsed at most once and only if asked for."""

from __future__ import annotations

import email.message
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request, cookie_parser
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from veloxapi.exceptions import HTTPException, RequestValidationError

_PARSE_ERROR = "There was an error parsing the body"


class Inputs:
    """The request's path params, query, headers, cookies and body, parsed lazily."""

    __slots__ = ("_body", "_connection", "_cookies", "_form", "_headers", "_query", "receive",
                 "scope", "send")

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        self._query: dict[str, list[str]] | None = None
        self._headers: dict[str, list[str]] | None = None
        self._cookies: dict[str, str] | None = None
        self._connection: HTTPConnection | None = None
        self._body: bytes | None = None
        self._form: FormData | None = None

    # -- connection objects ------------------------------------------------------------------
    @property
    def connection(self) -> HTTPConnection:
        if self._connection is None:
            if self.scope["type"] == "websocket":
                self._connection = WebSocket(self.scope, self.receive, self.send)
            else:
                self._connection = Request(self.scope, self.receive, self.send)
        return self._connection

    def use_request(self, request: HTTPConnection) -> None:
        self._connection = request

    # -- query -------------------------------------------------------------------------------
    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            parsed: dict[str, list[str]] = {}
            raw = self.scope.get("query_string", b"")
            if raw:
                for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                    parsed.setdefault(key, []).append(value)
            self._query = parsed
        return self._query

    def query_one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def query_list(self, name: str) -> list[str] | None:
        return self.query.get(name)

    def query_items(self) -> list[tuple[str, str]]:
        return [(k, v[-1]) for k, v in self.query.items()]

    # -- headers -----------------------------------------------------------------------------
    @property
    def headers(self) -> dict[str, list[str]]:
        if self._headers is None:
            parsed: dict[str, list[str]] = {}
            for key, value in self.scope["headers"]:
                parsed.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
            self._headers = parsed
        return self._headers

    def header_one(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    def header_list(self, name: str) -> list[str] | None:
        return self.headers.get(name)

    def header_items(self) -> list[tuple[str, str]]:
        return [(k, v[0]) for k, v in self.headers.items()]

    # -- cookies -----------------------------------------------------------------------------
    @property
    def cookies(self) -> dict[str, str]:
        if self._cookies is None:
            cookies: dict[str, str] = {}
            for raw in self.headers.get("cookie", ()):
                cookies.update(cookie_parser(raw))
            self._cookies = cookies
        return self._cookies

    def cookie_one(self, name: str) -> str | None:
        return self.cookies.get(name)

    def cookie_list(self, name: str) -> list[str] | None:
        value = self.cookies.get(name)
        return None if value is None else [value]

    def cookie_items(self) -> list[tuple[str, str]]:
        return list(self.cookies.items())

    # -- path --------------------------------------------------------------------------------
    def path_one(self, name: str) -> Any:
        return self.scope.get("path_params", {}).get(name)

    def path_list(self, name: str) -> Any:
        value = self.path_one(name)
        return None if value is None else [value]

    # -- body --------------------------------------------------------------------------------
    async def body_bytes(self) -> bytes:
        if self._body is None:
            connection = self.connection
            assert isinstance(connection, Request)
            self._body = await connection.body()
        return self._body

    async def json_body(self, strict_content_type: bool) -> tuple[Any, bool]:
        """The decoded body and whether one was sent.

        A body that isn't declared JSON by its content type is handed over as
        bytes, so validation reports it against the expected type.
        """
        raw = await self.body_bytes()
        if not raw:
            return None, False
        content_type = self.header_one("content-type")
        if content_type is None:
            if strict_content_type:
                return raw, True
        elif not _is_json_media_type(content_type):
            return raw, True
        try:
            return json.loads(raw), True
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

    async def form(self) -> FormData:
        if self._form is None:
            connection = self.connection
            assert isinstance(connection, Request)
            try:
                self._form = await connection.form()
            except HTTPException:
                raise
            except AssertionError:
                raise
            except Exception as exc:
                raise HTTPException(status_code=400, detail=_PARSE_ERROR) from exc
        return self._form

    async def close_form(self) -> None:
        if self._form is not None:
            await self._form.close()


def _is_json_media_type(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")
