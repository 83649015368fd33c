"""``velox new``: names, the rendered files, refusing to overwrite."""

from __future__ import annotations

import ast

import pytest
import yaml
from click.testing import CliRunner

from veloxapi.cli.new import new


def _create(tmp_path, name="orders-api", *extra):
    result = CliRunner().invoke(new, [name, "-d", str(tmp_path / name), *extra])
    return result, tmp_path / name


def test_layout_per_domain_with_deployment_files(tmp_path):
    result, root = _create(tmp_path)
    assert result.exit_code == 0, result.output
    package = root / "src" / "orders_api"
    for relative in (
        "main.py",
        "config.py",
        "db.py",
        "items/routes.py",
        "items/schemas.py",
        "items/logic.py",
        "items/models.py",
    ):
        assert (package / relative).is_file(), relative
    for relative in (
        "pyproject.toml",
        "Dockerfile",
        "compose.yaml",
        ".gitignore",
        ".dockerignore",
        ".env.example",
        "tests/conftest.py",
        "deploy/kubernetes/deployment.yaml",
    ):
        assert (root / relative).is_file(), relative
    assert not list(root.rglob("*.tmpl"))


def test_placeholders_are_all_replaced_and_python_parses(tmp_path):
    _, root = _create(tmp_path)
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "{{" not in text, path
            if path.suffix == ".py":
                ast.parse(text, filename=str(path))
    assert "from orders_api.db import Database" in (root / "src/orders_api/main.py").read_text()


def test_yaml_files_parse_and_grace_period_matches_the_server(tmp_path):
    _, root = _create(tmp_path)
    documents = {
        path.name: yaml.safe_load(path.read_text())
        for path in [*root.glob("deploy/kubernetes/*.yaml"), root / "compose.yaml"]
    }
    config = documents["configmap.yaml"]["data"]
    pod = documents["deployment.yaml"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    graceful = int(config["VELOX_GRACEFUL_TIMEOUT"])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod["terminationGracePeriodSeconds"] >= graceful + pre_stop
    assert container["livenessProbe"]["httpGet"]["path"] == "/running"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert set(documents["compose.yaml"]["services"]) == {"app", "postgres", "redis"}


@pytest.mark.parametrize("name", ["Bad", "1st", "a b", "x--y", "-x", ""])
def test_unusable_names_are_refused(tmp_path, name):
    result = CliRunner().invoke(new, [name, "-d", str(tmp_path / "p")])
    assert result.exit_code != 0
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("name", ["json", "fastapi", "class", "tests"])
def test_names_that_would_shadow_a_module_are_refused(tmp_path, name):
    result = CliRunner().invoke(new, [name, "-d", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "shadow" in result.output


def test_an_existing_non_empty_directory_is_not_touched(tmp_path):
    target = tmp_path / "demo"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = CliRunner().invoke(new, ["demo", "-d", str(target)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
