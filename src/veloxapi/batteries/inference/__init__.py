"""Helpers for inference endpoints: micro-batching and load shedding.

* :func:`batched` gathers concurrent calls of one function into one batched
  call run off the event loop, each caller getting its own result;
* :class:`LoadShedder` bounds a route's requests in flight plus waiting and
  answers 503 with ``Retry-After`` beyond it.

See ``docs/inference.md`` and the demo in ``examples/inference``.
"""

from veloxapi.batteries.inference.batching import BatchedFunction, batched
from veloxapi.batteries.inference.shedding import LoadShedder, Overloaded

__all__ = ["BatchedFunction", "LoadShedder", "Overloaded", "batched"]
