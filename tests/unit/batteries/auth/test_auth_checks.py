"""Every route check, their combinations, allowed_issuers and the development switch."""

from __future__ import annotations

from typing import Any

import pytest
from auth_support import AUDIENCE, HMAC_SECRET, claims, hmac_token

from veloxapi.batteries.auth import (
    Check,
    CheckContext,
    Deployment,
    ForbiddenError,
    Issuer,
    TokenValidator,
    ValidatedToken,
    and_,
    argument_not_present,
    argument_present,
    field_in_body_matches_jwt_claim,
    field_in_path_matches_jwt_claim,
    key_contains_value,
    key_contains_value_in_list,
    key_present,
    match_keys,
    non_production_only_route,
    or_,
    production_only_route,
    scopes_present,
)
from veloxapi.batteries.auth.guard import RouteGuard
from veloxapi.batteries.settings import ConfigurationError

pytestmark = pytest.mark.anyio

ISSUER = "https://login.example.com/"
OTHER = "https://partner.example.com/"
OTHER_SECRET = "another-shared-secret-long-enough-for-hs256!!"


def make_validator(deployment: Deployment | None = None) -> TokenValidator:
    return TokenValidator(
        [
            Issuer(ISSUER, algorithms=["HS256"], audience=AUDIENCE, secret=HMAC_SECRET),
            Issuer(OTHER, algorithms=["HS256"], audience=AUDIENCE, secret=OTHER_SECRET),
        ],
        deployment=deployment,
    )


async def validated(issuer: str = ISSUER, **extra: Any) -> ValidatedToken:
    secret = HMAC_SECRET if issuer == ISSUER else OTHER_SECRET
    return await make_validator().validate(hmac_token(claims(issuer, **extra), secret))


async def context(
    token: ValidatedToken | None = None,
    *,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: object = None,
    deployment: Deployment | None = None,
) -> CheckContext:
    async def json_body() -> object:
        return body

    return CheckContext(
        token=token or await validated(),
        deployment=deployment or Deployment(),
        path_params=path or {},
        query_params=query or {},
        json_body=json_body,
    )


async def passes(check: Check, ctx: CheckContext | None = None) -> bool:
    return await check(ctx or await context())


async def test_scopes_present() -> None:
    ctx = await context(await validated(scope="read write"))
    assert await passes(scopes_present(["read"]), ctx)
    assert await passes(scopes_present(["read", "write"]), ctx)
    assert not await passes(scopes_present(["read", "admin"]), ctx)


async def test_scopes_present_with_list_claim() -> None:
    token = await make_validator().validate(hmac_token(claims(ISSUER, scope=["a", "b"])))
    assert await passes(scopes_present(["b"]), await context(token))


async def test_key_present() -> None:
    ctx = await context(await validated(tenant="acme", nothing=None))
    assert await passes(key_present("tenant"), ctx)
    assert not await passes(key_present("org"), ctx)


async def test_key_contains_value() -> None:
    ctx = await context(await validated(role="admin", groups=["ops", "dev"]))
    assert await passes(key_contains_value("role", "admin"), ctx)
    assert await passes(key_contains_value("groups", "ops"), ctx)
    assert not await passes(key_contains_value("groups", "sales"), ctx)
    assert not await passes(key_contains_value("role", "ad"), ctx)
    assert not await passes(key_contains_value("missing", "x"), ctx)


async def test_key_contains_value_in_list() -> None:
    ctx = await context(await validated(role="editor", groups=["ops"]))
    assert await passes(key_contains_value_in_list("role", ["admin", "editor"]), ctx)
    assert await passes(key_contains_value_in_list("groups", ["sales", "ops"]), ctx)
    assert not await passes(key_contains_value_in_list("role", ["admin", "owner"]), ctx)


async def test_match_keys() -> None:
    ctx = await context(await validated(tenant="acme", tier="gold"))
    assert await passes(match_keys({"tenant": "acme", "tier": "gold"}), ctx)
    assert not await passes(match_keys({"tenant": "acme", "tier": "silver"}), ctx)
    assert not await passes(match_keys({"region": "eu"}), ctx)


