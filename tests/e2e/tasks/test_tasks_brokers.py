"""Jobs through real Redis and RabbitMQ: enqueued by uvicorn, run by ``velox worker`` processes."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx

from conftest import wait_for
from support.processes import free_port
from veloxapi.batteries.tasks import TaskQueue

Results = Callable[[str], list[dict[str, Any]]]
StartWorker = Callable[..., subprocess.Popen[bytes]]


def test_job_queued_by_an_endpoint_runs_in_a_worker_with_the_request_id(
    jobs_app: str, start_worker: StartWorker, results: Results
) -> None:
    metrics_port = free_port()
    start_worker("--threads", "2", "--metrics-port", str(metrics_port))
    response = httpx.post(jobs_app + "/record/first", headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 200
    assert response.json() == {"queued": 1}
    done = wait_for(lambda: results("record"), what="the job to run")
    assert done == [{"label": "first", "request_id": "req-abc-123"}]

    def succeeded() -> bool:
        text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        return 'outcome="succeeded"' in text and "velox_job_duration_seconds_count" in text

    wait_for(succeeded, what="the worker's metrics to show the job")


def test_job_of_a_worker_killed_mid_job_runs_again_in_another(
    jobs_app: str, start_worker: StartWorker, results: Results
) -> None:
    first = start_worker("--threads", "1")
    assert httpx.post(jobs_app + "/slow/k", params={"seconds": 3}).status_code == 200
    wait_for(lambda: results("slow-started"), what="the slow job to start")
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert results("slow-done") == []  # killed before it could finish

    second = start_worker("--threads", "1")
    done = wait_for(lambda: results("slow-done"), timeout=40, what="the job to run again")
    started = results("slow-started")
    assert [entry["pid"] for entry in started] == [first.pid, second.pid]
    assert done == [{"label": "k", "pid": second.pid}]


def test_failing_job_is_retried_with_back_off_until_it_succeeds(
    jobs_app: str, start_worker: StartWorker, results: Results
) -> None:
    start_worker()
    assert httpx.post(jobs_app + "/flaky/twice", params={"failures": 2}).status_code == 200
    done = wait_for(lambda: results("flaky-done"), what="the third attempt to succeed")
    assert done == [{"label": "twice", "attempt": 3}]


def test_job_failing_every_retry_goes_to_the_dead_letter_queue(
    jobs_app: str, start_worker: StartWorker, task_queue: TaskQueue
) -> None:
    start_worker()
    assert httpx.post(jobs_app + "/flaky/always", params={"failures": 99}).status_code == 200
    wait_for(lambda: task_queue.dead_letters() == 1, what="the job to be dead-lettered")
    assert task_queue.depth() == 0


def test_worker_refuses_an_unknown_queue_name(start_worker: StartWorker) -> None:
    process = start_worker("--queue", "no-such-queue")
    assert process.wait(timeout=30) == 2


def test_jobs_wait_in_the_queue_while_no_worker_runs(
    jobs_app: str, task_queue: TaskQueue, results: Results, start_worker: StartWorker
) -> None:
    for label in ("a", "b", "c"):
        assert httpx.post(jobs_app + f"/record/{label}").status_code == 200
    assert task_queue.depth() == 3
    time.sleep(0.2)
    assert results("record") == []
    start_worker()
    done = wait_for(lambda: len(results("record")) == 3 and results("record"), what="3 jobs")
    assert sorted(entry["label"] for entry in done) == ["a", "b", "c"]
