"""Fixtures of the job-queue tests: a unique broker namespace, workers as child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.processes import free_port, stop_process
from support.services import unavailable
from veloxapi.batteries.tasks import TaskQueue, TaskSettings

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[2] / "src"
RABBITMQ_URL = os.environ.get("VELOXAPI_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def rabbitmq_reachable(url: str) -> bool:
    import pika

    try:
        pika.BlockingConnection(pika.URLParameters(url + "?connection_attempts=1")).close()
    except Exception:
        return False
    return True


def delete_rabbitmq_queues(url: str, name: str) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(name + suffix)
    finally:
        connection.close()


def job_env(redis_url: str, redis_prefix: str, backend: str, name: str) -> dict[str, str]:
    """Environment for the job app and its workers, with names no other test uses."""
    prefix = f"{redis_prefix}{name}:"
    return {
        "RESULTS_URL": redis_url,
        "RESULTS_PREFIX": prefix,
        "VELOX_TASKS_BACKEND": backend,
        "VELOX_TASKS_URL": redis_url if backend == "redis" else RABBITMQ_URL,
        "VELOX_TASKS_DEFAULT_QUEUE": name,
        "VELOX_TASKS_NAMESPACE": prefix + "q",
        "VELOX_TASKS_HEARTBEAT_TIMEOUT_MS": "1000",
        "VELOX_TASKS_MAINTENANCE_CHANCE": "1000000",
    }


def unique_name() -> str:
    return f"velox-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_env(
    request: pytest.FixtureRequest, redis_url: str, redis_prefix: str
) -> Iterator[dict[str, str]]:
    """The job environment on each real broker in turn (RabbitMQ queues deleted after)."""
    name = unique_name()
    env = job_env(redis_url, redis_prefix, request.param, name)
    if request.param == "redis":
        yield env
        return
    if not rabbitmq_reachable(RABBITMQ_URL):
        unavailable(f"RabbitMQ is not reachable at {RABBITMQ_URL}")
    try:
        yield env
    finally:
        delete_rabbitmq_queues(RABBITMQ_URL, name)


def child_env(env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env, "PYTHONPATH": f"{SRC}{os.pathsep}{HERE}"}


@pytest.fixture
def start_worker(broker_env: dict[str, str]) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``python -m veloxapi.cli.worker jobs_app:queue``; every worker is stopped after."""
    workers: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "veloxapi.cli.worker",
            "jobs_app:queue",
            "--app-dir",
            str(HERE),
            *args,
        ]
        process = subprocess.Popen(command, env=child_env(broker_env))
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            stop_process(process)


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def results(redis_url: str, broker_env: dict[str, str]) -> Callable[[str], list[dict[str, Any]]]:
    """``results(event)``: what the jobs noted under ``event``, oldest first."""
    import redis

    client = redis.Redis.from_url(redis_url)

    def read(event: str) -> list[dict[str, Any]]:
        key = broker_env["RESULTS_PREFIX"] + event
        return [json.loads(item) for item in client.lrange(key, 0, -1)]

    return read


@contextmanager
def serve_jobs_app(env: dict[str, str]) -> Iterator[str]:
    """``uvicorn jobs_app:app`` with ``env`` on a free port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "jobs_app:app", "--app-dir", str(HERE)]
    command += ["--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=child_env(env))
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base_url, server), timeout=20, what="the job app to start")
        yield base_url
    finally:
        stop_process(server)


def _answers(base_url: str, server: subprocess.Popen[bytes]) -> bool:
    if server.poll() is not None:
        pytest.fail(f"the job app exited with {server.returncode}")
    try:
        httpx.get(base_url + "/docs", timeout=1)
    except httpx.TransportError:
        return False
    return True


@pytest.fixture
def jobs_app(broker_env: dict[str, str]) -> Iterator[str]:
    """The job app, enqueueing to this test's broker."""
    with serve_jobs_app(broker_env) as base_url:
        yield base_url


@pytest.fixture
def task_queue(broker_env: dict[str, str]) -> Iterator[TaskQueue]:
    """A queue in the test process with the job app's settings (to read depths)."""
    queue = TaskQueue(
        TaskSettings(
            backend=broker_env["VELOX_TASKS_BACKEND"],
            url=broker_env["VELOX_TASKS_URL"],
            namespace=broker_env["VELOX_TASKS_NAMESPACE"],
            default_queue=broker_env["VELOX_TASKS_DEFAULT_QUEUE"],
        )
    )
    yield queue
    queue.broker.close()
