"""Spans and metrics of requests served by uvicorn: server attributes, streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from veloxapi import FastAPI
from veloxapi.responses import StreamingResponse


@pytest.fixture
def exported() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader, FastAPI]]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider(shutdown_on_exit=False)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    app = FastAPI(telemetry={"tracer_provider": tracer_provider, "meter_provider": meter_provider})

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"a", b"b", b"c"):
                yield part

        return StreamingResponse(chunks())

    yield spans, reader, app
    tracer_provider.shutdown()
    meter_provider.shutdown()


def test_a_request_over_http_reports_the_server_it_reached(
    exported: tuple[InMemorySpanExporter, InMemoryMetricReader, FastAPI],
    live_server: Callable[..., str],
) -> None:
    spans, reader, app = exported
    base = live_server(app)
    port = int(base.rsplit(":", 1)[1])
    assert httpx.get(f"{base}/items/5").json() == {"item_id": 5}
    assert httpx.get(f"{base}/stream").text == "abc"
    servers = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in servers] == ["GET /items/{item_id}", "GET /stream"]
    for span in servers:
        assert span.attributes is not None
        assert span.attributes["server.address"] == "127.0.0.1"
        assert span.attributes["server.port"] == port
        assert span.attributes["http.response.status_code"] == 200
    data = reader.get_metrics_data()
    assert data is not None
    counts = [
        point.count
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "http.server.request.duration"
        for point in metric.data.data_points
    ]
    assert sorted(counts) == [1, 1]
