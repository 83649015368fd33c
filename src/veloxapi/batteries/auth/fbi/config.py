"""FastAPI Batteries Included's environment variables, read into the auth battery.

:class:`JwtSettings` reads the variables an FBI service already sets (no
prefix, case-sensitive, as FBI reads them) and turns them into the battery's
:class:`~veloxapi.batteries.auth.Issuer` s: one per issuer FBI knows, each with
only the algorithms of its own kind (FBI's single ``VALID_JWT_ALGORITHMS`` list
mixes HMAC and RSA, which the battery never lets one issuer do).

==================================  =============================================
``HS_KEY``, ``HS_ISSUER``           the service's own HMAC issuer (``HS_ISSUER``
                                    defaults to ``PROXY_URL`` with one ``/``)
``AUTH_PROVIDER_DOMAIN``            the identity provider, keys from
``AUTH_PROVIDER_JWKS_URL``          ``AUTH_PROVIDER_JWKS_URL``, audience
``AUTH_PROVIDER_AUDIENCE``          ``AUTH_PROVIDER_AUDIENCE``
``AUTH_PROVIDER_METADATA``          the claim whose fields are flattened
``AUTH_PROVIDER_SCOPE_KEY``         the scope claim (``permissions``)
``AUTH_PROVIDER_CUSTOM_DOMAIN``     a second HMAC issuer, with
``AUTH_PROVIDER_HS_KEY``            ``AUTH_PROVIDER_HS_KEY``
``JWKS_CACHE_EXPIRY_SECONDS``       how long fetched keys are kept (3600)
``VALID_JWT_ALGORITHMS``            JSON list
``VALID_USER_ID_KEYS``              JSON list of claims naming the user (``sub``)
``ENVIRONMENT``                     ``PRODUCTION`` unless one of FBI's five
                                    non-production names
``IGNORE_JWT_VALIDATION``           skip route checks (refused in production)
``VELOX_FBI_LEGACY_TOKENS``         FBI's unsafe token rules, for a transition
                                    (refused in production)
==================================  =============================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries.settings import BatterySettings, ConfigurationError, load_settings

from ..deployment import Deployment
from ..issuers import DEFAULT_REQUIRED_CLAIMS, Issuer
from ..keys import algorithm_family
from ..validator import JWKSOptions, TokenValidator

NON_PRODUCTION_ENVIRONMENTS = frozenset({"DEMO", "DEVELOPMENT", "STAGING", "TRAINING", "TEST"})
LEGACY_REQUIRED_CLAIMS = ("iss",)
_FBI_ALGORITHMS = ("HS256", "HS512", "HS384", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512")


def is_production_environment(environment: str) -> bool:
    """FBI's rule: production unless one of five names, compared case-sensitively."""
    return environment not in NON_PRODUCTION_ENVIRONMENTS


def is_not_production_environment(environment: str) -> bool:
    return not is_production_environment(environment)


