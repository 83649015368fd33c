"""The floor: a hand-written ASGI app serving the same endpoints with no framework.

It does the work the frameworks must do (route, parse path and query, validate with
Pydantic, run dependencies' logic, serialize through the response model, run `def`
handlers in a worker thread as the frameworks do) and nothing else, so its speed is
the practical ceiling for any framework built on Pydantic.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from apps import data
from apps.floor_multipart import parse_multipart
from apps.models import Item, Order, Product, RouteOut, User

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Result = tuple[int, bytes]

PRODUCTS_ADAPTER = TypeAdapter(list[Product])
PLAIN_ADAPTER = TypeAdapter(dict[str, Any])


class ItemQuery(BaseModel):
    q: str = Field(min_length=2, max_length=32)
    limit: int = Field(10, ge=1, le=100)


class RouteQuery(BaseModel):
    verbose: bool = False


class HTTPError(Exception):
    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope["query_string"].decode("latin-1")))


def _raw_header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    value = _raw_header(scope, name)
    return None if value is None else value.decode("latin-1")


def _int(segment: str) -> int:
    try:
        return int(segment)
    except ValueError:
        raise HTTPError(422, "path parameter must be an integer") from None


async def _body(receive: Receive) -> bytes:
    chunks = []
    more_body = True
    while more_body:
        message = await receive()
        chunks.append(message.get("body", b""))
        more_body = message.get("more_body", False)
    return b"".join(chunks)


def read_item(scope: Scope, item_id: str) -> Result:
    query = ItemQuery.model_validate(_query(scope))
    item = Item.model_validate(data.item_response(_int(item_id), query.limit, query.q))
    return 200, item.model_dump_json().encode()


def echo_order(body: bytes) -> Result:
    return 200, Order.model_validate_json(body).model_dump_json().encode()


def read_me(scope: Scope) -> Result:
    token = data.bearer_token(_header(scope, b"authorization"))
    if token is None or token not in data.TOKENS:
        raise HTTPError(401, "Not authenticated")
    return 200, User.model_validate(data.TOKENS[token]).model_dump_json().encode()


def plain() -> Result:
    return 200, PLAIN_ADAPTER.dump_json(data.PLAIN)


def list_products() -> Result:
    return 200, PRODUCTS_ADAPTER.dump_json(PRODUCTS_ADAPTER.validate_python(data.PRODUCTS))


async def upload(scope: Scope, receive: Receive) -> Result:
    parts = await parse_multipart(_raw_header(scope, b"content-type") or b"", receive)
    files = [part for part in parts or [] if part.name == "file" and part.filename is not None]
    if not files:
        raise HTTPError(422, "field 'file' is required")
    return 200, PLAIN_ADAPTER.dump_json(
        {"filename": files[0].filename, "size": len(files[0].content)}
    )


async def _run(handler: Callable[..., Result], sync: bool, *args: Any) -> Result:
    if sync:
        return await anyio.to_thread.run_sync(handler, *args)
    return handler(*args)


async def _dispatch(scope: Scope, receive: Receive) -> Result:
    method, path = scope["method"], scope["path"]
    sync = path.startswith("/sync/")
    if sync:
        path = path[5:]
    if method == "GET" and path.startswith("/items/") and path.count("/") == 2:
        return await _run(read_item, sync, scope, path[7:])
    if method == "POST" and path == "/orders":
        return await _run(echo_order, sync, await _body(receive))
    if method == "GET" and path == "/me":
        return await _run(read_me, sync, scope)
    if method == "GET" and path == "/plain":
        return await _run(plain, sync)
    if method == "GET" and path == "/products":
        return await _run(list_products, sync)
    if method == "POST" and path == "/upload" and not sync:
        return await upload(scope, receive)
    raise HTTPError(404, "Not Found")


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _http(scope: Scope, receive: Receive, send: Send, dispatch: Any) -> None:
    try:
        status, body = await dispatch(scope, receive)
    except HTTPError as error:
        status, body = error.status, PLAIN_ADAPTER.dump_json({"detail": error.detail})
    except ValidationError as error:
        status, body = 422, PLAIN_ADAPTER.dump_json({"detail": error.errors(include_url=False)})
    await _respond(send, status, body)


async def _echo(receive: Receive, send: Send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": message.get("text")})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _asgi(dispatch: Any) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _http(scope, receive, send, dispatch)
        elif scope["type"] == "websocket" and scope["path"] == "/ws":
            await _echo(receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        else:
            await send({"type": "websocket.close", "code": 1000})

    return asgi_app


app = _asgi(_dispatch)


def build_many_routes_app(count: int = data.MANY_ROUTES) -> Any:
    """An app with `count` parameterised GET routes, /resource0/{item_id} ... ."""
    routes = {f"resource{route}": route for route in range(count)}

    async def dispatch(scope: Scope, receive: Receive) -> Result:
        segments = scope["path"].split("/")
        route = routes.get(segments[1]) if len(segments) == 3 else None
        if scope["method"] != "GET" or route is None:
            raise HTTPError(404, "Not Found")
        query = RouteQuery.model_validate(_query(scope))
        out = RouteOut.model_validate(data.route_response(route, _int(segments[2]), query.verbose))
        return 200, out.model_dump_json().encode()

    return _asgi(dispatch)
