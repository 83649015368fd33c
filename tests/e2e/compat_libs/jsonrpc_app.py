"""fastapi-jsonrpc, unchanged: an entrypoint with methods, dependencies and errors."""

import veloxapi.compat

veloxapi.compat.install()

from typing import Annotated  # noqa: E402

import fastapi_jsonrpc as jsonrpc  # noqa: E402
from fastapi import Body, Depends, Header  # noqa: E402
from pydantic import BaseModel  # noqa: E402


class Unauthorized(jsonrpc.BaseError):
    CODE = 4001
    MESSAGE = "Unauthorized"


def caller(x_user: Annotated[str | None, Header()] = None) -> str:
    if x_user is None:
        raise Unauthorized()
    return x_user


class Total(BaseModel):
    total: int
    by: str


app = jsonrpc.API()
api = jsonrpc.Entrypoint("/api/v1/jsonrpc")


@app.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@api.method()
def echo(data: Annotated[str, Body(examples=["hi"])]) -> str:
    return data


@api.method(errors=[Unauthorized])
def add(a: int, b: int, user: Annotated[str, Depends(caller)]) -> Total:
    return Total(total=a + b, by=user)


app.bind_entrypoint(api)
