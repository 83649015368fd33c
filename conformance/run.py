"""Run FastAPI's own test-suite against veloxapi and report what passes.

Usage: python3 conformance/run.py [--check-floor] [--collect-only] [-- PYTEST_ARGS...]

Steps: build (once) an isolated venv with veloxapi and the suite's test dependencies,
fetch (once) FastAPI's sdist, unpack its tests and docs examples (never its package),
drop what is out of scope, run pytest with ``-p veloxapi.compat`` so ``import fastapi``
resolves to veloxapi, then print and save passed/total per area.

Exit status: 0 when the run completed, whatever the failures; 1 with --check-floor
(or CONFORMANCE_CHECK_FLOOR=1) when fewer tests passed than conformance-floor.txt
says; 2 when the run itself could not be carried out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import report
import suite
import testenv

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = REPO / ".cache" / "conformance"
PLUGIN_DIR = HERE / "plugin"
FLOOR_FILE = REPO / "conformance-floor.txt"
RESULTS = HERE / "results.json"
COMPAT_PLUGIN = "veloxapi.compat"
# pytest exit codes that mean "the session ran": all passed, some failed, none collected.
COMPLETED = {0, 1, 5}
_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Limits:
    max_minutes: float
    stall_minutes: float

    def exceeded(self, elapsed: float, idle: float) -> str | None:
        if elapsed > self.max_minutes * 60:
            return f"it ran for more than {self.max_minutes:g} minutes"
        if idle > self.stall_minutes * 60:
            return f"no test reported anything for {self.stall_minutes:g} minutes"
        return None


@dataclass(frozen=True)
class Options:
    check_floor: bool
    collect_only: bool
    workers: int
    limits: Limits
    suite_root: Path | None
    output: Path
    pytest_args: list[str]


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-floor", action="store_true", help="fail below the floor")
    parser.add_argument("--collect-only", action="store_true", help="only count tests")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=40.0,
        help="stop pytest after this long; tests not run then count as errors",
    )
    parser.add_argument(
        "--stall-minutes",
        type=float,
        default=5.0,
        help="stop pytest when no test has reported for this long (e.g. all workers crashed)",
    )
    parser.add_argument(
        "--suite-root",
        type=Path,
        help="run an already laid-out suite directory instead of FastAPI's sdist",
    )
    parser.add_argument("--output", type=Path, help="results file (default: see --help)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest args, after --")
    args = parser.parse_args(argv)
    selection = bool(args.pytest_args) or args.suite_root is not None
    default_output = CACHE / "results-selection.json" if selection else RESULTS
    return Options(
        check_floor=args.check_floor or os.environ.get("CONFORMANCE_CHECK_FLOOR") == "1",
        collect_only=args.collect_only,
        workers=args.workers,
        limits=Limits(args.max_minutes, args.stall_minutes),
        suite_root=args.suite_root.resolve() if args.suite_root else None,
        output=args.output or default_output,
        pytest_args=args.pytest_args,
    )


def prepare(options: Options) -> tuple[Path, suite.Suite]:
    """Return (venv python, the laid-out suite)."""
    python = testenv.ensure(CACHE / "venv", REPO, HERE / "requirements.txt")
    if options.suite_root is not None:
        root = options.suite_root
        return python, suite.Suite(root, (), tuple(suite.internal_files(root)))
    sdist = suite.fetch_sdist(testenv.bin_dir(CACHE / "venv") / "pip", CACHE / "downloads")
    laid_out = suite.unpack(sdist, CACHE / "suite")
    print(
        f"suite at {laid_out.root}; excluded {len(laid_out.excluded)} paths; "
        f"{len(laid_out.internal)} files import internal modules",
        flush=True,
    )
    return python, laid_out


def pytest_command(python: Path, options: Options, *, compat: bool = True) -> list[str]:
    """pytest's command line; ``compat`` makes ``import fastapi`` resolve to veloxapi."""
    command = [str(python), "-m", "pytest", "-c", "pytest.ini"]
    command += ["-p", COMPAT_PLUGIN] if compat else []
    command += ["-p", "conformance_outcomes", "-p", "no:cacheprovider"]
    command += ["--continue-on-collection-errors", "-q", "--tb=short"]
    if options.collect_only:
        command.append("--collect-only")
    elif options.workers > 0:
        command += ["-n", str(options.workers), "--dist", "loadgroup"]
    return command + (options.pytest_args or ["tests"])


