"""``pip install veloxapi`` (no extras) pulls no Django, by the installed metadata.

The docs assets used to come from a package that declares Django; the core
requirements, followed transitively through each installed distribution's
own metadata, must not reach it (nor its companions asgiref and sqlparse).
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

FORBIDDEN = {"django", "asgiref", "sqlparse"}


def _core_requirements(distribution: str, extras: frozenset[str]) -> list[Requirement]:
    found = []
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        marker = requirement.marker
        applies = marker is None or any(
            marker.evaluate({"extra": extra}) for extra in (extras or {""})
        )
        if applies:
            found.append(requirement)
    return found


def _closure(root: str) -> set[str]:
    seen: set[str] = set()
    pending = [(root, frozenset[str]())]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        for requirement in _core_requirements(name, extras):
            pending.append((requirement.name, frozenset(requirement.extras)))
    return seen


def test_core_dependencies_contain_no_django():
    closure = _closure("veloxapi")
    assert "starlette" in closure and "pydantic" in closure  # the walk did follow the metadata
    assert "openapi-ui-bundles" in closure
    assert closure.isdisjoint(FORBIDDEN), sorted(closure & FORBIDDEN)


def test_the_docs_assets_package_declares_no_dependencies():
    assert not _core_requirements("openapi-ui-bundles", frozenset())
