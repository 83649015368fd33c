"""Prometheus metrics through prometheus-client (``pip install "veloxapi[metrics]"``).

Labelled by method, route *template* (``/items/{item_id}``, never the raw
path, so the number of series stays bounded) and status:

* ``<namespace>_http_requests_total`` (counter)
* ``<namespace>_http_request_duration_seconds`` (histogram)
* ``<namespace>_http_request_size_bytes`` / ``..._response_size_bytes`` (histograms;
  the request size is its ``Content-Length``, else the body bytes the app read)
* ``<namespace>_http_requests_in_progress`` (gauge, by method)
* prometheus-client's process and platform collectors (CPU, memory, open files,
  Python version), unless ``VELOX_METRICS_PROCESS_METRICS=false``

Routes in ``VELOX_METRICS_EXCLUDE_ROUTES`` (by template; by default the metrics
path and the health battery's default paths) are not recorded.

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory shared by the workers before they start: each worker then writes its
values there and every scrape aggregates all workers. Without it each scrape
reads whichever worker answered, so installing the battery warns when the
process looks like one of several workers (see :mod:`veloxapi.batteries._workers`).
Process metrics are per process and are left out in multiprocess mode.

The text format is served at ``/metrics`` (left out of the OpenAPI document),
optionally behind a bearer token, or on a separate port instead.
"""

from __future__ import annotations

import hmac
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries._asgi import SendWatcher, header_value, route_template
from veloxapi.batteries._workers import worker_count
from veloxapi.batteries.metrics_body import BodyCounter
from veloxapi.batteries.metrics_tally import RouteSeries, Tallies
from veloxapi.batteries.settings import BatterySettings, ConfigurationError, CsvList, split_csv

try:
    import prometheus_client
    from prometheus_client import (
        PLATFORM_COLLECTOR,
        PROCESS_COLLECTOR,
        CollectorRegistry,
        Counter,
        Gauge,
        Histogram,
    )
    from prometheus_client.multiprocess import MultiProcessCollector
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        'The metrics battery needs prometheus-client: pip install "veloxapi[metrics]"'
    ) from exc

