"""Loading the FBI migration module under a chosen environment, as a service would.

FBI reads its settings when it is imported; so does the migration module. Each
test sets the environment, then imports the module afresh.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

import jwt
import pytest

FBI_VARIABLES = (
    "ENVIRONMENT",
    "HS_KEY",
    "HS_ISSUER",
    "PROXY_URL",
    "AUTH_PROVIDER_DOMAIN",
    "AUTH_PROVIDER_AUDIENCE",
    "AUTH_PROVIDER_METADATA",
    "AUTH_PROVIDER_SCOPE_KEY",
    "AUTH_PROVIDER_JWKS_URL",
    "AUTH_PROVIDER_CUSTOM_DOMAIN",
    "AUTH_PROVIDER_HS_KEY",
    "JWKS_CACHE_EXPIRY_SECONDS",
    "IGNORE_JWT_VALIDATION",
    "VALID_JWT_ALGORITHMS",
    "VALID_USER_ID_KEYS",
    "VELOX_FBI_LEGACY_TOKENS",
    "ACCEPTED_API_KEY",
)
PACKAGE = "veloxapi.batteries.auth.fbi"
HS_KEY = "an-internal-hs-key-long-enough-for-hs512-signatures-0123456789abcdef"
INTERNAL = "http://localhost/"
API_KEY = "TopSecret-but-long-enough"
DEV_ENV = {"ENVIRONMENT": "DEVELOPMENT", "HS_KEY": HS_KEY, "PROXY_URL": "http://localhost"}


def forget_fbi() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def load_fbi(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, ModuleType]:
    """The FBI modules, imported with exactly ``env`` as FBI's variables."""
    for name in FBI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    forget_fbi()
    names = ("", ".jwt", ".jwt_user", ".endpoint_security", ".protection")
    modules = {name.lstrip("."): importlib.import_module(PACKAGE + name) for name in names}
    if "ACCEPTED_API_KEY" in env:
        modules["api_key"] = importlib.import_module(PACKAGE + ".api_key")
    return modules


def internal_token(**claims: Any) -> str:
    """A token from the service's own HMAC issuer; ``None`` values drop a claim."""
    import time

    now = int(time.time())
    payload = {"iss": INTERNAL, "aud": INTERNAL, "sub": "1234567890", "iat": now, "exp": now + 300}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, HS_KEY, "HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
