"""Pieces every validator shares: wire names of a parameter, its model field, and
errors shaped as FastAPI reports them (``loc`` prefixed by the source, no URLs)."""

from __future__ import annotations

from typing import Any

from pydantic import (
    AliasChoices,
    ValidationError,
)
from pydantic.fields import FieldInfo

from veloxapi._engine.compile.analysis import ParamSpec, Source

ErrorList = list[dict[str, Any]]


def shape_errors(
    exc: ValidationError, prefix: tuple[Any, ...], top_missing_none: bool
) -> ErrorList:
    """Pydantic errors as FastAPI reports them (no URLs; ``loc`` prefixed)."""
    shaped: ErrorList = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        item: dict[str, Any] = {"type": err["type"], "loc": loc, "msg": err["msg"]}
        item["input"] = (
            None
            if top_missing_none and err["type"] == "missing" and len(err["loc"]) == 1
            else err["input"]
        )
        if "ctx" in err:
            item["ctx"] = err["ctx"]
        shaped.append(item)
    return shaped


def missing_error(loc: tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def wire_alias(info: FieldInfo) -> str | AliasChoices | None:
    """The validation alias that names request keys: a name or a choice of names.

    A validation alias that reaches into nested data (``AliasPath``) does not
    name a request key, so such a parameter is read by its alias or name.
    """
    va = info.validation_alias
    if isinstance(va, str):
        return va
    if isinstance(va, AliasChoices) and all(isinstance(c, str) for c in va.choices):
        return va
    return None


def lookup_names(spec: ParamSpec) -> tuple[str, ...]:
    """The wire names under which a parameter's value may arrive, in order of preference
    (lower-cased for headers, which are matched without regard to case)."""
    names = declared_names(spec)
    if spec.source is Source.HEADER:
        return tuple(n.lower() for n in names)
    return names


def declared_names(spec: ParamSpec) -> tuple[str, ...]:
    """The parameter's wire names as declared: what errors name the value by."""
    va = wire_alias(spec.field_info)
    if va is None:
        names: tuple[str, ...] = (spec.alias,)
    elif isinstance(va, str):
        names = (va,)
    else:
        names = tuple(dict.fromkeys(str(c) for c in va.choices))
    if spec.source is Source.PATH and spec.alias not in names:
        names = (*names, spec.alias)  # a route whose template uses none of the choices
    return names


def field_for(spec: ParamSpec, wire: str | None = None) -> tuple[Any, FieldInfo]:
    """The model field validating ``spec``: its declaration, wire names and default.

    With ``wire``, the field reads that one key (a whole body held under its name).
    """
    info = spec.field_info
    overrides: dict[str, Any] = {}
    if info.default_factory is not None:
        overrides["default_factory"] = info.default_factory
    else:
        overrides["default"] = info.default
    if wire is not None:
        overrides["alias"] = overrides["validation_alias"] = wire
    else:
        names = declared_names(spec)
        overrides["alias"] = names[0]
        overrides["validation_alias"] = names[0] if len(names) == 1 else AliasChoices(*names)
    return spec.annotation, FieldInfo.merge_field_infos(*spec.earlier_infos, info, **overrides)


KEY_SEPARATOR = "\x00"
