"""Functions the offload tests run in worker processes (importable, so picklable)."""

from __future__ import annotations

import os
import time
from pathlib import Path


class InvoiceError(Exception):
    """A user-defined exception, to check its type survives the trip back."""


def square(value: int) -> int:
    return value * value


def describe(name: str, *, greeting: str = "hello") -> str:
    return f"{greeting} {name} from {os.getpid()}"


def refuse(amount: int) -> None:
    raise InvoiceError(f"amount {amount} is negative")


def sleep_then_mark(seconds: float, marker: str) -> str:
    time.sleep(seconds)
    Path(marker).write_text("done")
    return marker


def die() -> None:
    os._exit(3)


def meet(mine: str, theirs: str) -> bool:
    """Write ``mine``, then wait up to 10 s for ``theirs``: true only if both run at once."""
    Path(mine).write_text("here")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if Path(theirs).exists():
            return True
        time.sleep(0.01)
    return False
