"""Build the dramatiq broker a :class:`TaskSettings` describes.

``memory`` is dramatiq's in-process ``StubBroker``; ``redis`` and ``rabbitmq``
are its real brokers, connected with timeouts short enough that an outage turns
into an :class:`EnqueueError` within seconds instead of a hung request, and (for
RabbitMQ) with publisher confirms, so an enqueue returns only once the broker
has the job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from veloxapi.batteries.tasks.settings import TaskSettings

try:
    import dramatiq
    from dramatiq.brokers.stub import StubBroker
    from dramatiq.middleware import AsyncIO, CurrentMessage, Middleware, default_middleware
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError('The tasks battery needs dramatiq: pip install "veloxapi[tasks]"') from exc

__all__ = ["build_broker", "dead_letter_count", "queue_depth"]


def _middleware(first: list[Middleware]) -> list[Middleware]:
    # ``first`` sees a message before every other middleware and after all of them,
    # so it reads the final outcome (retried or dead-lettered) that Retries decided.
    return [*first, *(cls() for cls in default_middleware), CurrentMessage(), AsyncIO()]


def _amqp_url(url: str, timeout: float) -> str:
    """``url`` with pika's connection knobs set to fail within ``timeout`` seconds."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in (
        ("connection_attempts", "1"),
        ("retry_delay", "0"),
        ("socket_timeout", str(timeout)),
        ("stack_timeout", str(timeout)),
        ("blocked_connection_timeout", str(timeout)),
    ):
        query.setdefault(key, value)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redis_broker(settings: TaskSettings, middleware: list[Middleware]) -> dramatiq.Broker:
    import redis
    from dramatiq.brokers.redis import RedisBroker

    client = redis.Redis.from_url(
        settings.broker_url(),
        socket_connect_timeout=settings.connect_timeout,
        socket_timeout=max(settings.connect_timeout, 5.0),
    )
    return RedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=settings.namespace,
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        maintenance_chance=settings.maintenance_chance,
        middleware=middleware,
    )


def _rabbitmq_broker(settings: TaskSettings, middleware: list[Middleware]) -> dramatiq.Broker:
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    url = _amqp_url(settings.broker_url(), settings.connect_timeout)
    return RabbitmqBroker(url=url, confirm_delivery=True, middleware=middleware)


def build_broker(settings: TaskSettings, first: list[Middleware]) -> dramatiq.Broker:
    """A broker for ``settings.backend`` whose middleware starts with ``first``."""
    middleware = _middleware(first)
    try:
        if settings.backend == "redis":
            return _redis_broker(settings, middleware)
        if settings.backend == "rabbitmq":
            return _rabbitmq_broker(settings, middleware)
    except ImportError as exc:
        raise ImportError(
            f'The {settings.backend} job queue needs its client: pip install "veloxapi[tasks]"'
        ) from exc
    return StubBroker(middleware=middleware)


def queue_depth(broker: Any, queue_name: str) -> int:
    """Jobs waiting in ``queue_name`` (not counting delayed retries or dead letters)."""
    if isinstance(broker, StubBroker):
        return int(broker.queues[queue_name].qsize()) if queue_name in broker.queues else 0
    if hasattr(broker, "get_queue_message_counts"):
        ready, _delayed, _dead = broker.get_queue_message_counts(queue_name)
        return int(ready)
    return int(broker.client.llen(f"{broker.namespace}:{queue_name}"))


def dead_letter_count(broker: Any, queue_name: str) -> int:
    """Jobs of ``queue_name`` that failed for good and are kept in its dead-letter queue."""
    if isinstance(broker, StubBroker):
        return len(broker.dead_letters_by_queue[queue_name])
    if hasattr(broker, "get_queue_message_counts"):
        _ready, _delayed, dead = broker.get_queue_message_counts(queue_name)
        return int(dead)
    return int(broker.client.zcard(f"{broker.namespace}:{queue_name}.XQ"))
