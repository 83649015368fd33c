"""``@parses_input``: mark a dependency whose exceptions mean "the client's input is bad".

Python and its libraries raise the same built-in exceptions (``ValueError``,
``KeyError``, ...) for bad client input and for server-side faults, so the
exception class alone cannot tell whose fault it is. Where it was raised can:
a dependency that turns a raw request value into an object (a cursor token, a
signed id, a JSON-encoded header) fails because of what the client sent. Such a
dependency is marked with ``@parses_input``; exceptions escaping it are tagged,
and only tagged exceptions are eligible for ``ErrorSettings.input_status_map``.
The tag changes nothing else: without the errors battery (or without an entry
in the map) a tagged exception is an ordinary unhandled exception, a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from veloxapi._engine.run.calls import CallMode, call_mode

CallT = TypeVar("CallT", bound=Callable[..., Any])

_TAG = "_veloxapi_input_error"


def is_input_error(exc: BaseException) -> bool:
    """Whether ``exc`` escaped a dependency marked with :func:`parses_input`."""
    return getattr(exc, _TAG, False) is True


def _tag(exc: BaseException) -> None:
    setattr(exc, _TAG, True)


def parses_input(call: CallT) -> CallT:
    """Mark ``call`` (a function, a class or a callable object) as an input parser.

    Use it as a decorator on a dependency function, or wrap a class where it is
    declared: ``Depends(parses_input(Cursor))``. The signature, and whether the
    call runs on the event loop or in a thread, stay those of ``call``. Keep
    parsers free of I/O: everything they raise is taken as the client's fault.
    """
    mode = call_mode(call)
    if mode is CallMode.ASYNC_GEN or mode is CallMode.SYNC_GEN:
        name = getattr(call, "__name__", repr(call))
        raise TypeError(
            f"@parses_input cannot mark {name!r}: it is a dependency with yield, which manages "
            "a resource while the endpoint runs, so its exceptions are not about the input. "
            "Move the parsing into a dependency of its own and mark that one."
        )
    if mode is CallMode.ASYNC:

        @functools.wraps(call, updated=())
        async def parse_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await call(*args, **kwargs)
            except Exception as exc:
                _tag(exc)
                raise

        return cast(CallT, parse_async)

    @functools.wraps(call, updated=())
    def parse(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            _tag(exc)
            raise

    return cast(CallT, parse)
