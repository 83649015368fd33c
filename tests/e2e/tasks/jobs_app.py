"""An app and its jobs for the end-to-end tests; each job writes what it saw to Redis.

``RESULTS_URL`` / ``RESULTS_PREFIX`` say where results go, the ``VELOX_TASKS_*``
variables which broker carries the jobs.
"""

from __future__ import annotations

import json
import os
import time

import redis

from veloxapi import VeloxAPI
from veloxapi.batteries import augment_app, get_request_id
from veloxapi.batteries.tasks import Jobs, TaskQueue

PREFIX = os.environ["RESULTS_PREFIX"]
results = redis.Redis.from_url(os.environ["RESULTS_URL"])
queue = TaskQueue()


def note(event: str, **fields: object) -> None:
    results.rpush(PREFIX + event, json.dumps(fields))


@queue.job
def record(label: str) -> None:
    note("record", label=label, request_id=get_request_id())


@queue.job(max_retries=0)
def slow(label: str, seconds: float) -> None:
    note("slow-started", label=label, pid=os.getpid())
    time.sleep(seconds)
    note("slow-done", label=label, pid=os.getpid())


@queue.job(max_retries=3, min_backoff_ms=100, max_backoff_ms=400)
def flaky(label: str, failures: int) -> None:
    attempt = results.incr(PREFIX + "flaky-attempts:" + label)
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} fails on purpose")
    note("flaky-done", label=label, attempt=attempt)


app = VeloxAPI()
augment_app(app, request_id=True)
queue.install(app)


@app.post("/record/{label}")
async def enqueue_record(label: str, jobs: Jobs) -> dict[str, int]:
    jobs.add_job(record, label)
    return {"queued": len(jobs)}


@app.post("/slow/{label}")
async def enqueue_slow(label: str, seconds: float, jobs: Jobs) -> dict[str, int]:
    jobs.add_job(slow, label, seconds)
    return {"queued": len(jobs)}


@app.post("/flaky/{label}")
async def enqueue_flaky(label: str, failures: int, jobs: Jobs) -> dict[str, int]:
    jobs.add_job(flaky, label, failures)
    return {"queued": len(jobs)}
