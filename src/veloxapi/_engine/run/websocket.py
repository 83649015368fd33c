"""The WebSocket the engine hands to endpoints: Starlette's, with cheaper state checks.

It is a ``starlette.websockets.WebSocket`` in every way user code can see: same
class name, ``isinstance`` holds, ``client_state`` and ``application_state`` hold
``WebSocketState`` members, and every message, state change and error is
Starlette's. What differs is the cost of the paths an endpoint takes in a plain
session (accepting, then receiving and sending while connected): a member is
compared by identity with a module constant, where Starlette looks it up on the
enum class at each check (a lookup through ``EnumType``'s ``__getattr__`` hook),
and ``iter_text()``/``iter_bytes()`` end on the client's disconnect without raising
and catching it. Anything off those paths (a denial response, an accept after a
manual ``receive()``, a closed socket) is Starlette's own code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterable
from typing import cast

from starlette import websockets
from starlette.types import Message, Receive, Scope, Send

_CONNECTING = websockets.WebSocketState.CONNECTING
_CONNECTED = websockets.WebSocketState.CONNECTED
_DISCONNECTED = websockets.WebSocketState.DISCONNECTED


class WebSocket(websockets.WebSocket):
    """A Starlette ``WebSocket`` whose per-message state checks are identity tests.

    PERF: benchmarks in-process websocket_echo.
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the engine builds it for a WebSocket scope only: Starlette's asserts are moot
        self.scope = scope
        self._receive = receive
        self._send = send
        self.client_state = _CONNECTING
        self.application_state = _CONNECTING

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Iterable[tuple[bytes, bytes]] | None = None,
    ) -> None:
        if self.client_state is not _CONNECTING or self.application_state is not _CONNECTING:
            await super().accept(subprotocol, headers)
            return
        message = await self._receive()
        kind = message["type"]
        if kind != "websocket.connect":
            raise RuntimeError(f'Expected ASGI message "websocket.connect", but got {kind!r}')
        self.client_state = _CONNECTED
        self.application_state = _CONNECTED
        accept = {"type": "websocket.accept", "subprotocol": subprotocol, "headers": headers or []}
        await self._send(accept)

    async def receive(self) -> Message:
        if self.client_state is not _CONNECTED:
            return await super().receive()
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            self.client_state = _DISCONNECTED
        elif kind != "websocket.receive":
            raise RuntimeError(
                'Expected ASGI message "websocket.receive" or "websocket.disconnect", '
                f"but got {kind!r}"
            )
        return message

    async def send(self, message: Message) -> None:
        if self.application_state is not _CONNECTED:
            await super().send(message)
            return
        kind = message["type"]
        if kind == "websocket.close":
            self.application_state = _DISCONNECTED
        elif kind != "websocket.send":
            raise RuntimeError(
                f'Expected ASGI message "websocket.send" or "websocket.close", but got {kind!r}'
            )
        try:
            await self._send(message)
        except OSError:
            self.application_state = _DISCONNECTED
            raise websockets.WebSocketDisconnect(code=1006)  # noqa: B904 (Starlette's chaining)

    async def receive_text(self) -> str:
        message = await self._next_message()
        self._raise_on_disconnect(message)
        return cast(str, message["text"])

    async def receive_bytes(self) -> bytes:
        message = await self._next_message()
        self._raise_on_disconnect(message)
        return cast(bytes, message["bytes"])

    # PERF: benchmarks in-process websocket_echo: the client's disconnect ends the loop
    # unraised (a WebSocketDisconnect from elsewhere ends it too, as in Starlette's)
    async def iter_text(self) -> AsyncIterator[str]:
        try:
            while (message := await self._next_message())["type"] != "websocket.disconnect":
                yield message["text"]
        except websockets.WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            while (message := await self._next_message())["type"] != "websocket.disconnect":
                yield message["bytes"]
        except websockets.WebSocketDisconnect:
            pass

    def _next_message(self) -> Awaitable[Message]:
        """The next message of an accepted socket (data, or the client's disconnect).

        PERF: benchmarks in-process websocket_echo: a plain call handing back
        ``receive()``'s awaitable, no coroutine of its own.
        """
        if self.application_state is not _CONNECTED:
            raise websockets.WebSocketDisconnected(
                'WebSocket is not connected. Need to call "accept" first.'
            )
        return self.receive()
