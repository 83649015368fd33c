"""What is installed: every distribution of an environment, with licence, links and hashes.

Everything comes from the installed metadata (``importlib.metadata``), so it works
offline and reports exactly what the running interpreter would import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

_CLASSIFIER_PREFIX = "License :: OSI Approved :: "
_URL_LABELS = ("homepage", "home", "source", "repository", "source code", "documentation")


@dataclass(frozen=True)
class Package:
    """One installed distribution, as its metadata describes it."""

    name: str
    version: str
    summary: str
    licence: str
    homepage: str
    requires: tuple[str, ...]
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The normalised name (PEP 503), used to match requirements to packages."""
        return canonicalize_name(self.name)


def installed() -> dict[str, Package]:
    """Every distribution the current interpreter sees, by normalised name."""
    found: dict[str, Package] = {}
    for dist in metadata.distributions():
        package = _describe(dist)
        if package.name and package.key not in found:
            found[package.key] = package
    return found


def find(name: str, packages: dict[str, Package]) -> Package:
    """The installed package called ``name``; a clear error naming the fix if there is none."""
    package = packages.get(canonicalize_name(name))
    if package is None:
        raise LookupError(
            f"no installed distribution named {name!r}: pass the name your project has in "
            "pyproject.toml, installed into this environment (pip install -e .)"
        )
    return package


def active_requirements(package: Package, packages: dict[str, Package]) -> Iterator[str]:
    """Normalised names of ``package``'s core requirements that are installed and apply here.

    Requirements behind an extra are left out: metadata cannot tell which extras were
    asked for, and an edge that may not exist is worse than one that is missing.
    """
    for requirement in parse_requirements(package.requires):
        key = canonicalize_name(requirement.name)
        if key in packages and (requirement.marker is None or requirement.marker.evaluate()):
            yield key


def parse_requirements(lines: Iterable[str]) -> Iterator[Requirement]:
    """The well-formed requirements among ``lines`` (metadata written by old tools can be odd)."""
    for text in lines:
        try:
            yield Requirement(text)
        except InvalidRequirement:
            continue


def _describe(dist: metadata.Distribution) -> Package:
    meta = dist.metadata
    return Package(
        name=_field(meta, "Name"),
        version=_field(meta, "Version"),
        summary=_field(meta, "Summary"),
        licence=licence_of(meta),
        homepage=homepage_of(meta),
        requires=tuple(dist.requires or ()),
        hashes=_archive_hashes(dist),
    )


def licence_of(meta: metadata.PackageMetadata) -> str:
    """The declared licence: the SPDX expression, else the free text, else classifiers."""
    expression = _field(meta, "License-Expression")
    if expression:
        return expression.strip()
    text = _field(meta, "License").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [
        value.removeprefix(_CLASSIFIER_PREFIX)
        for value in meta.get_all("Classifier") or []
        if value.startswith(_CLASSIFIER_PREFIX)
    ]
    return " OR ".join(classifiers) if classifiers else (text.splitlines()[0] if text else "")


def homepage_of(meta: metadata.PackageMetadata) -> str:
    """The project's home page, from ``Home-page`` or the labelled ``Project-URL`` entries."""
    urls: dict[str, str] = {}
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls.setdefault(label.strip().lower(), url.strip())
    for label in _URL_LABELS:
        if urls.get(label):
            return urls[label]
    return _field(meta, "Home-page").strip() or next(iter(urls.values()), "")


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    """The first value of a metadata field, or ``""`` when the field is absent."""
    values = meta.get_all(name) or []
    return str(values[0]) if values else ""


def _archive_hashes(dist: metadata.Distribution) -> dict[str, str]:
    """The archive hash pip recorded (``direct_url.json``), where it recorded one."""
    raw = dist.read_text("direct_url.json")
    if not raw:
        return {}
    try:
        info = json.loads(raw).get("archive_info", {})
    except (ValueError, AttributeError):
        return {}
    hashes = dict(info.get("hashes") or {}) if isinstance(info, dict) else {}
    legacy = info.get("hash")
    if isinstance(legacy, str) and "=" in legacy:
        algorithm, _, value = legacy.partition("=")
        hashes.setdefault(algorithm, value)
    return {str(k): str(v) for k, v in hashes.items()}
