"""A queue on the memory backend, for the ``velox worker`` command's checks."""

from veloxapi.batteries.tasks import TaskQueue, TaskSettings

queue = TaskQueue(TaskSettings(backend="memory"))
not_a_queue = object()
