"""``auto_configure`` end to end: OTLP export from the environment to a real HTTP collector."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from telemetry_collector import Collector, running_collector

from support.processes import free_port, stop_process
from veloxapi import FastAPI
from veloxapi.testclient import TestClient

HERE = Path(__file__).resolve().parent
PROTOBUF = "application/x-protobuf"


@pytest.fixture
def collector() -> Iterator[Collector]:
    with running_collector() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("FASTAPI_OTEL_", "OTEL_")):
            monkeypatch.delenv(name)


def test_a_served_app_exports_all_three_signals_from_the_environment(
    collector: Collector,
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FASTAPI_OTEL_"))},
        "FASTAPI_OTEL_AUTO_CONFIGURE": "true",
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
    }
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE)]
    command += ["telemetry_e2e_app:app", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(base)
        assert httpx.get(f"{base}/items/4").json() == {"item_id": 4}
        assert httpx.get(f"{base}/items/0").status_code == 500
    finally:
        stop_process(process)  # SIGTERM: lifespan shut-down flushes the exporters
    assert collector.paths() == {"/v1/traces", "/v1/metrics", "/v1/logs"}
    assert all(e.content_type == PROTOBUF and e.size > 0 for e in collector.exports)


def test_exporters_are_added_to_the_providers_the_app_was_given(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracer_provider = TracerProvider(shutdown_on_exit=False)
    meter_provider = MeterProvider(shutdown_on_exit=False)
    logger_provider = LoggerProvider(shutdown_on_exit=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{collector.url}/custom/traces")
    app = FastAPI(
        telemetry={
            "tracer_provider": tracer_provider,
            "meter_provider": meter_provider,
            "logger_provider": logger_provider,
            "auto_configure": True,
        }
    )

    @app.get("/")
    async def root() -> str:
        return "ok"

    try:
        with TestClient(app) as client:  # start-up attaches, shut-down flushes
            assert client.get("/").json() == "ok"
        assert collector.paths() == {"/custom/traces"}  # only the signal with an endpoint
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()
        logger_provider.shutdown()


def test_a_bad_export_setting_is_logged_and_the_app_still_serves(
    collector: Collector, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    tracer_provider = TracerProvider(shutdown_on_exit=False)
    app = FastAPI(telemetry={"tracer_provider": tracer_provider, "auto_configure": True})

    @app.get("/")
    async def root() -> str:
        return "ok"

    with TestClient(app) as client:
        assert client.get("/").json() == "ok"
    tracer_provider.shutdown()
    assert "'grpc'" in caplog.text and "http/protobuf" in caplog.text
    assert collector.exports == []


def _wait_until_serving(base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/items/1", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the server at {base} did not start")
