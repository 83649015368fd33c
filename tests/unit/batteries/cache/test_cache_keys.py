"""What a cache key is made of: the response's own Vary, the Host, the client's directives."""

from __future__ import annotations

import itertools

import pytest

from veloxapi import Depends, Header, Request, VeloxAPI
from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.cache import Cache, CacheSettings, install_cache
from veloxapi.responses import JSONResponse
from veloxapi.testclient import TestClient

calls = itertools.count(1)


def build_app(settings: CacheSettings | None = None) -> VeloxAPI:
    app = VeloxAPI()
    install_cache(app, settings or CacheSettings())

    @app.get("/greeting", dependencies=[Depends(Cache(ttl=60))])
    async def greeting(accept_language: str = Header("en")) -> JSONResponse:
        text = "Hallo" if accept_language.startswith("de") else "Hello"
        return JSONResponse(
            {"text": text, "call": next(calls)}, headers={"Vary": "Accept-Language"}
        )

    @app.get("/link", dependencies=[Depends(Cache(ttl=60))])
    async def link(request: Request) -> dict[str, object]:
        return {"next": str(request.url_for("link")), "call": next(calls)}

    @app.get("/anything", dependencies=[Depends(Cache(ttl=60))])
    async def anything() -> JSONResponse:
        return JSONResponse({"call": next(calls)}, headers={"Vary": "*"})

    return app


def test_the_routes_own_vary_header_is_part_of_the_key() -> None:
    client = TestClient(build_app())
    english = client.get("/greeting", headers={"Accept-Language": "en"})
    german = client.get("/greeting", headers={"Accept-Language": "de"})
    assert german.json()["text"] == "Hallo"
    assert german.headers["x-cache"] == "MISS"
    again = client.get("/greeting", headers={"Accept-Language": "de"})
    assert again.headers["x-cache"] == "HIT"
    assert again.json() == german.json()
    assert client.get("/greeting", headers={"Accept-Language": "en"}).json() == english.json()
    assert english.headers["vary"].startswith("accept-language")


def test_vary_star_is_never_stored() -> None:
    client = TestClient(build_app())
    client.get("/anything")
    assert client.get("/anything").headers["x-cache"] == "MISS"


def test_a_forged_host_does_not_poison_other_clients() -> None:
    client = TestClient(build_app())
    forged = client.get("/link", headers={"Host": "evil.example"})
    assert forged.json()["next"].startswith("http://evil.example/")
    honest = client.get("/link", headers={"Host": "api.example.com"})
    assert honest.headers["x-cache"] == "MISS"
    assert honest.json()["next"] == "http://api.example.com/link"


def test_with_a_public_origin_other_hosts_bypass_the_cache() -> None:
    settings = CacheSettings(public_origin="https://API.example.com/")
    client = TestClient(build_app(settings), base_url="https://api.example.com")
    client.get("/link")
    assert client.get("/link").headers["x-cache"] == "HIT"
    forged = client.get("/link", headers={"Host": "evil.example"})
    assert "x-cache" not in forged.headers
    assert forged.json()["next"].startswith("https://evil.example/")
    assert client.get("/link").json()["next"] == "https://api.example.com/link"


@pytest.mark.parametrize(
    "request_headers", [{"Cache-Control": "no-cache"}, {"Cache-Control": "max-age=0"},
                        {"Pragma": "no-cache"}]
)  # fmt: skip
def test_client_no_cache_refetches_and_refreshes(request_headers: dict[str, str]) -> None:
    client = TestClient(build_app())
    first = client.get("/link").json()
    fresh = client.get("/link", headers=request_headers)
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json()["call"] != first["call"]
    assert client.get("/link").json() == fresh.json()


def test_client_no_store_is_neither_served_nor_stored() -> None:
    client = TestClient(build_app())
    stored = client.get("/link").json()
    private = client.get("/link", headers={"Cache-Control": "no-store"})
    assert "x-cache" not in private.headers
    assert private.json()["call"] != stored["call"]
    assert client.get("/link").json() == stored


def test_request_directives_can_be_ignored() -> None:
    client = TestClient(build_app(CacheSettings(honour_request_directives=False)))
    stored = client.get("/link").json()
    assert client.get("/link", headers={"Cache-Control": "no-cache"}).json() == stored


def test_empty_credential_headers_are_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VELOX_CACHE_CREDENTIAL_HEADERS", "")
    with pytest.raises(ConfigurationError) as caught:
        augment_app(VeloxAPI(), cache=True)
    assert "VELOX_CACHE_CREDENTIAL_HEADERS=" in str(caught.value)
    assert "at least one header" in str(caught.value)


def test_a_public_origin_must_be_an_origin() -> None:
    with pytest.raises(ValueError, match="scheme and host only"):
        CacheSettings(public_origin="https://api.example.com/v1")
