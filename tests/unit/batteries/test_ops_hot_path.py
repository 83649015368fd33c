"""What the batteries' per-request shortcuts must keep: ids, gauges, tallies, headers, lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re

import httpx
import pytest
from ops_helpers import LogCapture, in_request, only_the_batterys_handler
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from veloxapi import VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.logging import ACCESS_LOGGER, AccessLog, LoggingSettings, configure_logging
from veloxapi.batteries.ratelimit import RateLimitSettings
from veloxapi.batteries.request_id import new_request_id
from veloxapi.testclient import TestClient


def test_generated_ids_are_random_hex_and_unique_across_batches() -> None:
    ids = [new_request_id() for _ in range(2000)]  # several batches of 256
    assert all(re.fullmatch(r"[0-9a-f]{32}", found) for found in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_the_parents_ids() -> None:
    new_request_id()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next ids and leave at once
        os.write(writer, " ".join(new_request_id() for _ in range(3)).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    with os.fdopen(reader) as pipe:
        child = set(pipe.read().split())
    parent = {new_request_id() for _ in range(3)}
    assert len(child) == 3
    assert not child & parent


def metric(text: str, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_the_in_progress_gauge_follows_requests_in_flight() -> None:
    app = VeloxAPI()
    release = asyncio.Event()

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        await release.wait()
        return {"done": True}

    augment_app(app, metrics=True)

    async def scenario() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            waiting = [asyncio.ensure_future(client.get("/slow")) for _ in range(2)]
            await asyncio.sleep(0.05)
            during = metric((await client.get("/metrics")).text, "velox_http_requests_in_progress")
            release.set()
            await asyncio.gather(*waiting)
            after = metric((await client.get("/metrics")).text, "velox_http_requests_in_progress")
            return during, after

    during, after = asyncio.run(scenario())
    assert during == 3  # two waiting requests and the scrape itself
    assert after == 1  # the scrape alone


def test_each_status_of_a_route_is_tallied_apart_with_its_sizes() -> None:
    app = VeloxAPI()

    @app.post("/echo/{status}")
    async def echo(status: int, request: Request) -> Response:
        return Response(await request.body() + b"!", status_code=status)

    augment_app(app, metrics=True)
    client = TestClient(app)
    for status, size in ((200, 10), (200, 500), (404, 5000)):
        client.post(f"/echo/{status}", content=b"x" * size)
    text = client.get("/metrics").text
    route = "/echo/{status}"
    for status, count in (("200", 2), ("404", 1)):
        labels = {"route": route, "status": status}
        assert metric(text, "velox_http_requests_total", **labels) == count
        assert metric(text, "velox_http_request_duration_seconds_count", **labels) == count
        inf = metric(text, "velox_http_request_duration_seconds_bucket", le="+Inf", **labels)
        assert inf == count
    assert metric(text, "velox_http_request_size_bytes_sum", route=route) == 5510
    assert metric(text, "velox_http_response_size_bytes_sum", route=route) == 5513
    assert metric(text, "velox_http_request_size_bytes_bucket", route=route, le="100.0") == 1
    assert metric(text, "velox_http_response_size_bytes_bucket", route=route, le="1000.0") == 2


def test_headers_the_app_set_itself_are_merged_not_repeated() -> None:
    app = VeloxAPI()

    @app.get("/own")
    async def own() -> JSONResponse:
        headers = {"X-Frame-Options": "SAMEORIGIN", "X-Request-ID": "the-app-id"}
        return JSONResponse({}, headers=headers)

    augment_app(
        app,
        request_id=True,
        security_headers=True,
        rate_limit=RateLimitSettings(default_limits=("100/minute",)),
    )
    response = TestClient(app).get("/own", headers={"X-Request-ID": "client-id"})
    raw = [(key.lower(), value) for key, value in response.headers.multi_items()]
    names = [key for key, _ in raw]
    assert len(names) == len(set(names))  # nothing twice
    assert response.headers["x-frame-options"] == "SAMEORIGIN"  # the app's value wins
    assert response.headers["x-request-id"] == "client-id"  # the request's id replaces the app's
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["ratelimit-limit"] == "100"


def _latency_texts(lines: list[str]) -> list[str]:
    return [line.split('"latency_ms": ', 1)[1].split(",", 1)[0] for line in lines]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_latency_text_is_the_json_formatters(log_capture: LogCapture, seed: int) -> None:
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    only_the_batterys_handler()
    rng = random.Random(seed)
    values = [0, 499, 500, 1_000, 2_062_500, 1_234_500, 10**9, 59_999_999_500, 10**18, 10**21]
    values += [int(rng.random() * 10 ** rng.randint(2, 13)) for _ in range(500)]
    scope = {"method": "GET", "client": None}
    with in_request("req-1"):
        for elapsed_ns in values:
            AccessLog().write(scope, "/x", 200, elapsed_ns, 3, "req-1")  # prepared parts
        logging.getLogger(ACCESS_LOGGER).addFilter(lambda record: True)  # through a LogRecord
        try:
            for elapsed_ns in values:
                AccessLog().write(scope, "/x", 200, elapsed_ns, 3, "req-1")
        finally:
            logging.getLogger(ACCESS_LOGGER).filters.clear()
    lines = log_capture.text.splitlines()
    fast, slow = _latency_texts(lines[: len(values)]), _latency_texts(lines[len(values) :])
    assert fast == slow
    assert fast[:4] == ["0.0", "0.0", "0.001", "0.001"]  # to the microsecond, half up
    assert fast[4:7] == ["2.063", "1.235", "1000.0"]


@pytest.mark.parametrize(
    ("client", "expected"),
    [(None, None), (("::1", 443), "::1:443"), (('ho"st', 1), 'ho"st:1')],
)
def test_the_access_lines_client_matches_the_formatters(
    log_capture: LogCapture, client: tuple[str, int] | None, expected: str | None
) -> None:
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    only_the_batterys_handler()
    scope = {"method": "GET", "client": client}
    with in_request("req-1"):
        AccessLog().write(scope, "/x", 201, 500_000_000, 3, "req-1")  # prepared parts
        logging.getLogger(ACCESS_LOGGER).addFilter(lambda record: True)  # through a LogRecord
        try:
            AccessLog().write(scope, "/x", 201, 500_000_000, 3, "req-1")
        finally:
            logging.getLogger(ACCESS_LOGGER).filters.clear()
    fast, slow = log_capture.text.splitlines()
    assert json.loads(fast)["client"] == expected
    assert fast.split('"level"', 1)[1] == slow.split('"level"', 1)[1]


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == ACCESS_LOGGER:
            self.messages.append(record.getMessage())


def _logged_app(log_capture: LogCapture) -> TestClient:
    app = VeloxAPI()

    @app.get("/x")
    async def x() -> dict[str, int]:
        return {"x": 1}

    augment_app(app, logging=True)
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    only_the_batterys_handler()
    return TestClient(app)


@pytest.mark.parametrize("name", ["", "veloxapi", ACCESS_LOGGER])
def test_a_handler_added_after_the_first_request_sees_the_access_line(
    log_capture: LogCapture, name: str
) -> None:
    client = _logged_app(log_capture)
    assert client.get("/x").status_code == 200  # the line rendered directly
    kept, logger = _Kept(), logging.getLogger(name)
    logger.addHandler(kept)
    try:
        assert client.get("/x").status_code == 200
    finally:
        logger.removeHandler(kept)
    assert client.get("/x").status_code == 200
    assert kept.messages == ["GET /x 200"]
    lines = log_capture.access()
    assert len(lines) == 3  # the battery's handler still writes every line
    assert {line["message"] for line in lines} == {"GET /x 200"}


@pytest.mark.parametrize("name", ["", "veloxapi", ACCESS_LOGGER])
def test_a_filter_added_after_the_first_request_applies_as_logging_applies_it(
    log_capture: LogCapture, name: str
) -> None:
    client = _logged_app(log_capture)
    assert client.get("/x").status_code == 200
    seen: list[str] = []

    def refuse(record: logging.LogRecord) -> bool:
        seen.append(record.getMessage())
        return record.name != ACCESS_LOGGER

    logger = logging.getLogger(name)
    logger.addFilter(refuse)
    try:
        assert client.get("/x").status_code == 200
    finally:
        logger.removeFilter(refuse)
    assert client.get("/x").status_code == 200
    lines = log_capture.access()
    if name == ACCESS_LOGGER:  # a logger's filters see the records logged on it
        assert seen == ["GET /x 200"]
        assert len(lines) == 2
    else:  # not those of its children, which still reach the handlers
        assert seen == []
        assert len(lines) == 3
        assert lines[1].keys() == lines[0].keys()


@pytest.mark.parametrize("name", ["", ACCESS_LOGGER])
def test_a_level_raised_after_the_first_request_stops_the_access_line(
    log_capture: LogCapture, name: str
) -> None:
    client = _logged_app(log_capture)
    assert client.get("/x").status_code == 200
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert client.get("/x").status_code == 200
    finally:
        logger.setLevel(before)
    assert client.get("/x").status_code == 200
    assert len(log_capture.access()) == 2


def test_a_level_raised_on_the_batterys_handler_stops_the_access_line(
    log_capture: LogCapture,
) -> None:
    client = _logged_app(log_capture)
    assert client.get("/x").status_code == 200
    handler = logging.getLogger().handlers[-1]
    handler.setLevel(logging.WARNING)
    assert client.get("/x").status_code == 200
    handler.setLevel(logging.NOTSET)
    assert client.get("/x").status_code == 200
    assert len(log_capture.access()) == 2
