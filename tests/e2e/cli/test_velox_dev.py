"""``velox dev``: finds the app, serves it on localhost, reloads when the code changes."""

from __future__ import annotations

import time

import httpx
from velox_cli_e2e import write_app

APP = """
from veloxapi import VeloxAPI
app = VeloxAPI(batteries={{"logging": True}})

@app.get("/version")
def version() -> dict:
    return {{"version": {version}}}
"""


def _wait_for(url: str, expected: dict, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=1).json()
            if last == expected:
                return
        except (httpx.HTTPError, ValueError) as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} answered {last!r}, not {expected!r}")


def test_dev_serves_the_default_file_and_reloads_on_change(velox, tmp_path):
    app_path = write_app(tmp_path, "main.py", APP.format(version=1))
    server = velox("dev")
    _wait_for(server.url + "/version", {"version": 1})
    app_path.write_text(APP.format(version=2))
    _wait_for(server.url + "/version", {"version": 2})
    output = server.output()
    assert "velox dev: serving main:app" in output
    assert "127.0.0.1" in output
    access = [line for line in output.splitlines() if "GET /version 200" in line]
    assert access and not access[0].lstrip().startswith("{")  # the battery logs text in dev


def test_dev_compat_serves_an_unchanged_fastapi_app(velox, tmp_path):
    write_app(
        tmp_path,
        "api.py",
        "from fastapi import FastAPI\napi = FastAPI()\n\n"
        "@api.get('/hi')\ndef hi() -> dict:\n    return {'hi': 'there'}\n",
    )
    server = velox("dev", "--compat", "--no-reload")
    assert httpx.get(server.url + "/hi").json() == {"hi": "there"}
