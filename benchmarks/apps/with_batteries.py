"""veloxapi's batteries, all switched on, for the "batteries" column of the benchmarks.

Request ids, JSON logs with an access line per request, Prometheus metrics,
health routes, the error battery, security headers, a global rate limit that is
never reached (in memory) and the response cache (in memory; no route opts in,
so every GET pays one lookup). Logs are written to /dev/null: formatting them
is measured, a terminal is not.
"""

import logging
import os
from typing import Any

_NULL = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


BATTERIES = (
    "logging",
    "request_id",
    "metrics",
    "health",
    "errors",
    "security_headers",
    "rate_limit",
    "cache",
)


def switch_on_batteries(app: Any, without: str | None = None) -> None:
    """Every battery on; with ``without``, every battery but that one (``bench.breakdown``
    measures what each costs that way). veloxapi is imported here, so the names above can
    be read where it is not installed (the harness's own venv)."""
    from veloxapi.batteries import augment_app
    from veloxapi.batteries.ratelimit import RateLimitSettings

    if without is not None and without not in BATTERIES:
        raise ValueError(f"unknown battery {without!r}; choose one of {', '.join(BATTERIES)}")
    switched: dict[str, Any] = dict.fromkeys(BATTERIES, True)
    switched["rate_limit"] = RateLimitSettings(default_limits=("100000000/minute",))
    if without is not None:
        switched[without] = False
    augment_app(app, **switched)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(_NULL)