class JwtSettings(BatterySettings):
    """FBI's JWT settings (the variables in the module documentation)."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="forbid", frozen=True)
    battery_name: ClassVar[str] = "auth (FBI migration)"

    ENVIRONMENT: str = "PRODUCTION"
    HS_KEY: SecretStr | None = None
    HS_ISSUER: str = ""
    PROXY_URL: str = ""
    AUTH_PROVIDER_DOMAIN: str | None = None
    AUTH_PROVIDER_AUDIENCE: str = ""
    AUTH_PROVIDER_METADATA: str = ""
    AUTH_PROVIDER_SCOPE_KEY: str = "permissions"
    AUTH_PROVIDER_JWKS_URL: str = ""
    AUTH_PROVIDER_CUSTOM_DOMAIN: str | None = None
    AUTH_PROVIDER_HS_KEY: SecretStr | None = None
    JWKS_CACHE_EXPIRY_SECONDS: int = 3600
    IGNORE_JWT_VALIDATION: bool = False
    VALID_JWT_ALGORITHMS: tuple[str, ...] = _FBI_ALGORITHMS
    VALID_USER_ID_KEYS: tuple[str, ...] = ("sub",)
    VELOX_FBI_LEGACY_TOKENS: bool = False

    @model_validator(mode="after")
    def _refuse_switches_in_production(self) -> JwtSettings:
        if not self.is_production:
            return self
        on = [
            name
            for name in ("IGNORE_JWT_VALIDATION", "VELOX_FBI_LEGACY_TOKENS")
            if getattr(self, name)
        ]
        if on:
            raise ValueError(
                f"{' and '.join(on)} cannot be true when ENVIRONMENT={self.ENVIRONMENT!r} "
                f"(production unless one of {sorted(NON_PRODUCTION_ENVIRONMENTS)})"
            )
        return self

    @property
    def is_production(self) -> bool:
        return is_production_environment(self.ENVIRONMENT)

    @property
    def internal_issuer(self) -> str:
        """``HS_ISSUER``, or ``PROXY_URL`` ending in exactly one ``/`` (FBI's default)."""
        return self.HS_ISSUER or self.PROXY_URL.rstrip("/") + "/"

    def deployment(self) -> Deployment:
        """The battery's deployment: FBI's production rule, ``IGNORE_JWT_VALIDATION``."""
        name = "production" if self.is_production else self.ENVIRONMENT
        return Deployment(environment=name, relax_checks=self.IGNORE_JWT_VALIDATION)

    def metadata_keys(self) -> dict[str, str]:
        """Each issuer's metadata claim, whose fields FBI flattens into the claims."""
        keys = {self.internal_issuer: "metadata"} if self.HS_KEY else {}
        if self.AUTH_PROVIDER_CUSTOM_DOMAIN:
            keys[self.AUTH_PROVIDER_CUSTOM_DOMAIN] = "metadata"
        if self.AUTH_PROVIDER_DOMAIN:
            keys[self.AUTH_PROVIDER_DOMAIN] = self.AUTH_PROVIDER_METADATA
        return keys

    def issuers(self) -> list[Issuer]:
        """The battery issuers for FBI's three (one ConfigurationError for all problems)."""
        builders = self._issuer_builders()
        problems = list(dict.fromkeys(p for build in builders for p in _problems_of(build)))
        if not builders:
            problems.append(
                "no issuer is configured: set HS_KEY (with HS_ISSUER or PROXY_URL), "
                "AUTH_PROVIDER_DOMAIN or AUTH_PROVIDER_CUSTOM_DOMAIN"
            )
        if problems:
            raise ConfigurationError(problems)
        return [build() for build in builders]

    def jwks_options(self) -> JWKSOptions:
        return JWKSOptions(ttl=float(self.JWKS_CACHE_EXPIRY_SECONDS))

    def token_validator(self) -> TokenValidator:
        """A validator trusting FBI's issuers (one ConfigurationError for all problems)."""
        problems = [p for build in (self.issuers, self.jwks_options) for p in _problems_of(build)]
        if problems:
            raise ConfigurationError(problems)
        return TokenValidator(
            self.issuers(), deployment=self.deployment(), jwks=self.jwks_options()
        )

    def _issuer_builders(self) -> list[Callable[[], Issuer]]:
        builders = []
        if self.HS_KEY is not None:
            builders.append(lambda: self._hmac_issuer(self.internal_issuer, self.HS_KEY, "HS_KEY"))
        if self.AUTH_PROVIDER_CUSTOM_DOMAIN:
            domain = self.AUTH_PROVIDER_CUSTOM_DOMAIN
            builders.append(
                lambda: self._hmac_issuer(domain, self.AUTH_PROVIDER_HS_KEY, "AUTH_PROVIDER_HS_KEY")
            )
        if self.AUTH_PROVIDER_DOMAIN:
            builders.append(self._provider_issuer)
        return builders

    def _algorithms(self, hmac: bool) -> list[str]:
        return [a for a in self.VALID_JWT_ALGORITHMS if (algorithm_family(a) == "hmac") is hmac]

    @property
    def _required_claims(self) -> tuple[str, ...]:
        return LEGACY_REQUIRED_CLAIMS if self.VELOX_FBI_LEGACY_TOKENS else DEFAULT_REQUIRED_CLAIMS

    def _hmac_issuer(self, name: str, key: SecretStr | None, variable: str) -> Issuer:
        problems = []
        if not self.HS_ISSUER and not self.PROXY_URL:
            problems.append("HS_ISSUER or PROXY_URL must be set: it names the internal issuer")
        if key is None:
            raise ConfigurationError([*problems, f"{variable} must be set for issuer {name!r}"])
        try:
            issuer = Issuer(
                name,
                algorithms=self._algorithms(hmac=True),
                audience=self.internal_issuer,
                secret=key.get_secret_value(),
                required_claims=self._required_claims,
                scopes_claim="scope",
            )
        except ConfigurationError as exc:
            problems += [f"{variable}: {problem}" for problem in exc.problems]
        if problems:
            raise ConfigurationError(problems)
        return issuer

    def _provider_issuer(self) -> Issuer:
        missing = [
            f"{name} must be set when AUTH_PROVIDER_DOMAIN is"
            for name in ("AUTH_PROVIDER_JWKS_URL", "AUTH_PROVIDER_AUDIENCE")
            if not getattr(self, name)
        ]
        if missing:
            raise ConfigurationError(missing)
        return Issuer(
            str(self.AUTH_PROVIDER_DOMAIN),
            algorithms=self._algorithms(hmac=False),
            audience=self.AUTH_PROVIDER_AUDIENCE or None,
            jwks_url=self.AUTH_PROVIDER_JWKS_URL or None,
            required_claims=self._required_claims,
            scopes_claim=self.AUTH_PROVIDER_SCOPE_KEY,
        )


class ApiKeySettings(BatterySettings):
    """FBI's API key setting: ``ACCEPTED_API_KEY``, the value ``X-Api-Key`` must carry."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="forbid", frozen=True)
    battery_name: ClassVar[str] = "auth (FBI migration)"

    ACCEPTED_API_KEY: SecretStr


def load_jwt_settings() -> JwtSettings:
    """FBI's JWT settings from the environment, or one ConfigurationError listing every problem."""
    settings = load_settings(JwtSettings)
    problems = _problems_of(settings.token_validator)
    if problems:
        raise ConfigurationError(problems)
    return settings


def _problems_of(build: Callable[[], object]) -> list[str]:
    try:
        build()
    except ConfigurationError as exc:
        return exc.problems
    return []
