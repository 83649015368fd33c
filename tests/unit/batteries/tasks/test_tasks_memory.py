"""The in-process default: the same jobs and endpoints, run by a worker inside the app."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from veloxapi import HTTPException, VeloxAPI
from veloxapi.batteries import augment_app, get_request_id
from veloxapi.batteries.logging import RequestIdFilter
from veloxapi.batteries.settings import ConfigurationError
from veloxapi.batteries.tasks import Jobs, TaskQueue, TaskSettings
from veloxapi.testclient import TestClient


@pytest.fixture
def queue() -> Iterator[TaskQueue]:
    queue = TaskQueue(TaskSettings(min_backoff_ms=10, max_backoff_ms=20, worker_threads=2))
    yield queue
    queue.close()


def app_with(queue: TaskQueue) -> VeloxAPI:
    app = VeloxAPI()
    augment_app(app, request_id=True)
    queue.install(app)
    return app


def test_job_added_by_an_endpoint_runs_in_the_app_with_its_request_id(queue: TaskQueue) -> None:
    seen: list[tuple[int, str | None]] = []

    @queue.job
    def remember(value: int) -> None:
        seen.append((value, get_request_id()))

    app = app_with(queue)

    @app.post("/remember/{value}")
    def endpoint(value: int, jobs: Jobs) -> dict[str, int]:
        jobs.add_job(remember, value)
        return {"queued": len(jobs)}

    with TestClient(app) as client:
        response = client.post("/remember/7", headers={"X-Request-ID": "req-7"})
        assert response.json() == {"queued": 1}
        queue.drain()
    assert seen == [(7, "req-7")]


def test_async_jobs_run_too(queue: TaskQueue) -> None:
    done = threading.Event()

    @queue.job
    async def mark() -> None:
        done.set()

    mark.send()
    queue.drain()
    assert done.is_set()


def test_an_endpoint_that_raises_queues_nothing(queue: TaskQueue) -> None:
    ran: list[int] = []

    @queue.job
    def remember(value: int) -> None:
        ran.append(value)

    app = VeloxAPI()
    queue.install(app)

    @app.post("/fail")
    def endpoint(jobs: Jobs) -> None:
        jobs.add_job(remember, 1)
        raise HTTPException(409, "conflict")

    with TestClient(app) as client:
        assert client.post("/fail").status_code == 409
        queue.drain()
    assert ran == []
    assert queue.depth() == 0


def test_jobs_are_queued_in_the_order_they_were_added() -> None:
    order: list[int] = []
    queue_one = TaskQueue(TaskSettings(worker_threads=1, embedded_worker=False))

    @queue_one.job
    def remember(value: int) -> None:
        order.append(value)

    app = VeloxAPI()
    queue_one.install(app)

    @app.post("/many")
    def endpoint(jobs: Jobs) -> dict[str, int]:
        for value in range(5):
            jobs.add_job(remember, value)
        return {"queued": len(jobs)}

    with TestClient(app) as client:
        client.post("/many")
        assert queue_one.depth() == 5  # no embedded worker: they wait
        assert order == []
        queue_one.runner.start(threads=1)
        queue_one.drain()
    queue_one.close()
    assert order == [0, 1, 2, 3, 4]


def test_failing_job_is_retried_then_dead_lettered_and_logged(
    queue: TaskQueue, caplog: pytest.LogCaptureFixture
) -> None:
    attempts: list[int] = []

    @queue.job(max_retries=2)
    def broken() -> None:
        attempts.append(1)
        raise ValueError("always")

    caplog.set_level(logging.INFO, logger="veloxapi.tasks")
    broken.send()
    queue.drain()
    assert len(attempts) == 3
    assert queue.dead_letters() == 1
    dead = [r for r in caplog.records if getattr(r, "outcome", None) == "dead"]
    assert len(dead) == 1
    assert dead[0].levelno == logging.ERROR
    assert dead[0].exc_info is not None


def test_give_up_on_dead_letters_without_retrying(queue: TaskQueue) -> None:
    attempts: list[int] = []

    @queue.job(give_up_on=(KeyError,))
    def lookup() -> None:
        attempts.append(1)
        raise KeyError("missing")

    lookup.send()
    queue.drain()
    assert attempts == [1]
    assert queue.dead_letters() == 1


def test_metrics_count_enqueues_outcomes_and_durations(queue: TaskQueue) -> None:
    registry = CollectorRegistry()
    queue.instrument(registry, namespace="t")

    @queue.job(max_retries=1)
    def sometimes(fail: bool) -> None:
        if fail:
            raise RuntimeError("no")

    sometimes.send(False)
    sometimes.send(True)
    queue.drain()
    labels = {"queue": "default", "job": "sometimes"}
    assert registry.get_sample_value("t_jobs_enqueued_total", labels) == 2
    assert registry.get_sample_value("t_jobs_total", {**labels, "outcome": "succeeded"}) == 1
    assert registry.get_sample_value("t_jobs_total", {**labels, "outcome": "retried"}) == 1
    assert registry.get_sample_value("t_jobs_total", {**labels, "outcome": "dead"}) == 1
    assert registry.get_sample_value("t_job_duration_seconds_count", labels) == 3


def test_queue_depth_gauge_is_sampled() -> None:
    queue = TaskQueue(TaskSettings(embedded_worker=False))
    registry = CollectorRegistry()
    metrics = queue.instrument(registry, namespace="d")

    @queue.job
    def idle() -> None:
        pass

    idle.send()
    idle.send()
    sampler = metrics.start_sampler(queue.depth, queue.queue_names)
    sampler.stop()
    assert registry.get_sample_value("d_job_queue_depth", {"queue": "default"}) == 2
    queue.close()


def test_arguments_that_are_not_json_fail_in_the_caller(queue: TaskQueue) -> None:
    @queue.job
    def takes(value: object) -> None:
        pass

    with pytest.raises(TypeError, match="arguments must be JSON values"):
        takes.send(object())


def test_add_job_refuses_a_plain_function(queue: TaskQueue) -> None:
    app = VeloxAPI()

    def plain() -> None:
        pass

    @app.post("/plain")
    def endpoint(jobs: Jobs) -> None:
        jobs.add_job(plain)  # type: ignore[arg-type]

    with (
        TestClient(app, raise_server_exceptions=True) as client,
        pytest.raises(TypeError, match=r"@queue\.job"),
    ):
        client.post("/plain")


def test_a_job_name_used_twice_is_a_configuration_error(queue: TaskQueue) -> None:
    @queue.job(name="same")
    def one() -> None:
        pass

    with pytest.raises(ConfigurationError, match="'same' is used twice"):

        @queue.job(name="same")
        def two() -> None:
            pass


def test_calling_a_job_runs_it_inline(queue: TaskQueue) -> None:
    @queue.job
    def double(value: int) -> int:
        return value * 2

    assert double(4) == 8
    assert queue.depth() == 0


def test_url_of_the_wrong_scheme_is_reported_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"use a URL starting with amqp:// or amqps://"):
        TaskSettings(backend="rabbitmq", url="redis://127.0.0.1:6379/0")  # type: ignore[arg-type]


def test_every_log_line_of_a_job_carries_the_request_id_that_queued_it(
    queue: TaskQueue,
) -> None:
    stamped: list[tuple[str, str | None]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stamped.append((record.getMessage(), getattr(record, "request_id", None)))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    job_logger = logging.getLogger("tests.job")
    for name in ("veloxapi.tasks", "tests.job"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)

    @queue.job
    def chatty() -> None:
        job_logger.info("inside the job")

    app = app_with(queue)

    @app.post("/chatty")
    def endpoint(jobs: Jobs) -> None:
        jobs.add_job(chatty)

    try:
        with TestClient(app) as client:
            client.post("/chatty", headers={"X-Request-ID": "req-logs-1"})
            queue.drain()
    finally:
        for name in ("veloxapi.tasks", "tests.job"):
            logging.getLogger(name).removeHandler(handler)
    messages = dict(stamped)
    assert messages["job chatty started (attempt 1)"] == "req-logs-1"
    assert messages["inside the job"] == "req-logs-1"
    assert messages["job chatty succeeded"] == "req-logs-1"


def test_the_app_metrics_show_the_queue_depth_while_no_worker_runs() -> None:
    queue = TaskQueue(TaskSettings(embedded_worker=False))

    @queue.job
    def later() -> None:
        pass

    app = VeloxAPI()
    batteries = augment_app(app, metrics=True)
    queue.install(app, metrics=batteries.metrics)
    later.send()
    later.send()
    sample = 'velox_job_queue_depth{queue="default"} 2.0'
    with TestClient(app) as client:
        for _ in range(100):
            if sample in client.get("/metrics").text:
                break
            time.sleep(0.05)
        assert sample in client.get("/metrics").text
    queue.close()
