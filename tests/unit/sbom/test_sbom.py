"""``velox sbom``: a CycloneDX document of the real environment, and SOUP drafts."""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from veloxapi._sbom.justifications import JUSTIFICATIONS
from veloxapi.cli.sbom import sbom

PYPROJECT = Path(__file__).parents[3] / "pyproject.toml"


def run(*args: str) -> str:
    result = CliRunner().invoke(sbom, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_bom_validates_against_the_cyclonedx_schema() -> None:
    document = run()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(document) is None


def test_bom_lists_every_installed_distribution_with_version_and_purl() -> None:
    document = json.loads(run())
    listed = {c["name"]: c for c in document["components"]}
    listed[document["metadata"]["component"]["name"]] = document["metadata"]["component"]
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        assert name in listed, name
        assert listed[name]["version"] == dist.version
        assert listed[name]["purl"] == f"pkg:pypi/{canonicalize_name(name)}@{dist.version}"


def test_bom_subject_is_veloxapi_and_its_dependencies_are_edges() -> None:
    document = json.loads(run())
    subject = document["metadata"]["component"]
    assert subject["name"] == "veloxapi"
    edges = {d["ref"]: set(d.get("dependsOn", [])) for d in document["dependencies"]}
    starlette = f"pkg:pypi/starlette@{metadata.version('starlette')}"
    assert starlette in edges[subject["bom-ref"]]


def test_licences_come_from_the_installed_metadata() -> None:
    document = json.loads(run())
    pydantic = next(c for c in document["components"] if c["name"] == "pydantic")
    declared = metadata.metadata("pydantic").get("License-Expression") or "MIT"
    licence = pydantic["licenses"][0]
    assert declared in json.dumps(licence)


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "bom.json"
    result = CliRunner().invoke(sbom, ["-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["bomFormat"] == "CycloneDX"


def test_unknown_subject_is_a_usage_error_naming_the_fix() -> None:
    result = CliRunner().invoke(sbom, ["--package", "no-such-project-xyz"])
    assert result.exit_code == 2
    assert "no-such-project-xyz" in result.output
    assert "pyproject.toml" in result.output


def test_soup_records_cover_each_direct_runtime_dependency() -> None:
    text = run("--soup")
    core = [
        Requirement(line).name
        for line in metadata.requires("veloxapi") or []
        if "extra ==" not in line
    ]
    assert core
    for name in core:
        block = text.split(f"SOUP item: {metadata.metadata(name)['Name']}\n")[1].split("\n\n")[0]
        assert f"Version:        {metadata.version(name)}" in block
        assert "Required by:    veloxapi (core)" in block
        assert JUSTIFICATIONS[canonicalize_name(name)] in block
    assert "SOUP item: pytest\n" not in text  # the dev extra is not shipped


def _shipped_requirements() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    lines = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        if extra not in {"dev", "docs"}:
            lines.extend(requirements)
    return lines


@pytest.mark.parametrize("line", _shipped_requirements())
def test_every_shipped_dependency_is_justified(line: str) -> None:
    name = canonicalize_name(Requirement(line).name)
    if name == "veloxapi":
        return
    assert JUSTIFICATIONS.get(name), f"{name}: add why veloxapi needs it to _sbom/justifications"
