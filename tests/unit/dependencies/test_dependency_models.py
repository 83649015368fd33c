"""``veloxapi.dependencies.models``: the Dependant view and what is derived from it."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator

from veloxapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _get_computed_scope,
    _get_oauth_scopes,
    _get_security_scheme,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_coroutine_callable_cached,
    _is_gen_callable,
    _is_security_scheme,
    _uses_scopes,
)
from veloxapi.security import APIKeyHeader


def plain() -> None:
    return None


async def coroutine() -> None:
    return None


def gen() -> Iterator[None]:
    yield None


async def agen() -> AsyncIterator[None]:
    yield None


class Unhashable:
    __hash__ = None  # type: ignore[assignment]

    async def __call__(self) -> None:
        return None


class SameAsEveryOther:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, SameAsEveryOther)

    def __hash__(self) -> int:
        return 1


class AsyncSame(SameAsEveryOther):
    async def __call__(self) -> None:
        return None


class SyncSame(SameAsEveryOther):
    def __call__(self) -> None:
        return None


def test_callables_are_classified_by_how_they_are_called() -> None:
    assert _is_coroutine_callable(coroutine) and not _is_coroutine_callable(plain)
    assert _is_gen_callable(gen) and not _is_gen_callable(agen)
    assert _is_async_gen_callable(agen) and not _is_async_gen_callable(gen)
    assert _is_coroutine_callable(Unhashable())


def test_classification_is_cached_by_identity_not_equality() -> None:
    _is_coroutine_callable_cached.cache_clear()
    first, second = AsyncSame(), SyncSame()
    assert first == second
    assert _is_coroutine_callable(first) and not _is_coroutine_callable(second)
    assert _is_coroutine_callable(first)
    info = _is_coroutine_callable_cached.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (1, 2, 4096)


def test_derived_values_follow_the_current_state() -> None:
    child = Dependant(call=plain)
    parent = Dependant(call=plain, dependencies=[child], parent_oauth_scopes=["read"])
    assert _get_cache_key(dependant=parent) == (plain, (), "")
    child.security_scopes_param_name = "scopes"
    parent.own_oauth_scopes = ["write", "read"]
    assert _uses_scopes(dependant=parent)
    assert _get_oauth_scopes(dependant=parent) == ["read", "write"]
    assert _get_cache_key(dependant=parent) == (plain, ("read", "write"), "")
    assert not hasattr(parent, "__dict__")


def test_generators_default_to_request_scope() -> None:
    assert _get_computed_scope(dependant=Dependant(call=gen)) == "request"
    assert _get_computed_scope(dependant=Dependant(call=plain)) is None
    assert _get_computed_scope(dependant=Dependant(call=plain, scope="function")) == "function"


def test_security_schemes_are_recognised() -> None:
    scheme = APIKeyHeader(name="key")
    leaf = Dependant(call=scheme)
    assert _is_security_scheme(dependant=leaf)
    assert _get_security_scheme(dependant=leaf) is scheme
    assert _uses_scopes(dependant=Dependant(call=plain, dependencies=[leaf]))


def test_deep_copy_gets_new_lists_and_shares_the_callable() -> None:
    original = Dependant(call=plain, dependencies=[Dependant(call=gen)])
    clone = copy.deepcopy(original)
    clone.dependencies.append(Dependant(call=agen))
    assert len(original.dependencies) == 1
    assert clone.call is plain and clone.dependencies[0].call is gen
