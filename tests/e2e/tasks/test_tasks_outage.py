"""A broker outage: enqueueing fails fast with a 503, never a 2xx whose job was dropped."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from conftest import job_env, serve_jobs_app, unique_name, wait_for
from support.processes import free_port, stop_process
from support.services import unavailable
from veloxapi.batteries.tasks import EnqueueError, TaskQueue, TaskSettings


def start_redis(port: int) -> subprocess.Popen[bytes]:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen([*command, "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), timeout=10, what="the dedicated redis-server")
    return process


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def dedicated_redis() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A redis-server of this test alone on a free port (the shared one is never stopped)."""
    if shutil.which("redis-server") is None:
        unavailable("the redis-server program is not installed (Debian package redis-server)")
    port = free_port()
    process = start_redis(port)
    try:
        yield port, process
    finally:
        if process.poll() is None:
            stop_process(process)


def test_enqueue_to_a_stopped_redis_fails_fast_then_recovers(
    redis_url: str, redis_prefix: str, dedicated_redis: tuple[int, subprocess.Popen[bytes]]
) -> None:
    port, process = dedicated_redis
    url = f"redis://127.0.0.1:{port}/0"
    env = {**job_env(redis_url, redis_prefix, "redis", unique_name()), "VELOX_TASKS_URL": url}
    with serve_jobs_app(env) as base_url:
        assert httpx.post(base_url + "/record/before").status_code == 200
        stop_process(process)
        started = time.monotonic()
        response = httpx.post(base_url + "/record/during", timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "could not be queued" in response.json()["detail"]
        assert elapsed < 20  # connection refused is reported, not waited on forever

        restarted = start_redis(port)
        try:
            assert httpx.post(base_url + "/record/after").status_code == 200
            queue = TaskQueue(
                TaskSettings(
                    backend="redis",
                    url=url,
                    namespace=env["VELOX_TASKS_NAMESPACE"],
                    default_queue=env["VELOX_TASKS_DEFAULT_QUEUE"],
                )
            )
            assert queue.depth() == 1  # the job queued after recovery (the first died with redis)
        finally:
            stop_process(restarted)


@pytest.mark.parametrize("backend,scheme", [("redis", "redis"), ("rabbitmq", "amqp")])
def test_enqueue_to_a_port_where_nothing_listens_raises_enqueue_error(
    backend: str, scheme: str
) -> None:
    url = f"{scheme}://127.0.0.1:{free_port()}/"
    queue = TaskQueue(TaskSettings(backend=backend, url=url, connect_timeout=1.0))  # type: ignore[arg-type]

    @queue.job
    def never(value: int) -> None:
        raise AssertionError("must not run")

    with pytest.raises(EnqueueError, match=f"the {backend} broker failed"):
        never.send(1)
