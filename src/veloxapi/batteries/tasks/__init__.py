"""Durable background jobs on dramatiq (``pip install "veloxapi[tasks]"``).

::

    from veloxapi.batteries.tasks import Jobs, TaskQueue

    queue = TaskQueue()                       # VELOX_TASKS_BACKEND=memory|redis|rabbitmq

    @queue.job(max_retries=5)
    def send_receipt(order_id: int) -> None: ...

    queue.install(app)

    @app.post("/orders")
    async def create(order: Order, jobs: Jobs) -> Order:
        jobs.add_job(send_receipt, order.id)  # queued before the response; 503 if it can't be
        return order

Run the jobs with ``velox worker myapp.jobs:queue`` (Redis or RabbitMQ); with
the default ``memory`` backend they run in the app process. See ``docs/tasks.md``.
"""

from veloxapi.batteries.tasks.job import EnqueueError, Job
from veloxapi.batteries.tasks.jobs import JobBatch, Jobs, JobsNotQueued
from veloxapi.batteries.tasks.queue import TaskQueue
from veloxapi.batteries.tasks.settings import TaskSettings

__all__ = [
    "EnqueueError",
    "Job",
    "JobBatch",
    "Jobs",
    "JobsNotQueued",
    "TaskQueue",
    "TaskSettings",
]
