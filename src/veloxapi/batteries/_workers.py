"""How many worker processes serve this application, as far as the process can tell.

Servers start workers in different ways; this reads the signals they leave:
``WEB_CONCURRENCY`` (read by uvicorn and gunicorn as the default worker count),
``--workers N`` / ``-w N`` on the command line (a uvicorn or gunicorn worker
inherits its supervisor's arguments), and ``--workers`` inside
``GUNICORN_CMD_ARGS``. Used to warn when per-process state (Prometheus
metrics, in-memory stores) would silently differ between workers.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence

_FLAGS = ("--workers", "-w")


def _count(text: str | None) -> int:
    return int(text) if text is not None and text.strip().isdigit() else 1


def workers_in_args(args: Sequence[str]) -> int:
    """The worker count given by ``--workers N``, ``--workers=N`` or ``-w N`` in ``args``."""
    for index, arg in enumerate(args):
        if arg in _FLAGS and index + 1 < len(args):
            return _count(args[index + 1])
        name, sep, value = arg.partition("=")
        if sep and name in _FLAGS:
            return _count(value)
    return 1


def worker_count(
    environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None
) -> int:
    """The largest worker count any of the known signals announces (1 when none does)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    return max(
        _count(environ.get("WEB_CONCURRENCY")),
        workers_in_args(argv),
        workers_in_args(shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))),
    )
