"""The auth battery's settings, from code or from ``VELOX_AUTH_*`` environment variables.

One issuer is configured with flat variables::

    VELOX_AUTH_ISSUER=https://login.example.com/
    VELOX_AUTH_AUDIENCE=orders-api
    VELOX_AUTH_DISCOVERY=true          # or VELOX_AUTH_JWKS_URL=... / VELOX_AUTH_SECRET=...

More issuers go in ``VELOX_AUTH_ISSUERS`` as a JSON list of objects with the
same fields (``issuer``, ``audience``, ``algorithms``, ``jwks_url``, ...).
List-valued variables take comma-separated values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from veloxapi.batteries.settings import (
    BatterySettings,
    ConfigurationError,
    CsvList,
    load_settings,
    split_csv,
)

from .apikeys import APIKeyVerifier
from .deployment import PRODUCTION_NAMES, Deployment
from .issuers import DEFAULT_REQUIRED_CLAIMS, Issuer
from .validator import JWKSOptions, TokenValidator

SecretList = Annotated[tuple[SecretStr, ...], NoDecode, BeforeValidator(split_csv)]


class IssuerSettings(BaseModel):
    """One trusted issuer, as it appears in ``VELOX_AUTH_ISSUERS``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str
    audience: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ("RS256",)
    jwks_url: str | None = None
    discovery: bool = False
    secret: SecretStr | None = None
    public_keys: tuple[str, ...] = ()
    leeway: float = 0.0
    required_claims: tuple[str, ...] = DEFAULT_REQUIRED_CLAIMS
    scopes_claim: str = "scope"

    def to_issuer(self) -> Issuer:
        return Issuer(
            issuer=self.issuer,
            audience=self.audience or None,
            algorithms=self.algorithms,
            jwks_url=self.jwks_url,
            discovery=self.discovery,
            secret=self.secret.get_secret_value() if self.secret else None,
            public_keys=self.public_keys,
            leeway=self.leeway,
            required_claims=self.required_claims,
            scopes_claim=self.scopes_claim,
        )


class AuthSettings(BatterySettings):
    """Everything the auth battery reads from the environment (prefix ``VELOX_AUTH_``)."""

    model_config = SettingsConfigDict(env_prefix="VELOX_AUTH_", extra="forbid", frozen=True)
    battery_name: ClassVar[str] = "auth"

    environment: str = "production"
    relax_checks: bool = False

    issuer: str | None = None
    audience: CsvList = ()
    algorithms: CsvList = ("RS256",)
    jwks_url: str | None = None
    discovery: bool = False
    secret: SecretStr | None = None
    public_keys: CsvList = ()
    leeway: float = 0.0
    required_claims: CsvList = DEFAULT_REQUIRED_CLAIMS
    scopes_claim: str = "scope"
    issuers: tuple[IssuerSettings, ...] = ()
    user_id_claims: CsvList = ("sub",)

    jwks_timeout: float = 5.0
    jwks_ttl: float = 300.0
    jwks_min_refresh_interval: float = 30.0
    jwks_failure_backoff: float = 5.0
    jwks_stale_if_error: float = 3600.0

    api_keys: SecretList = ()
    api_key_hashes: CsvList = ()
    api_key_header: str = "X-API-Key"

    @model_validator(mode="after")
    def _refuse_relaxed_production(self) -> AuthSettings:
        if self.relax_checks and self.environment.strip().lower() in PRODUCTION_NAMES:
            raise ValueError(
                f"VELOX_AUTH_RELAX_CHECKS=true is refused when VELOX_AUTH_ENVIRONMENT="
                f"{self.environment!r}: checks can only be relaxed outside production"
            )
        return self

    @classmethod
    def from_env(cls, **overrides: Any) -> AuthSettings:
        """Settings from the environment, or a ConfigurationError listing every problem.

        Besides the variables themselves, everything built from them is checked
        (each issuer, the JWKS options, the API keys), so start-up fails once
        with the whole list.
        """
        settings = load_settings(cls, **overrides)
        problems = settings.problems()
        if problems:
            raise ConfigurationError(problems)
        return settings

    def problems(self) -> list[str]:
        """What building the issuers, JWKS options and API key verifier would refuse."""
        builders: list[Callable[[], object]] = [self.issuer_list, self.jwks_options]
        if self.api_keys or self.api_key_hashes:
            builders.append(self.api_key_verifier)
        return [problem for build in builders for problem in _problems_of(build)]

    def deployment(self) -> Deployment:
        return Deployment(environment=self.environment, relax_checks=self.relax_checks)

    def issuer_list(self) -> list[Issuer]:
        """The flat single issuer (if ``issuer`` is set) followed by ``issuers``.

        Raises one ConfigurationError with the problems of every issuer.
        """
        flat = (
            [
                IssuerSettings(
                    issuer=self.issuer,
                    **self.model_dump(include=set(IssuerSettings.model_fields) - {"issuer"}),
                )
            ]
            if self.issuer
            else []
        )
        entries = [*flat, *self.issuers]
        problems = [p for entry in entries for p in _problems_of(entry.to_issuer)]
        if problems:
            raise ConfigurationError(problems)
        return [entry.to_issuer() for entry in entries]

    def jwks_options(self) -> JWKSOptions:
        """How remote key sets are fetched, from the ``VELOX_AUTH_JWKS_*`` variables."""
        return JWKSOptions(
            timeout=self.jwks_timeout,
            ttl=self.jwks_ttl,
            min_refresh_interval=self.jwks_min_refresh_interval,
            failure_backoff=self.jwks_failure_backoff,
            stale_if_error=self.jwks_stale_if_error,
        )

    def token_validator(self) -> TokenValidator:
        """A validator trusting the configured issuers."""
        problems = self.problems()
        if problems:
            raise ConfigurationError(problems)
        return TokenValidator(
            self.issuer_list(), deployment=self.deployment(), jwks=self.jwks_options()
        )

    def api_key_verifier(self) -> APIKeyVerifier:
        """A verifier accepting the configured API keys and key hashes."""
        keys = [key.get_secret_value() for key in self.api_keys]
        return APIKeyVerifier(keys, hashes=self.api_key_hashes)


def _problems_of(build: Callable[[], object]) -> list[str]:
    try:
        build()
    except ConfigurationError as exc:
        return exc.problems
    return []
