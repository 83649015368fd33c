"""The request id battery's id as a span and log attribute, when that battery runs.

Read-only: the id is whatever :mod:`veloxapi.batteries.request_id` chose for
the request (it keeps it in ``scope["state"]`` and in a context variable).
"""

from __future__ import annotations

import sys
from typing import Any

from starlette.types import Scope

REQUEST_ID_ATTRIBUTE = "veloxapi.request_id"


def request_id(scope: Scope) -> str | None:
    """The request id battery's id for this request, or ``None`` if it isn't installed."""
    state = scope.get("state")
    value = state.get("request_id") if isinstance(state, dict) else None
    if isinstance(value, str):
        return value
    battery = sys.modules.get("veloxapi.batteries.request_id")  # loaded only if in use
    if battery is None:
        return None
    found: str | None = battery.get_request_id()
    return found


def request_id_attributes(scope: Scope) -> dict[str, Any]:
    value = request_id(scope)
    return {REQUEST_ID_ATTRIBUTE: value} if value is not None else {}
