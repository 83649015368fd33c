"""``Dependant``: a callable's parameters sorted by source, as FastAPI 0.165 shapes it.

A ``Dependant`` is a view of what veloxapi's engine analysed (see
``veloxapi.dependencies._views``): plain lists of ``ModelField`` and
sub-dependencies that libraries read and edit. Everything derived from it —
OAuth2 scopes, cache key, cleanup scope, how its callable is called — is
computed by the functions below from its current state, never stored on it.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from veloxapi._compat import ModelField
from veloxapi._engine.run.calls import CallMode, call_mode
from veloxapi.security.base import SecurityBase
from veloxapi.types import DependencyCacheKey


@dataclass(slots=True)
class Dependant:
    """One callable (endpoint or dependency) and what it receives, by source."""

    path_params: list[ModelField] = field(default_factory=list)
    query_params: list[ModelField] = field(default_factory=list)
    header_params: list[ModelField] = field(default_factory=list)
    cookie_params: list[ModelField] = field(default_factory=list)
    body_params: list[ModelField] = field(default_factory=list)
    dependencies: list[Dependant] = field(default_factory=list)
    name: str | None = None
    call: Callable[..., Any] | None = None
    request_param_name: str | None = None
    websocket_param_name: str | None = None
    http_connection_param_name: str | None = None
    response_param_name: str | None = None
    background_tasks_param_name: str | None = None
    security_scopes_param_name: str | None = None
    own_oauth_scopes: list[str] | None = None
    parent_oauth_scopes: list[str] | None = None
    use_cache: bool = True
    path: str | None = None
    scope: Literal["function", "request"] | None = None
    concurrency: Any = None  # Depends(max_concurrency=...): the engine's limit
    # the engine node this view was made from (None for one built by hand)
    _analysed: Any = field(default=None, repr=False, compare=False)
    # the compiled plan solve_dependencies last ran for this node, and what it was built from
    _solved_plan: Any = field(default=None, init=False, repr=False, compare=False)

    def __deepcopy__(self, memo: dict[int, Any]) -> Dependant:
        """A copy whose lists and fields are new; the callable, the concurrency limit and
        the engine's analysis (never edited) are shared, and nothing compiled is kept."""
        clone = copy.copy(self)
        memo[id(self)] = clone
        for name in _COPIED:
            setattr(clone, name, copy.deepcopy(getattr(self, name), memo))
        clone._solved_plan = None
        return clone


_COPIED = (
    "path_params",
    "query_params",
    "header_params",
    "cookie_params",
    "body_params",
    "dependencies",
    "own_oauth_scopes",
    "parent_oauth_scopes",
)

_UsesScopesCache = dict[int, tuple[Dependant, bool]]
_CALLABLE_CLASSIFICATION_CACHE_SIZE = 4096


class _CallIdentity:
    """A callable keyed by identity: unhashable or equal-comparing callables stay apart."""

    __slots__ = ("call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self.call = call

    def __hash__(self) -> int:
        return id(self.call)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CallIdentity) and self.call is other.call


def _get_oauth_scopes(*, dependant: Dependant) -> list[str]:
    """The parent's scopes, then this dependant's own, each once, in order."""
    scopes = list(dependant.parent_oauth_scopes or [])
    for scope in dependant.own_oauth_scopes or []:
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def _uses_scopes(*, dependant: Dependant, cache: _UsesScopesCache | None = None) -> bool:
    """Whether scopes tell this dependant's calls apart: it declares or reads them, is a
    security scheme, or something below it does."""
    if cache is None:
        cache = {}
    cached = cache.get(id(dependant))
    if cached is not None and cached[0] is dependant:
        return cached[1]
    result = (
        bool(dependant.own_oauth_scopes)
        or dependant.security_scopes_param_name is not None
        or _is_security_scheme(dependant=dependant)
        or any(_uses_scopes(dependant=sub, cache=cache) for sub in dependant.dependencies)
    )
    cache[id(dependant)] = (dependant, result)
    return result


def _get_cache_key(
    *, dependant: Dependant, uses_scopes_cache: _UsesScopesCache | None = None
) -> DependencyCacheKey:
    """The key a solved value is shared under within one request."""
    scopes: tuple[str, ...] = ()
    if _uses_scopes(dependant=dependant, cache=uses_scopes_cache):
        scopes = tuple(sorted(set(_get_oauth_scopes(dependant=dependant))))
    return (dependant.call, scopes, _get_computed_scope(dependant=dependant) or "")


def _unwrapped_call(call: Callable[..., Any] | None) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return inspect.unwrap(call) if call is not None else None


def _is_security_scheme(*, dependant: Dependant) -> bool:
    """Whether the callable is a security scheme (``OAuth2PasswordBearer(...)``, ...)."""
    return dependant.call is not None and isinstance(_unwrapped_call(dependant.call), SecurityBase)


def _get_security_scheme(*, dependant: Dependant) -> SecurityBase:
    """The security scheme the callable is; ask ``_is_security_scheme`` first."""
    scheme = _unwrapped_call(dependant.call)
    if not isinstance(scheme, SecurityBase):
        raise TypeError(f"{dependant.call!r} is not a security scheme")
    return scheme


@functools.lru_cache(maxsize=_CALLABLE_CLASSIFICATION_CACHE_SIZE)
def _is_gen_callable_cached(identity: _CallIdentity) -> bool:
    return call_mode(identity.call) is CallMode.SYNC_GEN


@functools.lru_cache(maxsize=_CALLABLE_CLASSIFICATION_CACHE_SIZE)
def _is_async_gen_callable_cached(identity: _CallIdentity) -> bool:
    return call_mode(identity.call) is CallMode.ASYNC_GEN


@functools.lru_cache(maxsize=_CALLABLE_CLASSIFICATION_CACHE_SIZE)
def _is_coroutine_callable_cached(identity: _CallIdentity) -> bool:
    return call_mode(identity.call) is CallMode.ASYNC


def _is_gen_callable(call: Callable[..., Any] | None) -> bool:
    """A generator function (a ``yield`` dependency run in a thread)."""
    return call is not None and _is_gen_callable_cached(_CallIdentity(call))


def _is_async_gen_callable(call: Callable[..., Any] | None) -> bool:
    """An async generator function (an async ``yield`` dependency)."""
    return call is not None and _is_async_gen_callable_cached(_CallIdentity(call))


def _is_coroutine_callable(call: Callable[..., Any] | None) -> bool:
    """A coroutine function, or an instance or wrapper whose call is one."""
    return call is not None and _is_coroutine_callable_cached(_CallIdentity(call))


def _get_computed_scope(*, dependant: Dependant) -> str | None:
    """The declared cleanup scope; ``"request"`` for an undeclared ``yield`` dependency."""
    if dependant.scope:
        return dependant.scope
    if _is_gen_callable(dependant.call) or _is_async_gen_callable(dependant.call):
        return "request"
    return None
