"""Metrics: sizes, excluded routes, process metrics and the several-workers warning."""

from __future__ import annotations

import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries import augment_app
from veloxapi.batteries._workers import worker_count
from veloxapi.batteries.metrics import MetricsSettings


async def echo(request: Request) -> Response:
    return Response(await request.body() + b"!")


def scrape(settings: MetricsSettings | bool = True) -> tuple[TestClient, dict[str, float]]:
    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    augment_app(app, metrics=settings, health=True)
    client = TestClient(app)
    client.post("/echo", content=b"x" * 300)
    client.get("/running")
    client.get("/metrics")
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            key = sample.name + str(sorted(sample.labels.items()))
            values[key] = values.get(key, 0) + sample.value
    return client, values


def total(values: dict[str, float], name: str, route: str) -> float:
    return sum(v for k, v in values.items() if k.startswith(name + "[") and f"'{route}'" in k)


def test_request_and_response_sizes() -> None:
    _, values = scrape()
    assert total(values, "velox_http_request_size_bytes_sum", "/echo") == 300
    assert total(values, "velox_http_response_size_bytes_sum", "/echo") == 301
    assert total(values, "velox_http_request_size_bytes_count", "/echo") == 1


def test_probes_and_metrics_are_excluded_by_default() -> None:
    _, values = scrape()
    assert total(values, "velox_http_requests_total", "/echo") == 1
    assert total(values, "velox_http_requests_total", "/running") == 0
    assert total(values, "velox_http_requests_total", "/metrics") == 0


def test_exclusions_are_configurable() -> None:
    _, values = scrape(MetricsSettings(exclude_routes=("/echo",)))
    assert total(values, "velox_http_requests_total", "/echo") == 0
    assert total(values, "velox_http_requests_total", "/running") == 1


def test_process_metrics_are_exported_and_can_be_turned_off() -> None:
    _, values = scrape()
    assert any(k.startswith("process_resident_memory_bytes") for k in values)
    assert any(k.startswith("python_info") for k in values)
    _, without = scrape(MetricsSettings(process_metrics=False))
    assert not any(k.startswith("process_") for k in without)


def test_several_workers_without_a_multiprocess_directory_warn(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with caplog.at_level(logging.WARNING, logger="veloxapi.metrics"):
        augment_app(Starlette(), metrics=True)
    assert "4 worker processes" in caplog.text
    assert "PROMETHEUS_MULTIPROC_DIR" in caplog.text


def test_one_worker_or_a_multiprocess_directory_do_not_warn(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    with caplog.at_level(logging.WARNING, logger="veloxapi.metrics"):
        augment_app(Starlette(), metrics=True)
        monkeypatch.setenv("WEB_CONCURRENCY", "4")
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        augment_app(Starlette(), metrics=True)
    assert "worker processes" not in caplog.text


@pytest.mark.parametrize(
    ("environ", "argv", "expected"),
    [
        ({}, ["uvicorn", "app:app"], 1),
        ({"WEB_CONCURRENCY": "3"}, ["uvicorn"], 3),
        ({}, ["uvicorn", "app:app", "--workers", "2"], 2),
        ({}, ["gunicorn", "-w", "5", "app:app"], 5),
        ({}, ["uvicorn", "--workers=6"], 6),
        ({"GUNICORN_CMD_ARGS": "--workers 7 --bind :80"}, ["gunicorn"], 7),
    ],
)
def test_worker_count_signals(environ: dict[str, str], argv: list[str], expected: int) -> None:
    assert worker_count(environ, argv) == expected


def test_every_finished_request_is_in_each_scrape_once_in_its_bucket() -> None:
    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    augment_app(app, metrics=MetricsSettings(size_buckets=(100.0, 1000.0)))
    client = TestClient(app)

    def bucket(le: str) -> float:
        found = 0.0
        for family in text_string_to_metric_families(client.get("/metrics").text):
            for sample in family.samples:
                labels = sample.labels
                if (
                    sample.name == "velox_http_request_size_bytes_bucket"
                    and labels["route"] == "/echo"
                    and labels["le"] == le
                ):
                    found += sample.value
        return found

    for size in (100, 101, 1000, 5000):
        client.post("/echo", content=b"x" * size)
    assert (bucket("100.0"), bucket("1000.0"), bucket("+Inf")) == (1, 3, 4)
    client.post("/echo", content=b"x" * 10)
    assert (bucket("100.0"), bucket("+Inf")) == (2, 5)  # earlier requests not counted twice
