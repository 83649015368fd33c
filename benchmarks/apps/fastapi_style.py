"""The benchmark app written against FastAPI's public API.

The same source runs on FastAPI (in benchmarks/.venv-fastapi) and on veloxapi, where
`veloxapi.compat.install()` makes `import fastapi` resolve to veloxapi before this
module is imported. Every endpoint exists as `async def` and, under /sync, as `def`.
"""

from typing import Any

from fastapi import Depends, FastAPI, File, Header, HTTPException, Query, UploadFile, WebSocket

from apps import data
from apps.models import Item, Order, Product, RouteOut, User

app = FastAPI(title="veloxapi benchmark app")


async def get_token(authorization: str = Header()) -> str:
    token = data.bearer_token(authorization)
    if token is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return token


async def get_current_user(token: str = Depends(get_token)) -> dict[str, Any]:
    user = data.TOKENS.get(token)
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown token")
    return user


def get_token_sync(authorization: str = Header()) -> str:
    token = data.bearer_token(authorization)
    if token is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return token


def get_current_user_sync(token: str = Depends(get_token_sync)) -> dict[str, Any]:
    user = data.TOKENS.get(token)
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown token")
    return user


@app.get("/items/{item_id}", response_model=Item)
async def read_item(
    item_id: int,
    q: str = Query(min_length=2, max_length=32),
    limit: int = Query(10, ge=1, le=100),
) -> Any:
    return data.item_response(item_id, limit, q)


@app.post("/orders", response_model=Order)
async def create_order(order: Order) -> Any:
    return order


@app.get("/me", response_model=User)
async def read_me(user: dict[str, Any] = Depends(get_current_user)) -> Any:
    return user


@app.get("/plain")
async def plain() -> dict[str, Any]:
    return data.PLAIN


@app.get("/products", response_model=list[Product])
async def list_products() -> Any:
    return data.PRODUCTS


@app.get("/sync/items/{item_id}", response_model=Item)
def read_item_sync(
    item_id: int,
    q: str = Query(min_length=2, max_length=32),
    limit: int = Query(10, ge=1, le=100),
) -> Any:
    return data.item_response(item_id, limit, q)


@app.post("/sync/orders", response_model=Order)
def create_order_sync(order: Order) -> Any:
    return order


@app.get("/sync/me", response_model=User)
def read_me_sync(user: dict[str, Any] = Depends(get_current_user_sync)) -> Any:
    return user


@app.get("/sync/plain")
def plain_sync() -> dict[str, Any]:
    return data.PLAIN


@app.get("/sync/products", response_model=list[Product])
def list_products_sync() -> Any:
    return data.PRODUCTS


@app.post("/upload")
async def upload(file: UploadFile = File()) -> dict[str, Any]:
    content = await file.read()
    return {"filename": file.filename, "size": len(content)}


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)


def _resource_endpoint(route: int) -> Any:
    async def read_resource(item_id: int, verbose: bool = False) -> Any:
        return data.route_response(route, item_id, verbose)

    return read_resource


def build_many_routes_app(count: int = data.MANY_ROUTES) -> FastAPI:
    """An app with `count` parameterised GET routes, /resource0/{item_id} ... ."""
    many = FastAPI(title="veloxapi benchmark: many routes")
    for route in range(count):
        many.add_api_route(
            f"/resource{route}/{{item_id}}",
            _resource_endpoint(route),
            methods=["GET"],
            response_model=RouteOut,
            name=f"read_resource_{route}",
        )
    return many
