"""Providers configured after the application started are picked up; until then, nothing runs."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from veloxapi import FastAPI
from veloxapi.testclient import TestClient


def test_a_global_tracer_provider_set_later_enables_a_running_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> int:
        return item_id

    client = TestClient(app)
    assert client.get("/items/1").json() == 1
    route = next(r for r in app.routes if getattr(r, "path", "") == "/items/{item_id}")
    assert route.current_plan().observer is None  # nothing configured: no plan step

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # what trace.set_tracer_provider does, undone after the test
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    assert client.get("/items/2").json() == 2
    names = sorted(span.name for span in exporter.get_finished_spans())
    assert "GET /items/{item_id}" in names
    assert "fastapi.endpoint" in names  # the route's plan was compiled again, observed
    assert route.current_plan().observer is app.telemetry_observer is not None


def test_exporters_set_up_earlier_are_flushed_when_an_app_without_telemetry_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from veloxapi.telemetry import _runtime

    flushed: list[str] = []

    class Exporter:
        def force_flush(self) -> None:
            flushed.append("flush")

        def shutdown(self) -> None:
            flushed.append("shutdown")

    monkeypatch.setattr(_runtime, "_owned", [Exporter()])
    with TestClient(FastAPI()) as client:
        assert client.get("/").status_code == 404
    assert flushed == ["flush"]
