"""The socket a WebSocket route hands its endpoint behaves as Starlette's, state by state.

Each case runs one endpoint twice on the same scripted ASGI session: on a plain
Starlette app (the specification) and on a VeloxAPI route. What the endpoint
observed (states, values, errors) and every message it sent must be the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp, Message
from starlette.websockets import WebSocket as StarletteWebSocket

from veloxapi import VeloxAPI, WebSocket, WebSocketDisconnect
from veloxapi.websockets import WebSocketState

Endpoint = Callable[[WebSocket, list[Any]], Awaitable[None]]

CONNECT: Message = {"type": "websocket.connect"}
HELLO: Message = {"type": "websocket.receive", "text": "hello"}
DATA: Message = {"type": "websocket.receive", "bytes": b"\x00\x01"}
JSON: Message = {"type": "websocket.receive", "text": '{"a": [1, 2]}'}
BYE: Message = {"type": "websocket.disconnect", "code": 1001, "reason": "gone"}


class Broken(OSError):
    """What a transport raises when the client is gone."""


def states(websocket: WebSocket) -> tuple[WebSocketState, WebSocketState]:
    return websocket.client_state, websocket.application_state


async def caught(call: Awaitable[Any]) -> Any:
    """The call's result, or the type, text and code of what it raised."""
    try:
        return await call
    except (RuntimeError, WebSocketDisconnect) as exc:
        return type(exc).__name__, str(exc), getattr(exc, "code", None)


