"""Fixtures for the operations batteries: clean logging and environment per test."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from ops_helpers import LogCapture


@pytest.fixture(autouse=True)
def clean_velox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No VELOX_* variable from the outer environment leaks into a test."""
    for key in list(os.environ):
        if key.startswith("VELOX_") or key == "PROMETHEUS_MULTIPROC_DIR":
            monkeypatch.delenv(key)


@pytest.fixture(autouse=True)
def restore_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = False


@pytest.fixture
def log_capture() -> LogCapture:
    return LogCapture()
