"""The harness's own cost: an ASGI app that answers every scenario with canned bytes.

It reads the request body to its end and sends the scenario's expected answer (or, for
the WebSocket session, accepts and echoes), parsing and validating nothing. Measured
like a framework (`bench.instructions`), it gives the instructions per request that the
driver, the event loop and the minimal ASGI exchange cost; the instruction table lists
it separately, so a framework's own cost is its count minus this one.
"""

import json
from typing import Any

from bench.scenarios import SCENARIOS

Message = dict[str, Any]
_JSON = [(b"content-type", b"application/json")]
_ANSWERS = {
    (s.method, s.path): json.dumps(s.expected_json).encode()
    for s in SCENARIOS
    if s.kind == "http" and s.app == "main"
}
_MANY_ANSWERS = {
    (s.method, s.path): json.dumps(s.expected_json).encode()
    for s in SCENARIOS
    if s.kind == "http" and s.app == "many"
}


def _app(answers: dict[tuple[str, str], bytes]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            while (await receive()).get("more_body", False):
                pass
            body = answers[(scope["method"], scope["path"])]
            await send({"type": "http.response.start", "status": 200, "headers": _JSON})
            await send({"type": "http.response.body", "body": body})
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            while (message := await receive())["type"] == "websocket.receive":
                await send({"type": "websocket.send", "text": message["text"]})
        elif scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    return app


app = _app(_ANSWERS)


def build_many_routes_app() -> Any:
    """The same canned app for the 500-route scenario."""
    return _app(_MANY_ANSWERS)
