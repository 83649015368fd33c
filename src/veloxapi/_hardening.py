"""The hardened default profile: body rules a new veloxapi app starts with.

``VeloxAPI(...)`` is hardened unless told otherwise; its subclass ``FastAPI`` (what
code written for FastAPI, and ``veloxapi.compat``, construct) keeps FastAPI 0.165's
defaults. ``hardened=`` switches the profile either way, and each setting given
explicitly wins over the profile:

================================  ====================  =====================
setting                           hardened              plain (FastAPI)
================================  ====================  =====================
body size with no max_body_size   1 MiB (413)           no limit
``max_json_depth``                128 levels (422)      no limit
``request_body_min_rate``         1 KiB/s (408)         none
``request_body_timeout``          30 s silence (408)    30 s silence (408)
================================  ====================  =====================

``max_body_size=None`` given explicitly means "no limit" in either profile; a route
that takes uploads opts into more with its own ``max_body_size``.
"""

from __future__ import annotations

from veloxapi._engine.run.body_policy import BodyPolicy
from veloxapi.datastructures import DefaultPlaceholder

HARDENED_BODY_LIMIT = 1024 * 1024
HARDENED_JSON_DEPTH = 128
HARDENED_MIN_RATE = 1024.0


def _given(value: object) -> bool:
    return not isinstance(value, DefaultPlaceholder)


def _positive(value: object, integer: bool = False) -> bool:
    kinds = int if integer else int | float
    return isinstance(value, kinds) and not isinstance(value, bool) and value > 0


def body_policy(
    *,
    hardened: bool,
    max_body_size: object,
    max_json_depth: object,
    request_body_min_rate: object,
    request_body_timeout: object,
) -> BodyPolicy:
    """The app's body policy; ``ValueError`` listing every invalid setting at once."""
    depth = (
        max_json_depth if _given(max_json_depth) else (HARDENED_JSON_DEPTH if hardened else None)
    )
    rate = (
        request_body_min_rate
        if _given(request_body_min_rate)
        else (HARDENED_MIN_RATE if hardened else None)
    )
    idle = request_body_timeout
    problems = [
        f"{name} must be {what} or None, got {value!r}"
        for name, value, what, integer in (
            ("max_json_depth", depth, "a positive integer (levels)", True),
            ("request_body_min_rate", rate, "a positive number of bytes per second", False),
            ("request_body_timeout", idle, "a positive number of seconds", False),
        )
        if value is not None and not _positive(value, integer)
    ]
    if problems:
        raise ValueError(
            "Invalid request-body settings: " + "; ".join(problems) + ". "
            "See docs/hardening.md for the settings and their defaults."
        )
    return BodyPolicy(
        idle=None if idle is None else float(idle),  # type: ignore[arg-type]
        min_rate=None if rate is None else float(rate),  # type: ignore[arg-type]
        default_limit=HARDENED_BODY_LIMIT if hardened and not _given(max_body_size) else None,
        max_json_depth=depth,  # type: ignore[arg-type]
    )
