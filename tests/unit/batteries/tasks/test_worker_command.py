"""``velox worker`` refuses what it cannot run, saying what to change."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from veloxapi.cli.worker import worker

HERE = str(Path(__file__).resolve().parent)


@pytest.mark.parametrize(
    "target,message",
    [
        ("memory_jobs:queue", "VELOX_TASKS_BACKEND=redis or rabbitmq"),
        ("memory_jobs:not_a_queue", "not a TaskQueue"),
        ("memory_jobs", "is not module:attribute"),
        ("no_such_module_here:queue", "cannot import 'no_such_module_here'"),
    ],
)
def test_worker_refuses_a_target_it_cannot_run(target: str, message: str) -> None:
    result = CliRunner().invoke(worker, [target, "--app-dir", HERE])
    assert result.exit_code == 2
    assert message in result.output
