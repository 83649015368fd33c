"""``veloxapi.dependencies.utils``: endpoints and dependencies analysed into Dependant views."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel

from veloxapi import Body, Cookie, Depends, Form, Header, Request, Security
from veloxapi import params as param_types
from veloxapi.dependencies.utils import (
    _get_body_field,
    _get_flat_body_params,
    _should_embed_body_fields,
    get_dependant,
    get_parameterless_sub_dependant,
    get_typed_annotation,
    get_typed_return_annotation,
    get_typed_signature,
)
from veloxapi.security import SecurityScopes


class Item(BaseModel):
    name: str


def get_db() -> Iterator[str]:
    yield "db"


def scoped(security_scopes: SecurityScopes) -> list[str]:
    return security_scopes.scopes


def endpoint(
    item_id: int,
    request: Request,
    q: str | None = None,
    x_token: Annotated[str, Header()] = "",
    session: Annotated[str | None, Cookie()] = None,
    db: str = Depends(get_db),
    who: list[str] = Security(scoped, scopes=["items:read"]),
    item: Item = Body(embed=True),
) -> Item:
    return item


def test_parameters_are_sorted_by_source() -> None:
    view = get_dependant(path="/items/{item_id}", call=endpoint)
    assert [f.name for f in view.path_params] == ["item_id"]
    assert [f.name for f in view.query_params] == ["q"]
    assert [(f.name, f.alias) for f in view.header_params] == [("x_token", "x-token")]
    assert [f.name for f in view.cookie_params] == ["session"]
    assert [f.name for f in view.body_params] == ["item"]
    assert view.request_param_name == "request"
    assert view.path_params[0].field_info.annotation is int
    assert view.body_params[0].field_info.annotation is Item


def test_dependencies_carry_names_scopes_and_cleanup_scope() -> None:
    view = get_dependant(path="/items/{item_id}", call=endpoint)
    db, who = view.dependencies
    assert (db.name, db.call) == ("db", get_db)
    assert (who.name, who.own_oauth_scopes) == ("who", ["items:read"])
    assert who.security_scopes_param_name == "security_scopes"


def test_parameterless_dependency_keeps_its_security_scopes() -> None:
    sub = get_parameterless_sub_dependant(depends=Security(scoped, scopes=["admin"]), path="/")
    assert sub.name is None and sub.call is scoped
    assert sub.own_oauth_scopes == ["admin"]


def test_flat_body_params_walk_the_tree() -> None:
    def needs_body(extra: Annotated[int, Body()]) -> int:
        return extra

    def route(item: Item, extra: int = Depends(needs_body)) -> None:
        return None

    view = get_dependant(path="/", call=route)
    fields = _get_flat_body_params(view)
    assert [f.name for f in fields] == ["item", "extra"]
    assert _should_embed_body_fields(fields)
    assert not _should_embed_body_fields(fields[:1])
    body = _get_body_field(body_params=fields, name="route", embed_body_fields=True)
    assert body is not None and body.name == "body"
    assert set(body.field_info.annotation.model_fields) == {"extra", "item"}  # type: ignore[union-attr]
    single = _get_body_field(body_params=fields[:1], name="route", embed_body_fields=False)
    assert single is fields[0]


def test_form_fields_are_embedded() -> None:
    def login(username: Annotated[str, Form()]) -> None:
        return None

    fields = get_dependant(path="/", call=login).body_params
    assert _should_embed_body_fields(fields)
    body = _get_body_field(body_params=fields, name="login", embed_body_fields=True)
    assert body is not None and isinstance(body.field_info, param_types.Form)


def test_typed_signature_resolves_string_annotations() -> None:
    def handler(item: Item, count: int = 1) -> Item:
        return item

    handler.__annotations__ = {"item": "Item", "count": "int", "return": "Item"}
    signature = get_typed_signature(handler)
    assert [p.annotation for p in signature.parameters.values()] == [Item, int]
    assert get_typed_return_annotation(handler) is Item
    assert get_typed_annotation("None", globals()) is None