logger = logging.getLogger("veloxapi.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
STATE_KEY = "velox_metrics"
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DEFAULT_SIZE_BUCKETS = (100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0, 10_000_000.0)
_FLUSH_EVERY = 1000
"""Finished requests tallied before they are handed to prometheus-client unasked."""
HEALTH_PATHS = ("/running", "/readyz", "/version")
Buckets = Annotated[tuple[float, ...], NoDecode, BeforeValidator(split_csv)]


def _increasing(value: tuple[float, ...]) -> tuple[float, ...]:
    if any(low >= high for low, high in itertools.pairwise(value)):
        raise ValueError("bucket bounds must increase, e.g. 0.01,0.1,1,10")
    return value


class MetricsSettings(BatterySettings):
    """``VELOX_METRICS_*``: where metrics are served, how they are protected, buckets."""

    model_config = SettingsConfigDict(env_prefix="VELOX_METRICS_")

    path: str = Field(default="/metrics", pattern=r"^/\S*$")
    token: SecretStr | None = Field(default=None, min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    host: str = "0.0.0.0"
    namespace: str = Field(default="velox", pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")
    buckets: Buckets = Field(default=DEFAULT_BUCKETS, min_length=1)
    size_buckets: Buckets = Field(default=DEFAULT_SIZE_BUCKETS, min_length=1)
    """Bounds, in bytes, of the request and response size histograms."""
    exclude_routes: CsvList | None = None
    """Route templates not recorded; unset: the metrics path and ``/running``,
    ``/readyz``, ``/version``; empty: record every route."""
    process_metrics: bool = True
    """Export the process and platform collectors (single-process mode only)."""

    @field_validator("buckets", "size_buckets")
    @classmethod
    def _bounds_increase(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        return _increasing(value)

    def excluded(self) -> frozenset[str]:
        """The route templates left out of the metrics."""
        if self.exclude_routes is None:
            return frozenset((self.path, *HEALTH_PATHS))
        return frozenset(self.exclude_routes)


def multiprocess_mode() -> bool:
    """True when prometheus-client aggregates several worker processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


class InProgress:
    """How one method's in-progress gauge is kept: ``begin()`` when a request starts,
    ``end()`` when it ends."""

    __slots__ = ("begin", "end")

    def __init__(self, begin: Callable[[], object], end: Callable[[], object]) -> None:
        self.begin, self.end = begin, end

    @classmethod
    def counted(cls, child: Any) -> InProgress:
        """Without a lock per request: started and ended requests are two
        ``itertools.count`` (``next()`` on one is atomic), read when a scrape asks
        the gauge child (``set_function``) for its value. Reading draws one more
        number from each, which leaves their difference -- the value -- as it is.

        PERF: benchmarks "batteries" column: ``Gauge.inc()``/``dec()`` take the
        child's lock twice per request.
        """
        started, ended = itertools.count(), itertools.count()
        child.set_function(lambda: next(started) - next(ended))
        return cls(started.__next__, ended.__next__)


class HTTPMetrics:
    """The request metrics of one application, in their own registry."""

    def __init__(self, settings: MetricsSettings | None = None) -> None:
        self.settings = settings or MetricsSettings()
        self.registry = CollectorRegistry(auto_describe=True)
        prefix = self.settings.namespace
        self.requests = Counter(
            f"{prefix}_http_requests_total",
            "HTTP requests handled, by method, route template and status.",
            ("method", "route", "status"),
            registry=None,
        )
        self.latency = Histogram(
            f"{prefix}_http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route template and status.",
            ("method", "route", "status"),
            buckets=self.settings.buckets,
            registry=None,
        )
        self.request_size = Histogram(
            f"{prefix}_http_request_size_bytes",
            "Size of HTTP request bodies, by method and route template.",
            ("method", "route"),
            buckets=self.settings.size_buckets,
            registry=None,
        )
        self.response_size = Histogram(
            f"{prefix}_http_response_size_bytes",
            "Size of HTTP response bodies, by method and route template.",
            ("method", "route"),
            buckets=self.settings.size_buckets,
            registry=None,
        )
        self.in_progress = Gauge(
            f"{prefix}_http_requests_in_progress",
            "HTTP requests being handled now, by method.",
            ("method",),
            multiprocess_mode="livesum",
            registry=self.registry,
        )
        self.tallies = Tallies(
            self.requests,
            self.latency,
            self.request_size,
            self.response_size,
            flush_every=1 if multiprocess_mode() else _FLUSH_EVERY,
        )
        for collector in (
            self.tallies,  # first: a scrape hands the tallies over before reading the rest
            self.requests,
            self.latency,
            self.request_size,
            self.response_size,
        ):
            self.registry.register(collector)
        self.excluded = self.settings.excluded()
        self._series: dict[tuple[str, str], RouteSeries | None] = {}
        self._in_progress: dict[str, InProgress] = {}
        self._progress_lock = threading.Lock()
        if self.settings.process_metrics and not multiprocess_mode():
            self.registry.register(PROCESS_COLLECTOR)
            self.registry.register(PLATFORM_COLLECTOR)

    def series(self, method: str, route: str) -> RouteSeries | None:
        """The prepared series of one method and route template (``None``: excluded)."""
        key = (method, route)
        try:
            return self._series[key]
        except KeyError:
            pass
        found = None if route in self.excluded else RouteSeries(self.tallies, method, route)
        if len(self._series) < 4096:  # bounded: unmatched methods come from clients
            self._series[key] = found
        return found

    def started(self, method: str) -> Callable[[], object]:
        """Count a request of ``method`` as in progress; call the result when it ends."""
        progress = self._in_progress.get(method)
        if progress is None:
            progress = self._progress(method)
        progress.begin()
        return progress.end

    def _progress(self, method: str) -> InProgress:
        child = self.in_progress.labels(method)
        with self._progress_lock:  # once per method: its child gets one function
            found = self._in_progress.get(method)
            if found is not None:
                return found
            if len(self._in_progress) >= 64:
                # Methods come from clients: past 64 the child is not kept here, and
                # inc()/dec() on the registry's child (the same one each time) stay exact.
                return InProgress(child.inc, child.dec)
            if multiprocess_mode():  # another worker reads the files only inc()/dec() write
                found = InProgress(child.inc, child.dec)
            else:
                found = InProgress.counted(child)
            self._in_progress[method] = found
            return found

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def observe_sizes(self, method: str, route: str, received: int, sent: int) -> None:
        self.request_size.labels(method, route).observe(received)
        self.response_size.labels(method, route).observe(sent)

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: all workers' files in multiprocess mode, else this registry."""
        if not multiprocess_mode():
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry

    def exposition(self) -> bytes:
        return prometheus_client.generate_latest(self.scrape_registry())


class MetricsServer:
    """The separate metrics server of ``settings.port``: started when the application
    starts (ASGI lifespan), stopped when it shuts down."""

    def __init__(self, metrics: HTTPMetrics) -> None:
        self.metrics = metrics
        self._server: Any = None

    def lifespan_receive(self, receive: Receive) -> Receive:
        """``receive`` of a lifespan scope, starting and stopping the server on its events."""

        async def watching_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._start_server()
            elif message["type"] == "lifespan.shutdown":
                await anyio.to_thread.run_sync(self._stop_server)
            return message

        return watching_receive

    def _start_server(self) -> None:
        settings = self.metrics.settings
        port = settings.port
        if port is None:
            return
        try:
            self._server, _ = prometheus_client.start_http_server(
                port, addr=settings.host, registry=self.metrics.scrape_registry()
            )
        except OSError as exc:
            if not multiprocess_mode():
                raise ConfigurationError(
                    [
                        f"VELOX_METRICS_PORT={port} cannot be bound on {settings.host} ({exc}); "
                        f"free the port, or with several workers set {MULTIPROC_ENV}"
                    ]
                ) from exc
            # Another worker already serves the shared multiprocess view on this port.
            logger.info("metrics port %s not bound by this worker: %s", port, exc)

    def _stop_server(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class MetricsMiddleware:
    """Pure ASGI middleware recording every HTTP request into :class:`HTTPMetrics`.

    ``augment_app`` does not add it: the batteries' outer layer
    (:mod:`veloxapi.batteries.layer`) records the same metrics. It serves apps
    that take the battery on its own. With ``settings.port`` set it also runs
    the separate metrics server (:class:`MetricsServer`).
    """

    def __init__(self, app: ASGIApp, metrics: HTTPMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self.server = MetricsServer(metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.metrics.settings.port is not None:
            await self.app(scope, self.server.lifespan_receive(receive), send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self._measure(scope, receive, send)

    async def _measure(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        start = time.perf_counter()
        watcher = SendWatcher(send)
        reader = BodyCounter(receive)
        done = self.metrics.started(method)
        try:
            await self.app(scope, reader, watcher)
        finally:
            done()
            series = self.metrics.series(method, route_template(scope))
            if series is not None:
                received = content_length(scope)
                size = reader.size if received is None else received
                elapsed = time.perf_counter() - start
                series.observe(watcher.status, elapsed, size, watcher.size)


def content_length(scope: Scope) -> int | None:
    raw = header_value(scope["headers"], b"content-length")
    return int(raw) if raw is not None and raw.isdigit() else None


def warn_if_workers_disagree(workers: int) -> None:
    """Warn that per-worker metrics make scrapes alternate between workers."""
    if workers > 1 and not multiprocess_mode():
        logger.warning(
            "%d worker processes appear to serve this app but %s is not set: each "
            "/metrics scrape shows one worker's numbers. Set %s to an empty directory "
            "shared by the workers (see docs/metrics.md).",
            workers,
            MULTIPROC_ENV,
            MULTIPROC_ENV,
        )


def _authorized(request: Request, token: SecretStr | None) -> bool:
    if token is None:
        return True
    supplied = request.headers.get("authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    return hmac.compare_digest(supplied.encode(), expected.encode())


def metrics_endpoint(metrics: HTTPMetrics) -> Any:
    """A Starlette endpoint answering the Prometheus text format."""
    token = metrics.settings.token

    async def serve_metrics(request: Request) -> Response:
        if not _authorized(request, token):
            return PlainTextResponse(
                "Missing or wrong bearer token for metrics.",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(metrics.exposition(), media_type=prometheus_client.CONTENT_TYPE_LATEST)

    return serve_metrics


def metrics_for(app: Any) -> HTTPMetrics | None:
    """The metrics :func:`install_metrics` set up on ``app``, for other batteries to report to."""
    found = getattr(app.state, STATE_KEY, None)
    return found if isinstance(found, HTTPMetrics) else None


def install_metrics(app: Any, settings: MetricsSettings) -> HTTPMetrics:
    """Measure every request of ``app`` (in the batteries' outer layer) and expose the
    metrics (route or port)."""
    from veloxapi.batteries.layer import outer_layer

    warn_if_workers_disagree(worker_count())
    metrics = HTTPMetrics(settings)
    setattr(app.state, STATE_KEY, metrics)
    parts = outer_layer(app)
    parts.metrics = metrics
    if settings.port is not None:
        parts.metrics_server = MetricsServer(metrics)
    if settings.port is None:
        app.add_route(
            settings.path, metrics_endpoint(metrics), methods=["GET"], include_in_schema=False
        )
    return metrics
