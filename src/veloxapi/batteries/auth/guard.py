"""The authorization step of a protected route, independent of any web framework.

:class:`RouteGuard` holds a route's check and allowed issuers and decides,
for a validated token and its request, whether to let it through.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from veloxapi.batteries.settings import ConfigurationError

from .checks import Check, CheckContext
from .errors import ForbiddenError
from .validator import TokenValidator

logger = logging.getLogger("veloxapi.auth")


class RouteGuard:
    """A route's check and ``allowed_issuers``, verified against the validator up front."""

    def __init__(
        self,
        check: Check,
        *,
        validator: TokenValidator,
        allowed_issuers: Sequence[str] | None = None,
    ) -> None:
        if not callable(check):
            raise ConfigurationError([f"protected_route(): check={check!r} is not a check"])
        self.check = check
        self.deployment = validator.deployment
        self.allowed_issuers = _allowed(validator, allowed_issuers)

    async def authorize(self, ctx: CheckContext) -> None:
        """Return if the token may use the route; raise :class:`ForbiddenError` if not.

        ``allowed_issuers`` is always enforced; the check is skipped only when
        the deployment relaxes checks, which it can only do outside production.
        """
        if self.allowed_issuers is not None and ctx.token.issuer not in self.allowed_issuers:
            raise ForbiddenError("Token issuer is not allowed for this route")
        if self.deployment.relax_checks:
            logger.debug("Route check skipped: checks are relaxed in %s", self.deployment)
            return
        if not await self.check(ctx):
            raise ForbiddenError("Not enough permissions")


def _allowed(validator: TokenValidator, allowed: Sequence[str] | None) -> frozenset[str] | None:
    if allowed is None:
        return None
    if isinstance(allowed, str) or not allowed:
        raise ConfigurationError(
            [f"allowed_issuers={allowed!r}: give a non-empty list of issuer names"]
        )
    unknown = sorted(set(allowed) - set(validator.issuers))
    if unknown:
        raise ConfigurationError(
            [
                f"allowed_issuers names {unknown!r}, which the validator does not trust; "
                f"trusted issuers are {list(validator.issuers)!r}"
            ]
        )
    return frozenset(allowed)
