"""A CycloneDX 1.6 JSON document for the packages of an environment.

Built with cyclonedx-python-lib, the format's own maintained Python library, so
the output follows the schema it validates against.
"""

from __future__ import annotations

from collections.abc import Mapping

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from veloxapi._sbom.inventory import Package, active_requirements

_ALGORITHMS = {
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
    "sha1": HashAlgorithm.SHA_1,
    "md5": HashAlgorithm.MD5,
}


def build_bom(root: Package, packages: Mapping[str, Package]) -> Bom:
    """A BOM whose subject is ``root`` and whose components are ``packages``."""
    components = {key: component_for(package) for key, package in packages.items()}
    bom = Bom()
    bom.metadata.component = components.get(root.key) or component_for(root)
    for key, component in sorted(components.items()):
        if key != root.key:
            bom.components.add(component)
    for key, package in packages.items():
        needs = [components[dep] for dep in active_requirements(package, dict(packages))]
        bom.register_dependency(components[key], needs)
    return bom


def component_for(package: Package) -> Component:
    """One library component: name, version, purl, licence, home page, hashes."""
    references = []
    if package.homepage.startswith(("http://", "https://")):
        references.append(
            ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(package.homepage))
        )
    return Component(
        type=ComponentType.LIBRARY,
        name=package.name,
        version=package.version,
        description=package.summary or None,
        bom_ref=f"pkg:pypi/{package.key}@{package.version}",
        purl=PackageURL(type="pypi", name=package.key, version=package.version),
        licenses=_licences(package.licence),
        hashes=[
            HashType(alg=_ALGORITHMS[name.lower()], content=value)
            for name, value in sorted(package.hashes.items())
            if name.lower() in _ALGORITHMS
        ],
        external_references=references,
    )


def to_json(bom: Bom) -> str:
    """The BOM serialised as CycloneDX 1.6 JSON."""
    return JsonV1Dot6(bom).output_as_string(indent=2)


def _licences(declared: str) -> list[LicenseExpression | DisjunctiveLicense]:
    if not declared:
        return []
    return [LicenseFactory().make_from_string(declared)]
