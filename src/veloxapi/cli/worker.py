"""``velox worker``: run the jobs of a :class:`~veloxapi.batteries.tasks.TaskQueue`.

::

    velox worker myapp.jobs:queue --threads 8 --queue emails --metrics-port 9191

The target is ``module:attribute`` naming the queue the app enqueues to (the
module is imported, so every ``@queue.job`` in it is registered). The worker
runs until SIGTERM or SIGINT, then stops taking jobs, lets the ones in hand
finish (up to ``--shutdown-timeout``) and exits; jobs it did not finish stay
queued for another worker. Logs go through the logging battery
(``VELOX_LOGGING_*``), each job's lines carrying the id of the request that
queued it. Also runnable as ``python -m veloxapi.cli.worker``.
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading
from typing import Any

import click

from veloxapi.batteries.logging import LoggingSettings, configure_logging
from veloxapi.batteries.settings import ConfigurationError, load_settings
from veloxapi.batteries.tasks import TaskQueue


def load_queue(target: str, app_dir: str) -> TaskQueue:
    """Import ``module:attribute`` (with ``app_dir`` on the path) and check it is a queue."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise click.BadParameter(f"{target!r} is not module:attribute, e.g. myapp.jobs:queue")
    sys.path.insert(0, app_dir)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise click.BadParameter(f"cannot import {module_name!r}: {exc}") from exc
    queue = getattr(module, attribute, None)
    if not isinstance(queue, TaskQueue):
        raise click.BadParameter(f"{target!r} is {queue!r}, not a TaskQueue")
    if queue.embedded:
        raise click.UsageError(
            f"{target} uses the memory backend, whose jobs run inside the app; set "
            "VELOX_TASKS_BACKEND=redis or rabbitmq (and VELOX_TASKS_URL) to run them in workers"
        )
    return queue


def serve_metrics(queue: TaskQueue, host: str, port: int) -> None:
    """Record the queue's metrics and serve them on ``host:port`` for Prometheus."""
    try:
        import prometheus_client
    except ImportError as exc:
        raise click.UsageError(
            '--metrics-port needs prometheus-client: pip install "veloxapi[metrics]"'
        ) from exc
    registry = prometheus_client.CollectorRegistry()
    queue.instrument(registry)
    prometheus_client.start_http_server(port, addr=host, registry=registry)


def wait_for_signal() -> None:
    """Block until SIGTERM or SIGINT."""
    stop = threading.Event()

    def handle(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    while not stop.wait(1.0):
        pass


@click.command("worker")
@click.argument("target")
@click.option(
    "--threads", type=click.IntRange(1, 256), help="Worker threads [VELOX_TASKS_WORKER_THREADS]."
)
@click.option("--queue", "queues", multiple=True, help="Consume only this queue (repeatable).")
@click.option(
    "--app-dir", default=".", show_default=True, help="Put this folder on sys.path first."
)
@click.option(
    "--metrics-port", type=click.IntRange(1, 65535), help="Serve Prometheus metrics here."
)
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
@click.option("--shutdown-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds to let jobs in hand finish on shutdown.")  # fmt: skip
def worker(
    target: str,
    threads: int | None,
    queues: tuple[str, ...],
    app_dir: str,
    metrics_port: int | None,
    metrics_host: str,
    shutdown_timeout: float,
) -> None:
    """Run the jobs of the TaskQueue at TARGET (module:attribute) until stopped."""
    queue = load_queue(target, app_dir)
    unknown = sorted(set(queues) - set(queue.queue_names()))
    if unknown:
        raise click.BadParameter(
            f"no job uses queue(s) {', '.join(unknown)}; known: {', '.join(queue.queue_names())}",
            param_hint="--queue",
        )
    try:
        configure_logging(load_settings(LoggingSettings))
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc
    if metrics_port is not None:
        serve_metrics(queue, metrics_host, metrics_port)
    queue.runner.start(threads, queues or None)
    try:
        wait_for_signal()
    finally:
        queue.runner.stop(timeout_ms=int(shutdown_timeout * 1000))
        queue.broker.close()


if __name__ == "__main__":
    worker()
