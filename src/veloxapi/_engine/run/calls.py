"""How a dependency or endpoint is called: async, sync (in a thread), or as a generator."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any


class CallMode(Enum):
    ASYNC = "async"
    SYNC = "sync"
    ASYNC_GEN = "async_gen"
    SYNC_GEN = "sync_gen"


def call_mode(call: Callable[..., Any]) -> CallMode:
    """How to call ``call``, judged from the outside in: a wrapper's own kind wins, and a
    plain wrapper (or partial, or callable instance) is judged by what it wraps."""
    for target in _layers(call):
        if inspect.isclass(target):
            return CallMode.SYNC
        if inspect.isasyncgenfunction(target):
            return CallMode.ASYNC_GEN
        if inspect.isgeneratorfunction(target):
            return CallMode.SYNC_GEN
        if inspect.iscoroutinefunction(target):
            return CallMode.ASYNC
    return CallMode.SYNC


def _layers(call: Any) -> list[Any]:
    """``call`` and what it wraps, outermost first (bounded, cycles stop it)."""
    layers: list[Any] = []
    target = call
    while target is not None and len(layers) < 32 and not any(t is target for t in layers):
        layers.append(target)
        if isinstance(target, functools.partial):
            target = target.func
        elif hasattr(target, "__wrapped__"):
            target = target.__wrapped__
        elif not inspect.isroutine(target) and not inspect.isclass(target):
            target = type(target).__call__  # a callable instance: what its call runs
        else:
            target = None
    return layers
