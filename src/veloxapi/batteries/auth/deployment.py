"""Where the service runs, and whether route checks may be relaxed there.

Relaxing checks is a development convenience (exercise routes with any valid
token); it is refused outright when the environment is production, so a
forgotten flag cannot open a production service.
"""

from __future__ import annotations

from dataclasses import dataclass

from veloxapi.batteries.settings import ConfigurationError

PRODUCTION_NAMES = frozenset({"production", "prod"})


@dataclass(frozen=True)
class Deployment:
    """The environment name (``"production"`` unless told otherwise) and the dev switch."""

    environment: str = "production"
    relax_checks: bool = False

    def __post_init__(self) -> None:
        if self.relax_checks and self.is_production:
            raise ConfigurationError(
                [
                    f"relax_checks=True is refused in environment {self.environment!r}: "
                    "route checks can only be relaxed outside production "
                    "(unset VELOX_AUTH_RELAX_CHECKS or set VELOX_AUTH_ENVIRONMENT=development)"
                ]
            )

    @property
    def is_production(self) -> bool:
        return self.environment.strip().lower() in PRODUCTION_NAMES
