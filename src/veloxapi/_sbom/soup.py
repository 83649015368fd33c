"""Draft SOUP records: one per direct dependency, for a team's own software records.

IEC 62304 calls third-party software "software of unknown provenance"; a team
keeps a record of each item it uses. These drafts carry what the installed
metadata knows plus why veloxapi needs the package; the team adds its own risk
assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from veloxapi._sbom.inventory import Package, parse_requirements
from veloxapi._sbom.justifications import JUSTIFICATIONS

_DEV_EXTRA = "dev"
_EXTRA = re.compile(r"extra\s*==\s*[\"']([^\"']+)[\"']")


@dataclass(frozen=True)
class SoupRecord:
    """What a draft record says about one dependency."""

    name: str
    version: str
    licence: str
    homepage: str
    brought_in_by: str
    why: str


def direct_records(root: Package, packages: Mapping[str, Package]) -> Iterator[SoupRecord]:
    """A record for each installed package ``root`` requires directly, sorted by name."""
    seen: dict[str, str] = {}
    key: str
    for requirement in parse_requirements(root.requires):
        extra = _extra_of(str(requirement.marker or ""))
        key = canonicalize_name(requirement.name)
        if extra == _DEV_EXTRA or key not in packages:
            continue
        seen.setdefault(key, f"extra [{extra}]" if extra else "core")
    for key in sorted(seen):
        package = packages[key]
        yield SoupRecord(
            name=package.name,
            version=package.version,
            licence=package.licence or "not declared",
            homepage=package.homepage or "not declared",
            brought_in_by=seen[key],
            why=JUSTIFICATIONS.get(key, "no justification recorded"),
        )


def render(records: Iterator[SoupRecord]) -> str:
    """The records as plain text, one block each, ready to paste into a record."""
    blocks = [
        "\n".join(
            (
                f"SOUP item: {record.name}",
                f"  Version:        {record.version}",
                f"  Licence:        {record.licence}",
                f"  Home page:      {record.homepage}",
                f"  Required by:    veloxapi ({record.brought_in_by})",
                f"  Why it is used: {record.why}",
            )
        )
        for record in records
    ]
    return "\n\n".join(blocks) + "\n"


def _extra_of(marker: str) -> str:
    """The extra named in a requirement's marker (``extra == "jwt"``), or ``""``."""
    match = _EXTRA.search(marker)
    return match.group(1) if match else ""