def run_pytest(command: list[str], root: Path, outcomes: Path, limits: Limits) -> int | None:
    """Run pytest in ``root``; return its exit code, or None when it had to be stopped."""
    shutil.copyfile(HERE / "pytest.ini", root / "pytest.ini")
    outcomes.unlink(missing_ok=True)
    python_path = [str(root), str(root / "docs_src"), str(PLUGIN_DIR)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(python_path)}
    env["CONFORMANCE_OUTCOMES"] = str(outcomes)
    if COMPAT_PLUGIN in command:  # read by plugin/sitecustomize.py in the suite's subprocesses
        env["CONFORMANCE_COMPAT"] = "1"
    log = CACHE / "pytest.log"
    print(f"running: {' '.join(command)}\n  in {root}\n  log: {log}", flush=True)
    with log.open("w", encoding="utf-8") as stream:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = _wait(process, outcomes, limits)
        except BaseException:  # e.g. Ctrl-C: pytest runs in its own session, stop it too
            _kill(process)
            raise
    if code is not None:
        last_line = (log.read_text(encoding="utf-8").splitlines() or [""])[-1]
        print(f"pytest exited with {code}: {last_line}", flush=True)
    return code


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait(process: subprocess.Popen[bytes], outcomes: Path, limits: Limits) -> int | None:
    """Wait for pytest; kill its whole process group past the time cap or when stalled.

    A stall (no test reported for ``limits.stall_minutes``) happens when xdist loses all
    its workers to crashes and then waits forever.
    """
    started = last_progress = time.monotonic()
    last_size = -1
    while (code := process.poll()) is None:
        time.sleep(_POLL_SECONDS)
        now = time.monotonic()
        size = outcomes.stat().st_size if outcomes.exists() else 0
        if size != last_size:
            last_size, last_progress = size, now
        reason = limits.exceeded(now - started, now - last_progress)
        if reason:
            _kill(process)
            print(f"WARNING: pytest stopped: {reason}; unfinished tests count as errors")
            return None
    return code


def print_collection(records: list[dict[str, Any]]) -> None:
    areas: Counter[str] = Counter(
        report.area_of(record["nodeid"]) for record in records if record["when"] == "collected"
    )
    width = max([len("overall"), *(len(name) for name in areas)]) + 2
    print(f"{'area':<{width}}{'collected':>10}")
    for name in sorted(areas):
        print(f"{name:<{width}}{areas[name]:>10}")
    print(f"{'overall':<{width}}{sum(areas.values()):>10}")
    errors = sorted(r["nodeid"] for r in records if r["when"] == "collect")
    print(f"collection errors in {len(errors)} files/dirs" + "".join(f"\n  {e}" for e in errors))


def check_floor(passed: int) -> int:
    """The public-API scope must keep at least the floor's count of FastAPI's passes."""
    floor = int(FLOOR_FILE.read_text(encoding="utf-8").strip())
    if passed < floor:
        print(
            f"CONFORMANCE FLOOR NOT MET: {passed} of FastAPI's passing public-API tests pass, "
            f"floor is {floor} ({FLOOR_FILE.name}). A change made passing tests fail."
        )
        return 1
    print(f"conformance floor met: {passed} passed >= floor {floor}")
    return 0


def load_baseline() -> dict[str, Any]:
    """FastAPI's own passes for the mirrored version (``conformance/baseline.py``)."""
    path = HERE / f"baseline-{suite.FASTAPI_VERSION}.json"
    if not path.is_file():
        raise SystemExit(
            f"ERROR: no baseline for FastAPI {suite.FASTAPI_VERSION} ({path.name}); "
            "run `make conformance-baseline` once to create it"
        )
    baseline: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return baseline


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    started = time.monotonic()
    baseline = load_baseline()
    python, laid_out = prepare(options)
    outcomes = CACHE / "outcomes.jsonl"
    code = run_pytest(pytest_command(python, options), laid_out.root, outcomes, options.limits)
    if code is not None and code not in COMPLETED:
        print(f"ERROR: pytest could not run the suite (exit {code}); see {CACHE / 'pytest.log'}")
        return 2
    records = report.read_outcomes(outcomes)
    if options.collect_only:
        print_collection(records)
        return 0
    result = report.score(report.fold_all(records), baseline["passed"], set(laid_out.internal))
    elapsed = round(time.monotonic() - started, 1)
    extra = {
        "fastapi_version": suite.FASTAPI_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_seconds": elapsed,
        "completed": code is not None,
        "baseline": {
            "generated_at": baseline["generated_at"],
            "collected": baseline["collected"],
            "passed": len(baseline["passed"]),
        },
        "excluded": list(laid_out.excluded),
        "internal_files": list(laid_out.internal),
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    data = report.to_json(result, extra)
    options.output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(report.format_table(result))
    print(f"wrote {options.output} in {elapsed:.0f}s")
    for scope in report.SCOPES:
        tally = result.scopes[scope]
        print(f"conformance ({scope}): {tally.passed} of FastAPI's {tally.total} passing tests")
    return check_floor(result.scopes["public"].passed) if options.check_floor else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
