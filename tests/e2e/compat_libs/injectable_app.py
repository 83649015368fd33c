"""fastapi-injectable, unchanged: ``Depends()`` resolved in plain functions, outside routes."""

import veloxapi.compat

veloxapi.compat.install()

from collections.abc import Iterator  # noqa: E402
from typing import Annotated  # noqa: E402

from fastapi import Depends, FastAPI  # noqa: E402
from fastapi_injectable import injectable  # noqa: E402

EVENTS: list[str] = []


class Database:
    def __init__(self) -> None:
        self.rows = {"a": 1, "b": 2}


def get_database() -> Iterator[Database]:
    EVENTS.append("open")
    yield Database()
    EVENTS.append("close")


def get_prefix() -> str:
    return "row:"


@injectable
def lookup(
    key: str,
    db: Annotated[Database, Depends(get_database)],
    prefix: Annotated[str, Depends(get_prefix)],
) -> str:
    return f"{prefix}{db.rows[key]}"


@injectable
async def count(db: Annotated[Database, Depends(get_database)]) -> int:
    return len(db.rows)


app = FastAPI()


@app.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@app.get("/lookup/{key}")
def lookup_route(key: str) -> dict[str, str]:
    return {"value": lookup(key)}  # type: ignore[call-arg]


@app.get("/count")
async def count_route() -> dict[str, int]:
    return {"count": await count()}  # type: ignore[call-arg]


@app.get("/events")
def events() -> list[str]:
    return EVENTS
