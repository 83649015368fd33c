"""Finding the app: default files, paths, packages, ``module:attribute``, clear errors."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from veloxapi.cli._discovery import (
    APP_NAMES,
    DEFAULT_FILES,
    AppNotFound,
    import_app,
    resolve_target,
)

APP_SOURCE = """
from veloxapi import VeloxAPI
{name} = VeloxAPI(title="{title}")
"""


@pytest.fixture
def unique() -> str:
    return f"velox_disc_{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _restore_sys_path():
    saved = list(sys.path)
    yield
    sys.path[:] = saved


def _write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_default_file_in_the_current_directory(tmp_path, unique):
    folder = tmp_path / unique
    _write(folder / "main.py", APP_SOURCE.format(name="app", title="default"))
    target = resolve_target(None, cwd=folder)
    assert target.module == "main" and target.app_dir == str(folder)


def test_no_default_file_names_every_file_tried(tmp_path):
    with pytest.raises(AppNotFound) as exc_info:
        resolve_target(None, cwd=tmp_path)
    for name in DEFAULT_FILES:
        assert name in str(exc_info.value)


def test_a_file_inside_packages_becomes_a_dotted_module(tmp_path, unique):
    package = tmp_path / unique
    _write(package / "__init__.py", "")
    _write(package / "api" / "__init__.py", "")
    main = _write(package / "api" / "main.py", APP_SOURCE.format(name="api", title="nested"))
    target = resolve_target(str(main), cwd=tmp_path)
    assert target.module == f"{unique}.api.main"
    assert target.app_dir == str(tmp_path)
    app, name = import_app(target)
    assert name == "api" and app.title == "nested"


def test_a_package_directory_uses_its_init(tmp_path, unique):
    _write(tmp_path / unique / "__init__.py", APP_SOURCE.format(name="app", title="pkg"))
    target = resolve_target(unique, cwd=tmp_path)
    assert target.module == unique
    app, _ = import_app(target)
    assert app.title == "pkg"


def test_module_colon_attribute(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", APP_SOURCE.format(name="service", title="named"))
    target = resolve_target(f"{unique}:service", cwd=tmp_path)
    app, name = import_app(target)
    assert (name, app.title) == ("service", "named")


def test_path_colon_attribute(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", APP_SOURCE.format(name="service", title="by path"))
    app, _ = import_app(resolve_target(f"{unique}.py:service", cwd=tmp_path))
    assert app.title == "by path"


def test_app_is_preferred_over_api_and_others(tmp_path, unique):
    source = APP_SOURCE.format(name="other", title="o") + 'api = VeloxAPI(title="api")\n'
    source += 'app = VeloxAPI(title="app")\n'
    _write(tmp_path / f"{unique}.py", source)
    app, name = import_app(resolve_target(f"{unique}.py", cwd=tmp_path))
    assert (name, app.title) == ("app", "app")


def test_a_single_app_under_another_name_is_found(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", APP_SOURCE.format(name="service", title="only"))
    app, name = import_app(resolve_target(f"{unique}.py", cwd=tmp_path))
    assert (name, app.title) == ("service", "only")


def test_no_app_says_which_names_were_tried(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", "value = 1\n")
    with pytest.raises(AppNotFound) as exc_info:
        import_app(resolve_target(f"{unique}.py", cwd=tmp_path))
    message = str(exc_info.value)
    for name in APP_NAMES:
        assert repr(name) in message
    assert unique in message


def test_several_apps_without_a_preferred_name_is_ambiguous(tmp_path, unique):
    source = APP_SOURCE.format(name="one", title="1") + 'two = VeloxAPI(title="2")\n'
    _write(tmp_path / f"{unique}.py", source)
    with pytest.raises(AppNotFound, match="several applications"):
        import_app(resolve_target(f"{unique}.py", cwd=tmp_path))


def test_missing_attribute_lists_the_apps_there_are(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", APP_SOURCE.format(name="service", title="s"))
    with pytest.raises(AppNotFound, match=r"no attribute 'nope'.*service"):
        import_app(resolve_target(f"{unique}:nope", cwd=tmp_path))


def test_missing_module_is_named(tmp_path, unique):
    with pytest.raises(AppNotFound, match=f"Cannot import module '{unique}'"):
        import_app(resolve_target(f"{unique}:app", cwd=tmp_path))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(AppNotFound, match="does not exist"):
        resolve_target("nothing_here.py", cwd=tmp_path)


def test_not_a_module_name(tmp_path):
    with pytest.raises(AppNotFound, match="neither a file"):
        resolve_target("not a module!", cwd=tmp_path)


def test_an_error_inside_the_app_module_is_not_hidden(tmp_path, unique):
    _write(tmp_path / f"{unique}.py", "import veloxapi_tests_missing_dependency\n")
    with pytest.raises(ModuleNotFoundError, match="veloxapi_tests_missing_dependency"):
        import_app(resolve_target(f"{unique}.py", cwd=tmp_path))


def test_fastapi_imports_without_compat_point_to_the_flag(tmp_path, unique, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if FastAPI were not installed
    _write(tmp_path / f"{unique}.py", "from fastapi import FastAPI\napp = FastAPI()\n")
    with pytest.raises(AppNotFound, match="--compat"):
        import_app(resolve_target(f"{unique}.py", cwd=tmp_path))
