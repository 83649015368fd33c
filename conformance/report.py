"""Fold the plugin's JSON lines into per-test results and per-area tallies.

An area is one ``tests/test_tutorial/<topic>`` directory; every other test belongs to
``tests (other)``. The total of an area is the number of collected tests (each
parametrized case counts). A file that failed to collect counts as that many failed
tests when its size is known from ``expected_counts.json``, else as one error.
An expected failure (``xfail``) that fails as FastAPI expects counts as passed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OTHER_AREA = "tests (other)"
_TUTORIAL_PREFIX = ("tests", "test_tutorial")
_KINDS = ("passed", "failed", "errors", "skipped")


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def add(self, kind: str, count: int = 1) -> None:
        setattr(self, kind, getattr(self, kind) + count)

    def as_dict(self) -> dict[str, int]:
        return {**{kind: getattr(self, kind) for kind in _KINDS}, "total": self.total}


@dataclass
class Results:
    areas: dict[str, Tally] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)
    collection_errors: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        overall = Tally()
        for tally in self.areas.values():
            for kind in _KINDS:
                overall.add(kind, getattr(tally, kind))
        return overall

    def record(self, nodeid: str, kind: str, count: int = 1) -> None:
        self.areas.setdefault(area_of(nodeid), Tally()).add(kind, count)
        if kind in ("failed", "errors"):
            self.failing.append(nodeid)


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


def summarize(records: list[dict[str, Any]], expected_counts: dict[str, int]) -> Results:
    results = Results()
    phases: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record["when"] == "collect":
            _record_collection_error(results, record["nodeid"], expected_counts)
        else:
            phases.setdefault(record["nodeid"], []).append(record)
    for nodeid in sorted(phases):
        results.record(nodeid, _fold(phases[nodeid]))
    results.failing.sort()
    return results


def _record_collection_error(results: Results, nodeid: str, expected: dict[str, int]) -> None:
    results.collection_errors.append(nodeid)
    known = expected.get(nodeid)
    if known:
        results.record(nodeid, "failed", known)
    else:
        results.record(nodeid, "errors")


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
    return "errors"  # collected but never ran to completion (e.g. its worker crashed)


def per_file_counts(records: list[dict[str, Any]]) -> dict[str, int]:
    """Collected tests per file, for files that collected."""
    counts = Counter(
        record["nodeid"].split("::", 1)[0] for record in records if record["when"] == "collected"
    )
    return dict(sorted(counts.items()))


def to_json(results: Results, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "overall": results.overall.as_dict(),
        "areas": {name: results.areas[name].as_dict() for name in sorted(results.areas)},
        "collection_errors": sorted(results.collection_errors),
        "failing": results.failing,
    }


def format_table(results: Results) -> str:
    width = max([len(OTHER_AREA), *(len(name) for name in results.areas)]) + 2
    header = f"{'area':<{width}}{'passed':>8}{'total':>8}{'%':>7}{'failed':>8}{'errors':>8}"
    lines = [header + f"{'skipped':>9}", "-" * (len(header) + 9)]
    rows = [(name, results.areas[name]) for name in sorted(results.areas)]
    for name, tally in [*rows, ("overall", results.overall)]:
        if name == "overall":
            lines.append("-" * (len(header) + 9))
        lines.append(
            f"{name:<{width}}{tally.passed:>8}{tally.total:>8}{_percent(tally):>7}"
            f"{tally.failed:>8}{tally.errors:>8}{tally.skipped:>9}"
        )
    return "\n".join(lines)


def _percent(tally: Tally) -> str:
    return f"{100 * tally.passed / tally.total:.1f}" if tally.total else "-"