async def test_field_in_path_matches_jwt_claim() -> None:
    token = await validated(tenant="acme", account=17)
    check = field_in_path_matches_jwt_claim("tenant_id", "tenant")
    assert await passes(check, await context(token, path={"tenant_id": "acme"}))
    assert not await passes(check, await context(token, path={"tenant_id": "globex"}))
    assert not await passes(check, await context(token))
    numeric = field_in_path_matches_jwt_claim("account_id", "account")
    assert await passes(numeric, await context(token, path={"account_id": "17"}))


async def test_field_in_body_matches_jwt_claim() -> None:
    token = await validated(sub="user-42")
    check = field_in_body_matches_jwt_claim("owner", "sub")
    assert await passes(check, await context(token, body={"owner": "user-42"}))
    assert not await passes(check, await context(token, body={"owner": "user-7"}))
    assert not await passes(check, await context(token, body={"other": 1}))
    assert not await passes(check, await context(token, body=["owner"]))
    assert not await passes(check, await context(token, body=None))


async def test_a_null_claim_matches_no_body_field() -> None:
    token = await make_validator().validate(hmac_token({**claims(ISSUER), "owner": None}))
    check = field_in_body_matches_jwt_claim("owner", "owner")
    assert not await passes(check, await context(token, body={"owner": None}))
    assert not await passes(check, await context(token, body={}))


async def test_argument_present_and_not_present() -> None:
    with_arg = await context(query={"dry_run": "1"})
    without = await context(query={})
    assert await passes(argument_present("dry_run"), with_arg)
    assert not await passes(argument_present("dry_run"), without)
    assert await passes(argument_not_present("dry_run"), without)
    assert not await passes(argument_not_present("dry_run"), with_arg)


async def test_production_only_and_non_production_only() -> None:
    prod = await context(deployment=Deployment("production"))
    dev = await context(deployment=Deployment("development"))
    assert await passes(production_only_route(), prod)
    assert not await passes(production_only_route(), dev)
    assert await passes(non_production_only_route(), dev)
    assert not await passes(non_production_only_route(), prod)


async def test_and_or_compose() -> None:
    ctx = await context(await validated(scope="read", role="admin"))
    read, write = scopes_present(["read"]), scopes_present(["write"])
    admin = key_contains_value("role", "admin")
    assert await passes(and_(read, admin), ctx)
    assert not await passes(and_(read, write), ctx)
    assert await passes(or_(write, admin), ctx)
    assert not await passes(or_(write, key_present("missing")), ctx)
    assert await passes(or_(and_(write, admin), and_(read, admin)), ctx)


@pytest.mark.parametrize(
    "build",
    [
        lambda: scopes_present([]),
        lambda: scopes_present("read"),
        lambda: key_contains_value_in_list("role", []),
        lambda: match_keys({}),
        lambda: and_(),
        lambda: or_(),
    ],
)
async def test_bad_check_arguments_fail_at_build_time(build: Any) -> None:
    with pytest.raises(ConfigurationError):
        build()


async def test_guard_enforces_allowed_issuers() -> None:
    guard = RouteGuard(key_present("sub"), validator=make_validator(), allowed_issuers=[ISSUER])
    await guard.authorize(await context(await validated(ISSUER)))
    with pytest.raises(ForbiddenError, match="issuer is not allowed"):
        await guard.authorize(await context(await validated(OTHER)))


async def test_guard_refuses_when_check_fails() -> None:
    guard = RouteGuard(scopes_present(["admin"]), validator=make_validator())
    with pytest.raises(ForbiddenError) as info:
        await guard.authorize(await context(await validated(scope="read")))
    assert info.value.status_code == 403


async def test_allowed_issuers_must_be_trusted() -> None:
    with pytest.raises(ConfigurationError, match="does not trust"):
        RouteGuard(
            key_present("sub"),
            validator=make_validator(),
            allowed_issuers=["https://unknown.example.com/"],
        )
    with pytest.raises(ConfigurationError, match="non-empty list"):
        RouteGuard(key_present("sub"), validator=make_validator(), allowed_issuers=ISSUER)


async def test_relaxed_checks_outside_production_skip_check_not_issuers() -> None:
    relaxed = Deployment(environment="development", relax_checks=True)
    guard = RouteGuard(
        scopes_present(["admin"]),
        validator=make_validator(relaxed),
        allowed_issuers=[ISSUER],
    )
    await guard.authorize(await context(await validated(scope="read"), deployment=relaxed))
    with pytest.raises(ForbiddenError):
        await guard.authorize(await context(await validated(OTHER), deployment=relaxed))
