"""Give the compat alias to the interpreters FastAPI's tests start themselves.

Some of FastAPI's tests run a test function again in a fresh interpreter
(``python -m tests.<module> ...``) to isolate process-wide state. pytest's
``-p veloxapi.compat`` only reaches the pytest process, so those interpreters
would find no ``fastapi``. This module is on ``PYTHONPATH`` for the run, and
the harness sets ``CONFORMANCE_COMPAT`` only when veloxapi stands in for
FastAPI (never for the baseline run on FastAPI itself); it installs the alias
for ``-m tests.*`` processes only, leaving pytest and its workers as they were.
"""

from __future__ import annotations

import os
import sys
from itertools import pairwise


def _runs_a_suite_module(argv: list[str]) -> bool:
    for flag, value in pairwise(argv):
        if flag == "-m":
            return value.startswith("tests.")
    return False


if os.environ.get("CONFORMANCE_COMPAT") == "1" and _runs_a_suite_module(sys.orig_argv):
    import veloxapi.compat

    veloxapi.compat.install()
