"""Score a run of FastAPI's suite on veloxapi against FastAPI's own passes.

The plugin writes JSON lines per test phase; they fold into one outcome per test.
Only tests that FastAPI itself passes (the committed baseline) are counted, so a
score of 100% means "everything FastAPI does". Two scopes are reported:

- ``public``: test files that import only FastAPI's public modules;
- ``whole``: the whole suite, including files that import modules FastAPI calls
  internal (``fastapi.dependencies.utils``, ``fastapi._compat``, ...), which
  ecosystem libraries rely on.

An area is one ``tests/test_tutorial/<topic>`` directory; every other test belongs
to ``tests (other)``. An expected failure (``xfail``) that fails as FastAPI
expects counts as passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OTHER_AREA = "tests (other)"
SCOPES = ("public", "whole")
_TUTORIAL_PREFIX = ("tests", "test_tutorial")


@dataclass
class Tally:
    passed: int = 0
    total: int = 0

    def add(self, passed: bool) -> None:
        self.total += 1
        self.passed += passed

    def as_dict(self) -> dict[str, int]:
        return {"passed": self.passed, "total": self.total}


@dataclass
class Score:
    scopes: dict[str, Tally] = field(default_factory=lambda: {s: Tally() for s in SCOPES})
    areas: dict[str, Tally] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)
    not_counted: int = 0
    collection_errors: list[str] = field(default_factory=list)


def area_of(nodeid: str) -> str:
    parts = nodeid.split("::", 1)[0].split("/")
    if tuple(parts[:2]) == _TUTORIAL_PREFIX and len(parts) >= 3 and not parts[2].endswith(".py"):
        return "/".join(parts[1:3])
    return OTHER_AREA


def read_outcomes(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def fold_all(records: list[dict[str, Any]]) -> dict[str, str]:
    """Each test's outcome: passed, failed, errors or skipped.

    A file that failed to collect appears under its own path as ``errors``; a test
    that was collected but never reported (its worker crashed, pytest was stopped)
    is ``errors`` too.
    """
    phases: dict[str, list[dict[str, Any]]] = {}
    folded: dict[str, str] = {}
    for record in records:
        if record["when"] == "collect":
            folded[record["nodeid"]] = "errors"
        else:
            phases.setdefault(record["nodeid"], []).append(record)
    for nodeid, reports in phases.items():
        folded[nodeid] = _fold(reports)
    return folded


def score(folded: dict[str, str], baseline: list[str], internal: set[str]) -> Score:
    """Count each test FastAPI passes (``baseline``) as passed or not on veloxapi."""
    result = Score()
    counted = set(baseline)
    for nodeid in sorted(counted):
        passed = folded.get(nodeid) == "passed"
        result.scopes["whole"].add(passed)
        if nodeid.split("::", 1)[0] not in internal:
            result.scopes["public"].add(passed)
        result.areas.setdefault(area_of(nodeid), Tally()).add(passed)
        if not passed:
            result.failing.append(nodeid)
    result.not_counted = sum(1 for nodeid in folded if nodeid not in counted)
    result.collection_errors = sorted(
        nodeid for nodeid, outcome in folded.items() if outcome == "errors" and "::" not in nodeid
    )
    return result


def _fold(reports: list[dict[str, Any]]) -> str:
    """One test's phases -> passed/failed/errors/skipped."""
    by_phase = {report["when"]: report for report in reports}
    call = by_phase.get("call")
    if call is not None and call["outcome"] == "failed":
        return "failed"
    if any(by_phase.get(p, {}).get("outcome") == "failed" for p in ("setup", "teardown")):
        return "errors"
    for phase in ("setup", "call"):
        report = by_phase.get(phase)
        if report is not None and report["outcome"] == "skipped":
            return "passed" if report["xfail"] else "skipped"
    if call is not None and call["outcome"] == "passed":
        return "passed"
    return "errors"


def to_json(result: Score, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "scopes": {name: tally.as_dict() for name, tally in result.scopes.items()},
        "overall": result.scopes["whole"].as_dict(),
        "areas": {name: result.areas[name].as_dict() for name in sorted(result.areas)},
        "not_counted": result.not_counted,
        "collection_errors": result.collection_errors,
        "failing": result.failing,
    }


def format_table(result: Score) -> str:
    width = max([len(OTHER_AREA), *(len(name) for name in result.areas)]) + 2
    lines = [f"{'area':<{width}}{'passed':>8}{'of':>8}{'%':>7}", "-" * (width + 23)]
    for name in sorted(result.areas):
        lines.append(_row(name, result.areas[name], width))
    lines.append("-" * (width + 23))
    for scope in SCOPES:
        lines.append(_row(f"{scope} scope", result.scopes[scope], width))
    return "\n".join(lines)


def _row(name: str, tally: Tally, width: int) -> str:
    return f"{name:<{width}}{tally.passed:>8}{tally.total:>8}{percent(tally.as_dict()):>7}"


def percent(tally: dict[str, int]) -> str:
    """The share passed, rounded down to 0.1% (100.0 only when every test passed)."""
    if not tally["total"]:
        return "-"
    return f"{1000 * tally['passed'] // tally['total'] / 10:.1f}"
