"""``velox openapi``: the app's document as JSON or YAML, to stdout or a file."""

from __future__ import annotations

import builtins
import json

import yaml
from click.testing import CliRunner

from veloxapi.cli.openapi import openapi

APP = """
from pydantic import BaseModel
from veloxapi import VeloxAPI

app = VeloxAPI(title="Export me", version="2.0")

class Item(BaseModel):
    name: str
    note: str = "multi\\nline: yes"

@app.post("/items", responses={404: {"description": "Ünïcode: not found"}})
def create(item: Item) -> Item:
    return item
"""


def _expected(app_path) -> dict:
    result = CliRunner().invoke(openapi, [str(app_path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_to_stdout_is_the_apps_document(app_file):
    document = _expected(app_file(APP))
    assert document["info"] == {"title": "Export me", "version": "2.0"}
    assert "/items" in document["paths"]


def test_yaml_round_trips_to_the_same_document(app_file):
    path = app_file(APP)
    result = CliRunner().invoke(openapi, [str(path), "--yaml"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output) == _expected(path)
    assert "'404':" in result.output  # numeric keys stay strings


def test_output_file(app_file, tmp_path):
    path = app_file(APP)
    target = tmp_path / "openapi.json"
    result = CliRunner().invoke(openapi, [str(path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text()) == _expected(path)


def test_yaml_without_pyyaml_names_the_extra(app_file, monkeypatch):
    real_import = builtins.__import__

    def no_yaml(name, *args, **kwargs):
        if name == "yaml":
            raise ImportError("No module named 'yaml'", name="yaml")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    result = CliRunner().invoke(openapi, [str(app_file(APP)), "--yaml"])
    assert result.exit_code == 1
    assert 'pip install "veloxapi[yaml]"' in result.output
