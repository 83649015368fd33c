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

from veloxapi.batteries import augment_app
from veloxapi.batteries.ratelimit import RateLimitSettings

_NULL = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def switch_on_batteries(app: Any) -> None:
    augment_app(
        app,
        logging=True,
        request_id=True,
        metrics=True,
        health=True,
        errors=True,
        security_headers=True,
        rate_limit=RateLimitSettings(default_limits=("100000000/minute",)),
        cache=True,
    )
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(_NULL)
