"""The application the auth end-to-end tests talk to, over real HTTP."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from veloxapi import Depends, Security, VeloxAPI, WebSocket
from veloxapi.batteries.auth import (
    APIKeyAuth,
    APIKeyVerifier,
    AuthenticatedUser,
    BearerTokenAuth,
    Check,
    Deployment,
    Grant,
    Issuer,
    JWKSOptions,
    OAuth2PasswordTokenAuth,
    PasswordHasher,
    TokenIssuer,
    TokenValidator,
    ValidatedToken,
    and_,
    argument_not_present,
    argument_present,
    current_user,
    field_in_body_matches_jwt_claim,
    field_in_path_matches_jwt_claim,
    key_contains_value,
    key_contains_value_in_list,
    key_present,
    match_keys,
    non_production_only_route,
    or_,
    password_token_endpoint,
    production_only_route,
    protected_route,
    scopes_present,
)

AUDIENCE = "orders-api"
RSA_ISSUER = "https://login.example.com/"
PARTNER_ISSUER = "https://partner.example.com/"
DOWN_ISSUER = "https://down.example.com/"
SLOW_ISSUER = "https://slow.example.com/"
SELF_ISSUER = "https://orders.example.com/"
PARTNER_SECRET = "partner-shared-secret-long-enough-for-hs256!"
OWN_SECRET = "the-orders-service-own-signing-secret-0123456789"
API_KEY = "svc-key-0123456789abcdefghijklmnop"

CHECKS: dict[str, Check] = {
    "scopes": scopes_present(["orders:read", "orders:write"]),
    "key-present": key_present("tenant"),
    "key-contains": key_contains_value("groups", "ops"),
    "key-contains-in-list": key_contains_value_in_list("role", ["admin", "owner"]),
    "match-keys": match_keys({"tenant": "acme", "tier": "gold"}),
    "argument-present": argument_present("confirm"),
    "argument-not-present": argument_not_present("force"),
    "production-only": production_only_route(),
    "non-production-only": non_production_only_route(),
    "and": and_(key_present("tenant"), scopes_present(["orders:read"])),
    "or": or_(key_contains_value("role", "admin"), scopes_present(["orders:admin"])),
}

USERS = {"alice": ("wonderland", ["orders:read", "orders:write"])}


class Order(BaseModel):
    owner: str
    item: str


def build_app(
    *, jwks_url: str, down_url: str, slow_url: str, environment: str = "production"
) -> tuple[VeloxAPI, TokenIssuer]:
    own = TokenIssuer(issuer=SELF_ISSUER, audience=AUDIENCE, secret=OWN_SECRET)
    fast = JWKSOptions(timeout=1.0, min_refresh_interval=0, failure_backoff=0)
    validator = TokenValidator(
        [
            Issuer(RSA_ISSUER, audience=AUDIENCE, jwks_url=jwks_url),
            Issuer(PARTNER_ISSUER, algorithms=["HS256"], audience=AUDIENCE, secret=PARTNER_SECRET),
            Issuer(DOWN_ISSUER, audience=AUDIENCE, jwks_url=down_url),
            Issuer(SLOW_ISSUER, audience=AUDIENCE, jwks_url=slow_url),
            own.verifier(),
        ],
        deployment=Deployment(environment=environment),
        jwks=fast,
    )
    bearer = BearerTokenAuth(validator)
    app = VeloxAPI()
    _token_routes(app, bearer)
    _check_routes(app, bearer)
    _api_key_routes(app)
    _own_idp_routes(app, own, validator)
    return app, own


def _token_routes(app: VeloxAPI, bearer: BearerTokenAuth) -> None:
    @app.get("/me")
    async def me(token: ValidatedToken = Security(bearer)) -> dict[str, Any]:
        return {"sub": token.subject, "iss": token.issuer, "scopes": list(token.scopes)}

    @app.get("/orders")
    async def orders(token: ValidatedToken = Security(bearer, scopes=["orders:read"])) -> list[str]:
        return ["order-1"]

    @app.websocket("/stream")
    async def stream(
        websocket: WebSocket, token: ValidatedToken = Security(bearer, scopes=["stream"])
    ) -> None:
        await websocket.accept()
        await websocket.send_json({"sub": token.subject})
        await websocket.close()

    @app.get("/profile")
    async def profile(
        user: AuthenticatedUser = Security(current_user(bearer), scopes=["profile"]),
    ) -> dict[str, str]:
        return {"id": user.id}


def _check_routes(app: VeloxAPI, bearer: BearerTokenAuth) -> None:
    for name, check in CHECKS.items():
        app.add_api_route(
            f"/checks/{name}",
            _ok,
            methods=["GET"],
            dependencies=[Depends(protected_route(check, auth=bearer))],
        )

    tenant_check = field_in_path_matches_jwt_claim("tenant_id", "tenant")

    @app.get("/tenants/{tenant_id}")
    async def tenant(
        tenant_id: str, token: ValidatedToken = Depends(protected_route(tenant_check, auth=bearer))
    ) -> dict[str, str]:
        return {"tenant": tenant_id, "sub": token.subject or ""}

    owner_check = field_in_body_matches_jwt_claim("owner", "sub")

    @app.post("/orders", dependencies=[Depends(protected_route(owner_check, auth=bearer))])
    async def create_order(order: Order) -> Order:
        return order

    @app.get(
        "/partner-only",
        dependencies=[
            Depends(
                protected_route(key_present("sub"), auth=bearer, allowed_issuers=[PARTNER_ISSUER])
            )
        ],
    )
    async def partner_only() -> dict[str, bool]:
        return {"ok": True}


async def _ok() -> dict[str, bool]:
    return {"ok": True}


def _api_key_routes(app: VeloxAPI) -> None:
    api_key = APIKeyAuth(APIKeyVerifier([API_KEY]), header="X-Service-Key")

    @app.get("/service", dependencies=[Security(api_key)])
    async def service() -> dict[str, bool]:
        return {"ok": True}


def _own_idp_routes(app: VeloxAPI, own: TokenIssuer, validator: TokenValidator) -> None:
    hasher = PasswordHasher()
    hashes = {name: (hasher.hash(pw), scopes) for name, (pw, scopes) in USERS.items()}

    async def authenticate(username: str, password: str) -> Grant | None:
        stored, scopes = hashes.get(username, (None, []))
        if not hasher.verify(password, stored):
            return None
        return Grant(subject=username, scopes=scopes)

    app.post("/token")(password_token_endpoint(own, authenticate))
    oauth2 = OAuth2PasswordTokenAuth(
        validator, "/token", scopes={"orders:read": "Read orders", "orders:write": "Write orders"}
    )

    @app.get("/own/orders")
    async def own_orders(
        user: AuthenticatedUser = Security(current_user(oauth2), scopes=["orders:read"]),
    ) -> dict[str, str]:
        return {"user": user.id}
