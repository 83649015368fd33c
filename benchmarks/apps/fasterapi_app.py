"""The benchmark app in FasterAPI's own style (runs in benchmarks/.venv-fasterapi).

FasterAPI (`faster-api-web` on PyPI) presents itself as a FastAPI replacement built on
msgspec. Same endpoints, bodies and status codes as apps/fastapi_style.py, written the
way FasterAPI's documentation writes them, with two additions so that every framework
does the same validation work:

* FasterAPI's ``Query()`` takes no ``ge``/``le``/``min_length`` and hands path and query
  values to the endpoint as strings, and its ``response_model`` only filters keys. So
  each endpoint converts its inputs and its answer through a msgspec ``Struct`` with the
  same constraints as the Pydantic models (``msgspec.convert``), as the Litestar app
  validates explicitly.
* ``def`` endpoints and dependencies run on the event loop: FasterAPI has no thread
  offload. The ``*_sync`` scenarios therefore do less work here than in FastAPI,
  veloxapi or Litestar, which all run them in a worker thread (see benchmarks/README.md).
"""

# mypy: disable-error-code="untyped-decorator"
# (FasterAPI types its route decorators with an Any-based ASGIApp alias.)
from typing import Annotated, Any

import msgspec
from FasterAPI import (  # type: ignore[import-untyped]  # the package ships no py.typed
    Depends,
    Faster,
    Header,
    HTTPException,
    Query,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
)

from apps import data

Positive = Annotated[int, msgspec.Meta(gt=0)]
NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class ItemQuery(msgspec.Struct):
    item_id: int
    q: Annotated[str, msgspec.Meta(min_length=2, max_length=32)]
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10


class Item(msgspec.Struct):
    item_id: int
    name: str
    limit: int
    q: str
    tags: list[str]


class Address(msgspec.Struct):
    street: str
    city: str
    zip_code: Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")]


class Customer(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    email: str
    address: Address


class LineItem(msgspec.Struct):
    sku: str
    quantity: Positive
    unit_price: NonNegative


class Order(msgspec.Struct):
    order_id: int
    customer: Customer
    lines: list[LineItem]
    note: str | None = None


class User(msgspec.Struct):
    id: int
    name: str
    scopes: list[str]


class Tag(msgspec.Struct):
    id: int
    label: str


class Dimensions(msgspec.Struct):
    width: float
    height: float
    depth: float


class Product(msgspec.Struct):
    id: int
    name: str
    price: float
    in_stock: bool
    tags: list[Tag]
    dimensions: Dimensions


class RouteQuery(msgspec.Struct):
    item_id: int
    verbose: bool = False


class RouteOut(msgspec.Struct):
    route: int
    item_id: int
    verbose: bool


def _validated(kind: type[Any], values: dict[str, Any]) -> Any:
    """``values`` (strings from the URL) converted into ``kind``; 422 when they don't fit."""
    try:
        return msgspec.convert(values, kind, strict=False)
    except msgspec.ValidationError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


def _item(item_id: str, q: str | None, limit: str | None) -> Item:
    given = {"item_id": item_id, "q": q} | ({} if limit is None else {"limit": limit})
    query: ItemQuery = _validated(ItemQuery, given)
    return msgspec.convert(data.item_response(query.item_id, query.limit, query.q), Item)


def _user(authorization: str | None) -> User:
    token = data.bearer_token(authorization)
    if token is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    user = data.TOKENS.get(token)
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown token")
    return msgspec.convert(user, User)


app = Faster(openapi_url=None, docs_url=None, redoc_url=None)


async def get_token(authorization: str | None = Header(None)) -> str | None:
    return authorization


async def get_current_user(authorization: str | None = Depends(get_token)) -> User:
    return _user(authorization)


def get_token_sync(authorization: str | None = Header(None)) -> str | None:
    return authorization


def get_current_user_sync(authorization: str | None = Depends(get_token_sync)) -> User:
    return _user(authorization)


@app.get("/items/{item_id}")
async def read_item(
    item_id: str, q: str | None = Query(None), limit: str | None = Query(None)
) -> Item:
    return _item(item_id, q, limit)


@app.post("/orders")
async def create_order(order: Order) -> Order:
    return order


@app.get("/me")
async def read_me(user: User = Depends(get_current_user)) -> User:
    return user


@app.get("/plain")
async def plain() -> dict[str, Any]:
    return data.PLAIN


@app.get("/products")
async def list_products() -> list[Product]:
    return msgspec.convert(data.PRODUCTS, list[Product])


@app.get("/sync/items/{item_id}")
def read_item_sync(
    item_id: str, q: str | None = Query(None), limit: str | None = Query(None)
) -> Item:
    return _item(item_id, q, limit)


@app.post("/sync/orders")
def create_order_sync(order: Order) -> Order:
    return order


@app.get("/sync/me")
def read_me_sync(user: User = Depends(get_current_user_sync)) -> User:
    return user


@app.get("/sync/plain")
def plain_sync() -> dict[str, Any]:
    return data.PLAIN


@app.get("/sync/products")
def list_products_sync() -> list[Product]:
    return msgspec.convert(data.PRODUCTS, list[Product])


@app.post("/upload")
async def upload(file: UploadFile) -> dict[str, Any]:
    content = await file.read()
    return {"filename": file.filename, "size": len(content)}


@app.websocket("/ws")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    try:
        while True:
            await socket.send_text(await socket.receive_text())
    except WebSocketDisconnect:
        return


def _resource_handler(route: int) -> Any:
    async def read_resource(item_id: str, verbose: str | None = Query(None)) -> RouteOut:
        given = {"item_id": item_id} | ({} if verbose is None else {"verbose": verbose})
        query: RouteQuery = _validated(RouteQuery, given)
        return msgspec.convert(data.route_response(route, query.item_id, query.verbose), RouteOut)

    return read_resource


def build_many_routes_app(count: int = data.MANY_ROUTES) -> Faster:
    """An app with `count` parameterised GET routes, /resource0/{item_id} ... ."""
    many = Faster(openapi_url=None, docs_url=None, redoc_url=None)
    for route in range(count):
        many.get(f"/resource{route}/{{item_id}}")(_resource_handler(route))
    return many
