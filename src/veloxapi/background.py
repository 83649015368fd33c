"""Tasks run after the response is sent (Starlette's ``BackgroundTasks``)."""

from starlette.background import BackgroundTasks as BackgroundTasks

__all__ = ["BackgroundTasks"]