def run(
    app: ASGIApp, incoming: list[Any], *, send_fails: bool = False, extensions: Any = None
) -> list[Message]:
    """Serve one session: ``incoming`` are the client's messages; what the app sent."""
    sent: list[Message] = []
    pending = iter(incoming)

    async def receive() -> Message:
        message = next(pending)
        if isinstance(message, Exception):
            raise message  # what a receive callable wrapping the server's may raise
        return message

    async def send(message: Message) -> None:
        if send_fails and message["type"] == "websocket.send":
            raise Broken("connection reset")
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/ws",
        "raw_path": b"/ws",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "subprotocols": ["chat"],
        "extensions": extensions or {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return sent


def both(
    endpoint: Endpoint, incoming: list[Any], **options: Any
) -> tuple[list[Any], list[Message]]:
    """Run the session on Starlette and on VeloxAPI; return what the two had in common."""
    outcomes = []
    for build in (_starlette_app, _velox_app):
        seen: list[Any] = []
        sent = run(build(endpoint, seen), incoming, **options)
        outcomes.append((seen, sent))
    assert outcomes[1] == outcomes[0]
    return outcomes[0]


def _starlette_app(endpoint: Endpoint, seen: list[Any]) -> ASGIApp:
    async def serve(websocket: StarletteWebSocket) -> None:
        await endpoint(websocket, seen)

    return Starlette(routes=[WebSocketRoute("/ws", serve)])


def _velox_app(endpoint: Endpoint, seen: list[Any]) -> ASGIApp:
    app = VeloxAPI()

    @app.websocket("/ws")
    async def serve(websocket: WebSocket) -> None:
        await endpoint(websocket, seen)

    return app


def test_the_socket_is_a_starlette_websocket_named_as_one() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        seen.append((isinstance(websocket, StarletteWebSocket), type(websocket).__name__))
        seen.append([type(state) for state in states(websocket)])
        seen.append(sorted(vars(websocket)))  # what Starlette's __init__ sets, no more or less

    seen, _ = both(endpoint, [CONNECT])
    assert seen[:2] == [(True, "WebSocket"), [WebSocketState, WebSocketState]]


def test_states_through_an_echo_session_and_a_client_disconnect() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        seen.append(states(websocket))
        await websocket.accept()
        seen.append(states(websocket))
        async for text in websocket.iter_text():
            await websocket.send_text(text)
            seen.append(states(websocket))
        seen.append(states(websocket))
        seen.append(await caught(websocket.receive()))

    seen, sent = both(endpoint, [CONNECT, HELLO, BYE])
    connecting, connected, gone = (
        WebSocketState.CONNECTING,
        WebSocketState.CONNECTED,
        WebSocketState.DISCONNECTED,
    )
    assert seen[:4] == [
        (connecting, connecting),
        (connected, connected),
        (connected, connected),
        (gone, connected),
    ]
    assert seen[4][:2] == (
        "WebSocketDisconnected",
        'Cannot call "receive" once a disconnect message has been received.',
    )
    assert sent == [
        {"type": "websocket.accept", "subprotocol": None, "headers": []},
        {"type": "websocket.send", "text": "hello"},
    ]


def test_a_disconnect_while_receiving_carries_its_code_and_reason() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept()
        seen.append(await caught(websocket.receive_text()))

    seen, _ = both(endpoint, [CONNECT, BYE])
    assert seen == [("WebSocketDisconnect", "(1001, 'gone')", 1001)]


def test_accept_sends_the_subprotocol_and_headers() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept("chat", headers=[(b"x-hello", b"1")])
        await websocket.close(4000, "done")
        seen.append(states(websocket))

    seen, sent = both(endpoint, [CONNECT])
    assert seen == [(WebSocketState.CONNECTED, WebSocketState.DISCONNECTED)]
    assert sent == [
        {"type": "websocket.accept", "subprotocol": "chat", "headers": [(b"x-hello", b"1")]},
        {"type": "websocket.close", "code": 4000, "reason": "done"},
    ]


def test_accept_after_the_endpoint_received_the_connect_message_itself() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        seen.append((await websocket.receive())["type"])
        await websocket.accept()
        seen.append(states(websocket))

    seen, sent = both(endpoint, [CONNECT])
    assert seen == ["websocket.connect", (WebSocketState.CONNECTED, WebSocketState.CONNECTED)]
    assert sent == [{"type": "websocket.accept", "subprotocol": None, "headers": []}]


def test_bytes_and_json_round_trips() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept()
        seen.append(await websocket.receive_bytes())
        seen.append(await websocket.receive_json())
        await websocket.send_bytes(b"\x02")
        await websocket.send_json({"b": 2}, mode="binary")
        seen.append([data async for data in websocket.iter_bytes()])

    seen, sent = both(endpoint, [CONNECT, DATA, JSON, DATA, BYE])
    assert seen == [b"\x00\x01", {"a": [1, 2]}, [b"\x00\x01"]]
    assert sent[1:] == [
        {"type": "websocket.send", "bytes": b"\x02"},
        {"type": "websocket.send", "bytes": b'{"b":2}'},
    ]


def test_iteration_also_ends_on_a_disconnect_raised_by_the_receive_callable() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept()
        seen.append([text async for text in websocket.iter_text()])
        seen.append([data async for data in websocket.iter_bytes()])
        seen.append(states(websocket))

    stop = WebSocketDisconnect(1012)
    seen, _ = both(endpoint, [CONNECT, HELLO, stop, DATA, stop])
    assert seen == [["hello"], [b"\x00\x01"], (WebSocketState.CONNECTED,) * 2]


@pytest.mark.parametrize(
    "method", ["receive_text", "receive_bytes", "receive_json", "iter_text", "iter_bytes"]
)
def test_receiving_data_before_accept_is_refused(method: str) -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        received = getattr(websocket, method)()
        seen.append(await caught(received if method.startswith("receive") else anext(received)))

    seen, sent = both(endpoint, [CONNECT])
    assert seen == [
        (
            "WebSocketDisconnected",
            'WebSocket is not connected. Need to call "accept" first.',
            None,
        )
    ]
    assert sent == []


def test_sending_after_close_is_refused() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept()
        await websocket.close()
        seen.append(await caught(websocket.send_text("late")))
        seen.append(await caught(websocket.receive_text()))

    seen, _ = both(endpoint, [CONNECT])
    assert seen == [
        ("WebSocketDisconnected", 'Cannot call "send" once a close message has been sent.', None),
        (
            "WebSocketDisconnected",
            'WebSocket is not connected. Need to call "accept" first.',
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("incoming", "message"),
    [
        ([HELLO], "Expected ASGI message \"websocket.connect\", but got 'websocket.receive'"),
        (
            [CONNECT, CONNECT],
            'Expected ASGI message "websocket.receive" or "websocket.disconnect", '
            "but got 'websocket.connect'",
        ),
    ],
)
def test_an_unexpected_client_message_is_an_error(incoming: list[Message], message: str) -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        seen.append(await caught(websocket.accept()))
        seen.append(await caught(websocket.receive_text()))

    seen, _ = both(endpoint, incoming)
    assert ("RuntimeError", message, None) in seen


@pytest.mark.parametrize(
    ("before", "message"),
    [
        (
            [],
            'Expected ASGI message "websocket.accept", "websocket.close" or '
            "\"websocket.http.response.start\", but got 'websocket.send'",
        ),
        (
            ["accept"],
            'Expected ASGI message "websocket.send" or "websocket.close", '
            "but got 'websocket.accept'",
        ),
    ],
)
def test_an_unexpected_app_message_is_an_error(before: list[str], message: str) -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        kind = "websocket.accept" if before else "websocket.send"
        if before:
            await websocket.accept()
        seen.append(await caught(websocket.send({"type": kind, "text": "x"})))
        seen.append(states(websocket))

    seen, _ = both(endpoint, [CONNECT])
    assert seen[0] == ("RuntimeError", message, None)


def test_a_failing_transport_is_a_1006_disconnect() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.accept()
        try:
            await websocket.send_text("lost")
        except WebSocketDisconnect as exc:
            seen.append((exc.code, type(exc.__context__).__name__, exc.__cause__))
        seen.append(states(websocket))

    seen, _ = both(endpoint, [CONNECT], send_fails=True)
    assert seen == [
        (1006, "Broken", None),
        (WebSocketState.CONNECTED, WebSocketState.DISCONNECTED),
    ]


def test_a_denial_response_goes_out_through_the_http_response_extension() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.send_denial_response(PlainTextResponse("no", status_code=403))
        seen.append(states(websocket))

    extensions = {"websocket.http.response": {}}
    seen, sent = both(endpoint, [CONNECT], extensions=extensions)
    assert seen == [(WebSocketState.CONNECTING, WebSocketState.DISCONNECTED)]
    assert [message["type"] for message in sent] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert sent[0]["status"] == 403


def test_closing_before_accept_refuses_the_handshake_and_a_later_accept() -> None:
    async def endpoint(websocket: WebSocket, seen: list[Any]) -> None:
        await websocket.close(1008)
        seen.append(states(websocket))
        seen.append(await caught(websocket.accept()))
        seen.append(states(websocket))

    seen, sent = both(endpoint, [CONNECT])
    assert seen == [
        (WebSocketState.CONNECTING, WebSocketState.DISCONNECTED),
        ("WebSocketDisconnected", 'Cannot call "send" once a close message has been sent.', None),
        (WebSocketState.CONNECTED, WebSocketState.DISCONNECTED),
    ]
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]
