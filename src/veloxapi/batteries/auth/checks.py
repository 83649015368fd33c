"""Composable route checks: predicates over a validated token and its request.

A check is an async callable taking a :class:`CheckContext` and answering
``True`` (allow) or ``False`` (refuse with 403). Build them with the functions
here and combine them with :func:`and_` / :func:`or_`; pass the result to
:func:`~veloxapi.batteries.auth.protected_route`. Arguments are checked when
the check is built, so a mistake fails at start-up, not on a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veloxapi.batteries.settings import ConfigurationError

from .deployment import Deployment
from .validator import ValidatedToken

_MISSING = object()


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at: the token, the request's parameters and body."""

    token: ValidatedToken
    deployment: Deployment
    path_params: Mapping[str, Any]
    query_params: Mapping[str, str]
    json_body: Callable[[], Awaitable[object]]
    """Returns the request body parsed as JSON, or ``None`` if it is not JSON."""


Check = Callable[[CheckContext], Awaitable[bool]]


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise ConfigurationError([problem])


def _names(kind: str, values: Sequence[Any]) -> list[Any]:
    _require(
        not isinstance(values, str) and len(values) > 0,
        f"{kind} needs a non-empty list, got {values!r}",
    )
    return list(values)


def _claim_contains(claim: object, value: object) -> bool:
    if isinstance(claim, list):
        return value in claim
    return claim == value


def and_(*checks: Check) -> Check:
    """Passes when every check passes (checked in order, stopping at the first refusal)."""
    _require(len(checks) > 0, "and_() needs at least one check")

    async def check(ctx: CheckContext) -> bool:
        for part in checks:
            if not await part(ctx):
                return False
        return True

    return check


def or_(*checks: Check) -> Check:
    """Passes when any check passes (checked in order, stopping at the first success)."""
    _require(len(checks) > 0, "or_() needs at least one check")

    async def check(ctx: CheckContext) -> bool:
        for part in checks:
            if await part(ctx):
                return True
        return False

    return check


def scopes_present(scopes: Sequence[str]) -> Check:
    """The token grants every one of ``scopes``."""
    wanted = set(_names("scopes_present()", scopes))

    async def check(ctx: CheckContext) -> bool:
        return wanted.issubset(ctx.token.scopes)

    return check


def key_present(key: str) -> Check:
    """The token has claim ``key`` (with any value but ``null``)."""

    async def check(ctx: CheckContext) -> bool:
        return ctx.token.claims.get(key) is not None

    return check


def key_contains_value(key: str, value: object) -> Check:
    """Claim ``key`` equals ``value``, or is a list containing it."""

    async def check(ctx: CheckContext) -> bool:
        return _claim_contains(ctx.token.claims.get(key, _MISSING), value)

    return check


def key_contains_value_in_list(key: str, values: Sequence[object]) -> Check:
    """Claim ``key`` equals, or is a list containing, at least one of ``values``."""
    accepted = _names("key_contains_value_in_list()", values)

    async def check(ctx: CheckContext) -> bool:
        claim = ctx.token.claims.get(key, _MISSING)
        return any(_claim_contains(claim, value) for value in accepted)

    return check


def match_keys(expected: Mapping[str, object]) -> Check:
    """Every claim named in ``expected`` has exactly the given value."""
    _require(len(expected) > 0, "match_keys() needs at least one claim and value")
    pairs = dict(expected)

    async def check(ctx: CheckContext) -> bool:
        claims = ctx.token.claims
        return all(claims.get(key, _MISSING) == value for key, value in pairs.items())

    return check


def field_in_path_matches_jwt_claim(field: str, claim: str) -> Check:
    """Path parameter ``field`` equals claim ``claim`` (compared as text)."""

    async def check(ctx: CheckContext) -> bool:
        value = ctx.path_params.get(field)
        expected = ctx.token.claims.get(claim)
        if value is None or not isinstance(expected, str | int) or isinstance(expected, bool):
            return False
        return str(value) == str(expected)

    return check


def field_in_body_matches_jwt_claim(field: str, claim: str) -> Check:
    """Field ``field`` of the JSON body object equals claim ``claim`` (never ``null``)."""

    async def check(ctx: CheckContext) -> bool:
        expected = ctx.token.claims.get(claim)
        if expected is None:
            return False
        body = await ctx.json_body()
        return isinstance(body, dict) and bool(body.get(field) == expected)

    return check


def argument_present(name: str) -> Check:
    """The query string has argument ``name``."""

    async def check(ctx: CheckContext) -> bool:
        return name in ctx.query_params

    return check


def argument_not_present(name: str) -> Check:
    """The query string does not have argument ``name``."""

    async def check(ctx: CheckContext) -> bool:
        return name not in ctx.query_params

    return check


def production_only_route() -> Check:
    """The service runs in production."""

    async def check(ctx: CheckContext) -> bool:
        return ctx.deployment.is_production

    return check


def non_production_only_route() -> Check:
    """The service runs outside production."""

    async def check(ctx: CheckContext) -> bool:
        return not ctx.deployment.is_production

    return check
