"""Dependencies guide: a shared parameter set, a yield dependency, per-request caching."""

from collections.abc import Iterator
from typing import Annotated

from veloxapi import Depends, Query, VeloxAPI

app = VeloxAPI()
opened: list[str] = []
closed: list[str] = []


class Page:
    def __init__(
        self,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> None:
        self.offset = offset
        self.limit = limit


def connection() -> Iterator[str]:
    name = f"conn-{len(opened)}"
    opened.append(name)
    try:
        yield name
    finally:
        closed.append(name)


Connection = Annotated[str, Depends(connection)]


def repository(conn: Connection) -> str:
    return f"repo({conn})"


@app.get("/items")
def items(
    page: Annotated[Page, Depends()], conn: Connection, repo: Annotated[str, Depends(repository)]
) -> dict[str, object]:
    # `conn` and the one inside `repository` are the same value: one call per request.
    return {"offset": page.offset, "limit": page.limit, "conn": conn, "repo": repo}
