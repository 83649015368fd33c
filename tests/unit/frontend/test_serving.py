"""Serving files, directory indexes and fallback pages from a built frontend."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from veloxapi import VeloxAPI
from veloxapi.testclient import TestClient

Build = Callable[..., Path]
HTML = {"accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


def client_for(directory: Path, path: str = "/", **options: object) -> TestClient:
    app = VeloxAPI()
    app.frontend(path, directory=directory, **options)  # type: ignore[arg-type]
    return TestClient(app)


def test_serves_assets_with_validators_and_content_type(build: Build) -> None:
    dist = build(files={"index.html": "<p>app</p>", "assets/app.js": "run()"})
    client = client_for(dist)

    response = client.get("/assets/app.js")

    assert response.status_code == 200
    assert response.text == "run()"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["etag"]
    assert response.headers["last-modified"]


def test_conditional_request_gets_304(build: Build) -> None:
    client = client_for(build(files={"app.css": "body{}"}))
    etag = client.get("/app.css").headers["etag"]

    response = client.get("/app.css", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_root_serves_index(build: Build) -> None:
    client = client_for(build(files={"index.html": "shell"}))

    response = client.get("/")

    assert response.status_code == 200
    assert response.text == "shell"
    assert response.headers["content-type"].startswith("text/html")


def test_mount_path_without_slash_redirects_to_its_index(build: Build) -> None:
    client = client_for(build(files={"index.html": "shell"}), "/app")

    redirect = client.get("/app", follow_redirects=False)
    page = client.get("/app/")

    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/app/"
    assert page.text == "shell"


def test_head_sends_headers_without_body(build: Build) -> None:
    client = client_for(build(files={"index.html": "shell", "a.txt": "abc"}), fallback="index.html")

    asset = client.head("/a.txt")
    navigation = client.head("/deep/link", headers=HTML)

    assert (asset.status_code, asset.content, asset.headers["content-length"]) == (200, b"", "3")
    assert (navigation.status_code, navigation.content) == (200, b"")
    assert navigation.headers["content-length"] == "5"


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "TEXT/HTML",
        "application/xhtml+xml",
        "application/json, text/html;q=0.1",
        "text/html; level=1; q=not-a-number",
        HTML["accept"],
    ],
)
def test_index_fallback_serves_navigations(build: Build, accept: str) -> None:
    client = client_for(build(files={"index.html": "shell"}), fallback="index.html")

    response = client.get("/users/42/edit", headers={"accept": accept})

    assert response.status_code == 200
    assert response.text == "shell"


@pytest.mark.parametrize(
    "accept",
    ["", "*/*", "text/*", "application/json", "text/html;q=0", "text/html;q=0, */*"],
)
def test_index_fallback_refuses_non_navigations(build: Build, accept: str) -> None:
    client = client_for(build(files={"index.html": "shell"}), fallback="index.html")

    response = client.get("/assets/gone.js", headers={"accept": accept})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_404_page_fallback_answers_every_client_with_404(build: Build) -> None:
    client = client_for(build(files={"404.html": "lost"}), fallback="404.html")

    for headers in ({}, HTML, {"accept": "application/json"}):
        response = client.get("/nowhere", headers=headers)
        assert (response.status_code, response.text) == (404, "lost")


def test_auto_fallback_order(build: Build) -> None:
    only_index = client_for(build("a", {"index.html": "shell"}))
    both = client_for(build("b", {"index.html": "shell", "404.html": "lost"}))
    neither = client_for(build("c", {"robots.txt": "ok"}))

    assert only_index.get("/x", headers=HTML).text == "shell"
    assert only_index.get("/x.js").status_code == 404
    assert (both.get("/x", headers=HTML).status_code, both.get("/x").text) == (404, "lost")
    assert neither.get("/x", headers=HTML).json() == {"detail": "Not Found"}


def test_no_fallback_still_serves_directory_indexes(build: Build) -> None:
    client = client_for(
        build(files={"index.html": "shell", "guide/index.html": "guide"}), fallback=None
    )

    assert client.get("/guide/").text == "guide"
    assert client.get("/missing", headers=HTML).status_code == 404


def test_directory_without_index_uses_fallback(build: Build) -> None:
    client = client_for(build(files={"index.html": "shell", "img/logo.svg": "<svg/>"}))

    response = client.get("/img/", headers=HTML)

    assert (response.status_code, response.text) == (200, "shell")


def test_other_methods_get_405_for_files_and_404_elsewhere(build: Build) -> None:
    client = client_for(
        build(files={"index.html": "shell", "a.txt": "a", "sub/index.html": "s", "empty/x": ""}),
        fallback="index.html",
    )

    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        on_file = client.request(method, "/a.txt")
        assert on_file.status_code == 405
        assert on_file.headers["allow"] == "GET, HEAD"
        assert client.request(method, "/").status_code == 405
        assert client.request(method, "/sub/").status_code == 405
        assert client.request(method, "/client/route", headers=HTML).status_code == 404


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/a/..%2f..%2fsecret.txt", "/%00"]
)
def test_requests_cannot_leave_the_directory(build: Build, tmp_path: Path, path: str) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    client = client_for(build(files={"index.html": "shell", "a/b.txt": "b"}))

    response = client.get(path)

    assert response.status_code == 404
    assert "secret" not in response.text


def test_symlink_leading_outside_is_not_followed(build: Build, tmp_path: Path) -> None:
    dist = build(files={"index.html": "shell"})
    (tmp_path / "private.txt").write_text("private")
    os.symlink(tmp_path / "private.txt", dist / "private.txt")

    response = client_for(dist).get("/private.txt")

    assert response.status_code == 404
    assert "private" not in response.text


def test_missing_explicit_fallback_file_fails_loudly_at_request(build: Build) -> None:
    dist = build(files={"robots.txt": "ok"})
    client = client_for(dist, fallback="404.html", check_dir=False)

    with pytest.raises(RuntimeError, match=r"404\.html") as raised:
        client.get("/missing")

    assert str(dist) in str(raised.value)


def test_frontend_is_not_documented_in_openapi(build: Build) -> None:
    app = VeloxAPI()

    @app.get("/api/ping")
    def ping() -> str:
        return "pong"

    app.frontend("/", directory=build(files={"index.html": "shell"}))

    assert list(TestClient(app).get("/openapi.json").json()["paths"]) == ["/api/ping"]
