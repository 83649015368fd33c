"""pytest plugin: record one outcome per test (and per failed collection) as JSON lines.

Loaded by the conformance harness with ``-p conformance_outcomes``. It writes to the
file named by the ``CONFORMANCE_OUTCOMES`` environment variable and does nothing when
the variable is unset. Under pytest-xdist only the controller writes: workers forward
their reports to it, so each test is recorded once.

Each line is ``{"nodeid": ..., "when": "setup"|"call"|"teardown"|"collect",
"outcome": "passed"|"failed"|"skipped", "xfail": bool, "longrepr": str}``; the harness
folds the phases of one test into a single result.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import pytest

_ENV_VAR = "CONFORMANCE_OUTCOMES"
_LONGREPR_LIMIT = 2000
_STREAM_KEY = pytest.StashKey[IO[str]]()


class _OutcomeWriter:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._collected_written = False

    def write(self, report: pytest.TestReport | pytest.CollectReport, when: str) -> None:
        record: dict[str, Any] = {
            "nodeid": report.nodeid,
            "when": when,
            "outcome": report.outcome,
            "xfail": hasattr(report, "wasxfail"),
            "longrepr": _short_longrepr(report) if report.failed else "",
        }
        self._stream.write(json.dumps(record) + "\n")
        self._stream.flush()

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.write(report, report.when)

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.write(report, "collect")

    @pytest.hookimpl
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # Without xdist this process collects. The collected set gives --collect-only its
        # counts, and makes a test that never reports (pytest was stopped) still count.
        self._write_collected([item.nodeid for item in items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        if not self._collected_written:
            self._write_collected(ids)

    def _write_collected(self, nodeids: list[str]) -> None:
        self._collected_written = True
        for nodeid in nodeids:
            self._stream.write(json.dumps({"nodeid": nodeid, "when": "collected"}) + "\n")
        self._stream.flush()


def _short_longrepr(report: pytest.TestReport | pytest.CollectReport) -> str:
    text = str(report.longrepr)
    return text if len(text) <= _LONGREPR_LIMIT else text[-_LONGREPR_LIMIT:]


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get(_ENV_VAR)
    if not path or hasattr(config, "workerinput"):
        return
    stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed at unconfigure
    config.stash[_STREAM_KEY] = stream
    config.pluginmanager.register(_OutcomeWriter(stream), "conformance-outcome-writer")


def pytest_unconfigure(config: pytest.Config) -> None:
    stream = config.stash.get(_STREAM_KEY, None)
    if stream is not None:
        stream.close()
