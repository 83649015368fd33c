"""``get_telemetry_data``: the data of the request being handled, for log and span processors.

It reads the request state kept in the OpenTelemetry context, and loads that
module only once OpenTelemetry itself is loaded.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from veloxapi.telemetry._api import TelemetryData

if TYPE_CHECKING:
    from opentelemetry.context import Context

__all__ = ["get_telemetry_data"]


def get_telemetry_data(context: Context | None = None) -> TelemetryData | None:
    """The :class:`TelemetryData` of the request handled in ``context`` (default: the current one).

    Log record processors can pass ``record.context``. Returns ``None`` outside
    a request with telemetry, and once the request has finished, even for a
    context kept from it.
    """
    if "opentelemetry.context" not in sys.modules:
        return None  # OpenTelemetry never loaded: no request can carry telemetry
    from veloxapi.telemetry._request import current_request

    state = current_request(context)
    return state.data if state is not None else None
