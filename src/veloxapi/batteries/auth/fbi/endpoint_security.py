"""FBI's route checks, with FBI's names, parameters and meanings, as battery checks.

Each function returns a check for :func:`~.protection.protected_route`. A
check is called with a :class:`ProtectedScopeEnvironment`: FBI's ``scopes``,
``claims`` (flattened, see :mod:`veloxapi.batteries.auth.fbi.jwt`) and
``request``, which is also the battery's
:class:`~veloxapi.batteries.auth.CheckContext`, so FBI checks,
battery checks and your own FBI-style checks combine freely with
:func:`or_` and :func:`and_`.

Where FBI's meaning differs from the battery check of the same name, FBI's is
kept here: :func:`match_keys` compares path parameters with claims (a list
claim must contain the path value), :func:`argument_present` compares a query
argument with a value (ignoring case), :func:`key_contains_value` is plain
equality and :func:`key_contains_value_in_list` asks whether the claim is one
of the values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veloxapi.requests import Request

from .. import checks
from ..checks import Check, CheckContext
from ..routes import json_or_none
from ..validator import ValidatedToken
from .jwt import jwt_settings

_DEPLOYMENT = jwt_settings.deployment()


@dataclass(frozen=True, init=False)
class ProtectedScopeEnvironment(CheckContext):
    """What an FBI check sees: ``scopes``, ``claims`` and the ``request``."""

    request: Request

    def __init__(
        self,
        *,
        request: Request,
        scopes: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None,
    ) -> None:
        given = dict(claims or {})
        issuer = given.get("iss")
        token = ValidatedToken(
            claims=given, scopes=tuple(scopes), issuer=issuer if isinstance(issuer, str) else ""
        )
        fields: dict[str, object] = {
            "token": token,
            "deployment": _DEPLOYMENT,
            "path_params": request.path_params,
            "query_params": request.query_params,
            "json_body": lambda: json_or_none(request),
            "request": request,
        }
        for name, value in fields.items():  # a frozen dataclass sets its fields this way
            object.__setattr__(self, name, value)

    @property
    def scopes(self) -> list[str]:
        return list(self.token.scopes)

    @property
    def claims(self) -> Mapping[str, Any]:
        return self.token.claims


ProtectedScopeOperation = Callable[[ProtectedScopeEnvironment], Awaitable[bool]]
"""An FBI check: ``async def check(env: ProtectedScopeEnvironment) -> bool``."""


def as_check(operation: ProtectedScopeOperation) -> Check:
    """``operation`` as a battery check (it only ever sees FBI environments)."""

    async def check(ctx: CheckContext) -> bool:
        return isinstance(ctx, ProtectedScopeEnvironment) and await operation(ctx)

    return check


def or_(*args: ProtectedScopeOperation) -> Check:
    """Passes when any of the checks passes."""
    return checks.or_(*map(as_check, args))


def and_(*args: ProtectedScopeOperation) -> Check:
    """Passes when every check passes."""
    return checks.and_(*map(as_check, args))


def key_present(key_to_contain: str) -> Check:
    """The claims have ``key_to_contain`` (whatever its value)."""

    async def check(ctx: CheckContext) -> bool:
        return key_to_contain in ctx.token.claims

    return check


def key_contains_value(key_to_contain: str, value_to_contain: object) -> Check:
    """Claim ``key_to_contain`` equals ``value_to_contain``."""

    async def check(ctx: CheckContext) -> bool:
        claims = ctx.token.claims
        return key_to_contain in claims and bool(claims[key_to_contain] == value_to_contain)

    return check


def key_contains_value_in_list(
    key_to_contain: str, list_of_possible_values_to_contain: Sequence[object]
) -> Check:
    """Claim ``key_to_contain`` is one of ``list_of_possible_values_to_contain``."""
    accepted = list(list_of_possible_values_to_contain)

    async def check(ctx: CheckContext) -> bool:
        claims = ctx.token.claims
        return key_to_contain in claims and claims[key_to_contain] in accepted

    return check


def scopes_present(required_scopes: str | Sequence[str]) -> Check:
    """The token grants every one of ``required_scopes`` (one scope may be a bare string)."""
    wanted = [required_scopes] if isinstance(required_scopes, str) else list(required_scopes)
    return checks.scopes_present(wanted)


def match_keys(**route_params: str) -> Check:
    """Each path parameter named on the left matches the claim named on the right.

    ``match_keys(patient_id="patient_id")``: the ``patient_id`` path parameter
    equals the claim, or is in it when the claim is a list. No pairs: passes.
    """

    async def check(ctx: CheckContext) -> bool:
        return all(_path_matches(ctx, param, claim) for param, claim in route_params.items())

    return check


def _path_matches(ctx: CheckContext, param: str, claim: str) -> bool:
    claims = ctx.token.claims
    if param not in ctx.path_params or claim not in claims:
        return False
    value, permission = ctx.path_params[param], claims[claim]
    if isinstance(permission, list):
        return value in permission
    return not isinstance(permission, dict) and bool(value == permission)


def argument_present(argument: str, expected_value: str) -> Check:
    """Query argument ``argument`` equals ``expected_value``, ignoring case."""

    async def check(ctx: CheckContext) -> bool:
        return ctx.query_params.get(argument, "").upper() == expected_value.upper()

    return check


def argument_not_present(argument: str) -> Check:
    """The query string has no argument ``argument``."""
    return checks.argument_not_present(argument)


def field_in_path_matches_jwt_claim(path_field_name: str, jwt_claim_name: str) -> Check:
    """Path parameter ``path_field_name`` equals claim ``jwt_claim_name``."""
    return checks.field_in_path_matches_jwt_claim(path_field_name, jwt_claim_name)


def field_in_body_matches_jwt_claim(body_field_name: str, jwt_claim_name: str) -> Check:
    """Field ``body_field_name`` of the JSON body equals claim ``jwt_claim_name``."""
    return checks.field_in_body_matches_jwt_claim(body_field_name, jwt_claim_name)


def production_only_route() -> Check:
    """The service runs in production (``ENVIRONMENT``, FBI's rule)."""
    return checks.production_only_route()


def non_production_only_route() -> Check:
    """The service runs outside production (``ENVIRONMENT``, FBI's rule)."""
    return checks.non_production_only_route()
