"""A frontend served by a real uvicorn server over HTTP, beside an API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from veloxapi import VeloxAPI

Build = Callable[..., Path]


def test_frontend_and_api_over_real_http(build: Build, live_server: Callable[..., str]) -> None:
    bundle = "x" * 300_000
    dist = build(files={"index.html": "<div id=app></div>", "assets/bundle.js": bundle})
    app = VeloxAPI()

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.frontend("/", directory=dist, fallback="index.html")
    base = live_server(app)

    with httpx.Client(base_url=base) as client:
        asset = client.get("/assets/bundle.js")
        navigation = client.get("/settings/profile", headers={"accept": "text/html"})
        api = client.get("/api/health", headers={"accept": "text/html"})
        missing = client.get("/assets/old.js")

    assert (asset.status_code, len(asset.content)) == (200, len(bundle))
    assert navigation.text == "<div id=app></div>"
    assert api.json() == {"status": "ok"}
    assert missing.status_code == 404
