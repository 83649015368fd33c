"""HTTP status codes and WebSocket close codes as named constants (Starlette's).

The names Starlette deprecated (for example ``HTTP_422_UNPROCESSABLE_ENTITY``)
still resolve, with Starlette's deprecation warning.
"""

import starlette.status as _starlette_status
from starlette.status import *  # noqa: F403 - the module is this list of constants
from starlette.status import __all__ as __all__


def __getattr__(name: str) -> int:
    if name in _starlette_status.__deprecated__:
        value: int = getattr(_starlette_status, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
