"""``velox run`` over real HTTP: GET and POST, several workers, JSON logs, graceful stop."""

from __future__ import annotations

import json
import signal
import threading
import time

import httpx
from velox_cli_e2e import write_app

APP = """
import os
from pydantic import BaseModel
from veloxapi import Request, VeloxAPI

app = VeloxAPI()

class Order(BaseModel):
    id: int
    items: list[str]

@app.get("/slow")
async def slow() -> dict:
    import asyncio
    await asyncio.sleep(1.5)
    return {"finished": True}

@app.get("/pid")
def pid() -> dict:
    return {"pid": os.getpid()}

@app.post("/orders")
def create(order: Order) -> Order:
    return order

@app.get("/behind-proxy")
def behind_proxy(request: Request) -> dict:
    return {"root_path": request.scope.get("root_path"), "client": request.client.host,
            "scheme": request.url.scheme}
"""


def test_get_and_post_over_http_with_two_workers(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--workers", "2")
    with httpx.Client(base_url=server.url) as client:
        order = {"id": 3, "items": ["a", "b"]}
        assert client.post("/orders", json=order).json() == order
        assert client.post("/orders", json={"id": "x"}).status_code == 422
        pids = set()
        for _ in range(60):
            with httpx.Client(base_url=server.url) as fresh:  # new connection each time
                pids.add(fresh.get("/pid").json()["pid"])
    assert len(pids) == 2


def test_json_logs_and_a_graceful_stop(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--timeout-graceful-shutdown", "10")
    assert httpx.get(server.url + "/pid").status_code == 200
    answers: list[httpx.Response] = []
    in_flight = threading.Thread(target=lambda: answers.append(httpx.get(server.url + "/slow")))
    in_flight.start()
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    in_flight.join(timeout=30)
    # uvicorn re-raises SIGTERM once shut down, so the exit is "terminated by SIGTERM"
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert answers[0].json() == {"finished": True}  # the in-flight request was completed
    records = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    messages = [record["message"] for record in records]
    assert any("GET /pid" in message for message in messages)  # the access line
    assert any("Application shutdown complete" in message for message in messages)
    assert {"time", "level", "logger", "message"} <= set(records[0])


def test_root_path_and_trusted_proxy_headers(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--root-path", "/api", "--forwarded-allow-ips", "127.0.0.1")
    answer = httpx.get(
        server.url + "/behind-proxy",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    ).json()
    assert answer == {"root_path": "/api", "client": "203.0.113.9", "scheme": "https"}


def test_an_app_that_cannot_be_found_fails_before_serving(velox, tmp_path):
    write_app(tmp_path, "main.py", "value = 1\n")
    server = velox("run", wait=False)
    assert server.process.wait(timeout=30) == 1
    assert "No application found" in server.output()
    assert "'app' and 'api'" in server.output()
