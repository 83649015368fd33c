"""Run FastAPI's test-suite on FastAPI itself: the baseline veloxapi is counted against.

A test counts for veloxapi only if FastAPI's own release passes it here, on this
machine, with the same pytest settings; tests FastAPI fails or skips are not
counted. The result, ``conformance/baseline-<version>.json``, is committed, so
CI does not install FastAPI; regenerate it when the mirrored version changes:

    python3 conformance/baseline.py      (or: make conformance-baseline)
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import report
import run
import suite
import testenv

HERE = Path(__file__).resolve().parent


def baseline_file(version: str = suite.FASTAPI_VERSION) -> Path:
    """Where the baseline of ``version`` is kept."""
    return HERE / f"baseline-{version}.json"


def main() -> int:
    started = time.monotonic()
    env = run.CACHE / "reference-venv"
    python = testenv.ensure_reference(env, HERE / "requirements.txt", suite.FASTAPI_VERSION)
    sdist = suite.fetch_sdist(testenv.bin_dir(env) / "pip", run.CACHE / "downloads")
    laid_out = suite.unpack(sdist, run.CACHE / "suite-reference")
    outcomes = run.CACHE / "outcomes-reference.jsonl"
    command = run.pytest_command(python, run.parse_args([]), compat=False)
    code = run.run_pytest(command, laid_out.root, outcomes, run.Limits(60.0, 10.0))
    if code is None or code not in run.COMPLETED:
        print(f"ERROR: FastAPI's own run did not complete (exit {code})")
        return 2
    folded = report.fold_all(report.read_outcomes(outcomes))
    passed = sorted(nodeid for nodeid, outcome in folded.items() if outcome == "passed")
    data = {
        "fastapi_version": suite.FASTAPI_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_seconds": round(time.monotonic() - started, 1),
        "collected": len(folded),
        "passed": passed,
        "not_passed": {nodeid: o for nodeid, o in sorted(folded.items()) if o != "passed"},
    }
    target = baseline_file()
    target.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target}: FastAPI {suite.FASTAPI_VERSION} passes {len(passed)} of {len(folded)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
