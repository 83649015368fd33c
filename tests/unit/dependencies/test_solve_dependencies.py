"""``solve_dependencies``: a Dependant solved for a request by veloxapi's engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import BaseModel
from starlette.requests import Request

from veloxapi import BackgroundTasks, Body, Depends, Header, Response
from veloxapi.dependencies.utils import get_dependant, solve_dependencies

pytestmark = pytest.mark.anyio


def request_with(headers: dict[str, str] | None = None, query: bytes = b"") -> Request:
    raw = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "headers": raw, "query_string": query, "path_params": {}})


class Item(BaseModel):
    name: str


async def test_values_come_from_the_request_and_dependencies() -> None:
    def user(x_user: Annotated[str, Header()]) -> str:
        return x_user.upper()

    def endpoint(limit: int, who: str = Depends(user)) -> None:
        return None

    dependant = get_dependant(path="/", call=endpoint)
    async with AsyncExitStack() as stack:
        solved = await solve_dependencies(
            request=request_with({"x-user": "ann"}, b"limit=3"),
            dependant=dependant,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    assert solved.errors == []
    assert solved.values == {"limit": 3, "who": "ANN"}


async def test_errors_are_collected_not_raised() -> None:
    def user(x_user: Annotated[str, Header()]) -> str:
        return x_user

    def endpoint(limit: int, who: str = Depends(user)) -> None:
        return None

    async with AsyncExitStack() as stack:
        solved = await solve_dependencies(
            request=request_with(query=b"limit=many"),
            dependant=get_dependant(path="/", call=endpoint),
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    assert sorted(tuple(e["loc"]) for e in solved.errors) == [
        ("header", "x-user"),
        ("query", "limit"),
    ]


async def test_a_parsed_body_is_used_single_or_embedded() -> None:
    def single(item: Item) -> None:
        return None

    def embedded(item: Item, note: Annotated[str, Body()]) -> None:
        return None

    async with AsyncExitStack() as stack:
        one = await solve_dependencies(
            request=request_with(),
            dependant=get_dependant(path="/", call=single),
            body={"name": "lamp"},
            async_exit_stack=stack,
            embed_body_fields=False,
        )
        wrapped = await solve_dependencies(
            request=request_with(),
            dependant=get_dependant(path="/", call=single),
            body={"item": {"name": "lamp"}},
            async_exit_stack=stack,
            embed_body_fields=True,
        )
        two = await solve_dependencies(
            request=request_with(),
            dependant=get_dependant(path="/", call=embedded),
            body={"item": {"name": "desk"}, "note": "n"},
            async_exit_stack=stack,
            embed_body_fields=True,
        )
    assert one.values == {"item": Item(name="lamp")}
    assert wrapped.values == {"item": Item(name="lamp")}
    assert two.values == {"item": Item(name="desk"), "note": "n"}


async def test_dependency_cache_is_read_and_filled() -> None:
    calls: list[str] = []

    def shared() -> str:
        calls.append("shared")
        return "computed"

    def endpoint(value: str = Depends(shared)) -> None:
        return None

    dependant = get_dependant(path="/", call=endpoint)
    async with AsyncExitStack() as stack:
        first = await solve_dependencies(
            request=request_with(),
            dependant=dependant,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
        prefilled = {(shared, (), ""): "from the cache"}
        second = await solve_dependencies(
            request=request_with(),
            dependant=dependant,
            dependency_cache=prefilled,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    assert first.dependency_cache == {(shared, (), ""): "computed"}
    assert second.values == {"value": "from the cache"}
    assert calls == ["shared"]


async def test_background_tasks_and_response_are_shared_with_the_caller() -> None:
    def setter(response: Response, tasks: BackgroundTasks) -> None:
        response.headers["x-set"] = "yes"
        response.status_code = 201
        tasks.add_task(print, "later")

    def endpoint(_: None = Depends(setter)) -> None:
        return None

    given = Response()
    async with AsyncExitStack() as stack:
        solved = await solve_dependencies(
            request=request_with(),
            dependant=get_dependant(path="/", call=endpoint),
            response=given,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    assert solved.response is given and given.headers["x-set"] == "yes"
    assert given.status_code == 201
    assert solved.background_tasks is not None and len(solved.background_tasks.tasks) == 1


async def test_yield_dependencies_close_with_the_callers_stack() -> None:
    events: list[str] = []

    def resource() -> Iterator[str]:
        events.append("open")
        yield "res"
        events.append("close")

    def endpoint(res: str = Depends(resource)) -> None:
        return None

    async with AsyncExitStack() as stack:
        solved = await solve_dependencies(
            request=request_with(),
            dependant=get_dependant(path="/", call=endpoint),
            async_exit_stack=stack,
            embed_body_fields=False,
        )
        assert solved.values == {"res": "res"} and events == ["open"]
    assert events == ["open", "close"]


async def test_overrides_and_edits_of_the_tree_apply() -> None:
    def original() -> str:
        return "original"

    def endpoint(value: str = Depends(original)) -> None:
        return None

    class Provider:
        dependency_overrides: ClassVar[dict[Any, Any]] = {original: lambda: "overridden"}

    dependant = get_dependant(path="/", call=endpoint)
    async with AsyncExitStack() as stack:
        overridden = await solve_dependencies(
            request=request_with(),
            dependant=dependant,
            dependency_overrides_provider=Provider(),
            async_exit_stack=stack,
            embed_body_fields=False,
        )
        dependant.dependencies.clear()
        edited = await solve_dependencies(
            request=request_with(),
            dependant=dependant,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    assert overridden.values == {"value": "overridden"}
    assert edited.values == {}
