"""Counting the request body bytes an application reads (no prometheus-client needed)."""

from __future__ import annotations

from starlette.types import Message, Receive


class BodyCounter:
    """An ASGI ``receive`` counting the request body bytes the app reads."""

    __slots__ = ("_receive", "size")

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.size = 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
        return message
