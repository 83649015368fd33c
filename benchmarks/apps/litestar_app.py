"""The benchmark app written in Litestar's own style (runs in benchmarks/.venv-litestar).

Same endpoints, bodies and status codes as apps/fastapi_style.py. Where FastAPI
validates a returned dict through `response_model`, these handlers validate it
explicitly (Litestar serializes the returned models; it does not validate them),
so every framework does the same validation work. Sync handlers run in a thread
(`sync_to_thread=True`), as FastAPI runs `def` endpoints.
"""

from typing import Annotated, Any

from litestar import Litestar, WebSocket, get, post, websocket
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, Parameter
from pydantic import TypeAdapter

from apps import data
from apps.models import Item, Order, Product, RouteOut, User

PRODUCTS_ADAPTER = TypeAdapter(list[Product])

Q = Annotated[str, Parameter(min_length=2, max_length=32)]
LIMIT = Annotated[int, Parameter(ge=1, le=100)]
AUTHORIZATION = Annotated[str, Parameter(header="Authorization")]
UPLOAD = Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)]


def _token(authorization: str) -> str:
    token = data.bearer_token(authorization)
    if token is None:
        raise NotAuthorizedException("Not authenticated")
    return token


def _user(token: str) -> User:
    user = data.TOKENS.get(token)
    if user is None:
        raise NotAuthorizedException("Unknown token")
    return User.model_validate(user)


async def get_token(authorization: AUTHORIZATION) -> str:
    return _token(authorization)


async def get_current_user(token: str) -> User:
    return _user(token)


def get_token_sync(authorization: AUTHORIZATION) -> str:
    return _token(authorization)


def get_current_user_sync(token: str) -> User:
    return _user(token)


ASYNC_DEPS = {"token": Provide(get_token), "user": Provide(get_current_user)}
SYNC_DEPS = {
    "token": Provide(get_token_sync, sync_to_thread=True),
    "user": Provide(get_current_user_sync, sync_to_thread=True),
}


@get("/items/{item_id:int}")
async def read_item(item_id: int, q: Q, limit: LIMIT = 10) -> Item:
    return Item.model_validate(data.item_response(item_id, limit, q))


@post("/orders", status_code=200)
async def create_order(data: Order) -> Order:
    return data


@get("/me", dependencies=ASYNC_DEPS)
async def read_me(user: User) -> User:
    return user


@get("/plain")
async def plain() -> dict[str, Any]:
    return data.PLAIN


@get("/products")
async def list_products() -> list[Product]:
    return PRODUCTS_ADAPTER.validate_python(data.PRODUCTS)


@get("/sync/items/{item_id:int}", sync_to_thread=True)
def read_item_sync(item_id: int, q: Q, limit: LIMIT = 10) -> Item:
    return Item.model_validate(data.item_response(item_id, limit, q))


@post("/sync/orders", status_code=200, sync_to_thread=True)
def create_order_sync(data: Order) -> Order:
    return data


@get("/sync/me", dependencies=SYNC_DEPS, sync_to_thread=True)
def read_me_sync(user: User) -> User:
    return user


@get("/sync/plain", sync_to_thread=True)
def plain_sync() -> dict[str, Any]:
    return data.PLAIN


@get("/sync/products", sync_to_thread=True)
def list_products_sync() -> list[Product]:
    return PRODUCTS_ADAPTER.validate_python(data.PRODUCTS)


@post("/upload", status_code=200)
async def upload(data: UPLOAD) -> dict[str, Any]:
    content = await data.read()
    return {"filename": data.filename, "size": len(content)}


@websocket("/ws")
async def echo(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    async for text in socket.iter_data(mode="text"):
        await socket.send_text(text)


app = Litestar(
    route_handlers=[
        read_item,
        create_order,
        read_me,
        plain,
        list_products,
        read_item_sync,
        create_order_sync,
        read_me_sync,
        plain_sync,
        list_products_sync,
        upload,
        echo,
    ],
)


def _resource_handler(route: int) -> Any:
    async def read_resource(item_id: int, verbose: bool = False) -> RouteOut:
        return RouteOut.model_validate(data.route_response(route, item_id, verbose))

    return get(f"/resource{route}/{{item_id:int}}", name=f"read_resource_{route}")(read_resource)


def build_many_routes_app(count: int = data.MANY_ROUTES) -> Litestar:
    """An app with `count` parameterised GET routes, /resource0/{item_id} ... ."""
    return Litestar(route_handlers=[_resource_handler(route) for route in range(count)])
