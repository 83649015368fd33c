"""Registration checks: mount path, fallback and whether the build is there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from veloxapi import APIRouter, VeloxAPI
from veloxapi.testclient import TestClient

Build = Callable[..., Path]


@pytest.mark.parametrize("path", ["", "app", "app/"])
def test_mount_path_must_start_with_slash(build: Build, path: str) -> None:
    with pytest.raises(AssertionError, match="must start with '/'"):
        VeloxAPI().frontend(path, directory=build())


def test_unknown_fallback_is_rejected(build: Build) -> None:
    with pytest.raises(AssertionError, match="fallback 'spa'"):
        VeloxAPI().frontend("/", directory=build(), fallback="spa")  # type: ignore[arg-type]


def test_unknown_check_dir_is_rejected(build: Build) -> None:
    with pytest.raises(AssertionError, match="check_dir 'yes'"):
        VeloxAPI().frontend("/", directory=build(), check_dir="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("check_dir", [True, "auto"])
def test_missing_build_fails_at_registration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, check_dir: bool | str
) -> None:
    monkeypatch.delenv("VELOXAPI_ENV", raising=False)
    monkeypatch.delenv("FASTAPI_ENV", raising=False)
    monkeypatch.chdir(tmp_path)

    with pytest.raises(RuntimeError, match="does not exist") as raised:
        APIRouter().frontend("/", directory="web/dist", check_dir=check_dir)  # type: ignore[arg-type]

    assert "'web/dist'" in str(raised.value)
    assert str(tmp_path / "web" / "dist") in str(raised.value)
    assert "check_dir=False" in str(raised.value)


@pytest.mark.parametrize("variable", ["VELOXAPI_ENV", "FASTAPI_ENV"])
def test_missing_build_only_warns_in_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    monkeypatch.setenv(variable, "development")

    with pytest.warns(UserWarning, match="does not exist") as warned:
        VeloxAPI().frontend("/", directory=tmp_path / "dist")

    assert warned[0].filename == __file__


def test_check_dir_true_raises_even_in_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VELOXAPI_ENV", "development")

    with pytest.raises(RuntimeError, match="does not exist"):
        VeloxAPI().frontend("/", directory=tmp_path / "dist", check_dir=True)


def test_missing_explicit_fallback_fails_at_registration(build: Build) -> None:
    dist = build(files={"404.html": "lost"})

    with pytest.raises(RuntimeError, match=r"'index\.html' was not found") as raised:
        VeloxAPI().frontend("/", directory=dist, fallback="index.html")

    assert str(dist) in str(raised.value)


def test_check_dir_false_defers_to_the_request_and_then_serves(tmp_path: Path) -> None:
    app = VeloxAPI()
    app.frontend("/", directory=tmp_path / "later", check_dir=False)
    client = TestClient(app)

    with pytest.raises(RuntimeError, match="does not exist"):
        client.get("/a.txt")

    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "a.txt").write_text("built")
    assert client.get("/a.txt").text == "built"


def test_relative_directory_is_resolved_at_registration(
    monkeypatch: pytest.MonkeyPatch, build: Build, tmp_path: Path
) -> None:
    build(files={"a.txt": "a"})
    monkeypatch.chdir(tmp_path)
    app = VeloxAPI()
    app.frontend("/", directory="dist")
    monkeypatch.chdir("/")

    assert TestClient(app).get("/a.txt").text == "a"
