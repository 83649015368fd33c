"""Write docs/known-anomalies.md: the FastAPI tests veloxapi fails, and why.

Reads the last conformance run (``conformance/results.json``) and the maintained
reasons (``conformance/reasons.json``: test-id prefix -> why). Every failing test
is listed; one with no matching reason says so, so a new failure is visible.

Usage: python3 conformance/anomalies.py [--results PATH] [--reasons PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
UNEXPLAINED = "Not analysed yet."
INTERNAL = (
    "The file imports a module FastAPI calls internal (`fastapi._compat`, "
    "`fastapi.dependencies.*`, ...) that veloxapi does not provide yet, so it fails to import."
)


def reason_for(test_id: str, reasons: dict[str, str]) -> str:
    """The reason whose key is the longest prefix of ``test_id``."""
    matches = [key for key in reasons if not key.startswith("_") and test_id.startswith(key)]
    return reasons[max(matches, key=len)] if matches else UNEXPLAINED


def render(results: dict[str, Any], reasons: dict[str, str]) -> str:
    failing = list(results.get("failing", []))
    internal = set(results.get("internal_files", []))
    unimportable = internal & set(results.get("collection_errors", []))
    grouped: dict[str, list[str]] = defaultdict(list)
    for test_id in sorted(set(failing)):
        reason = reason_for(test_id, reasons)
        if test_id.split("::", 1)[0] in unimportable and reason == UNEXPLAINED:
            grouped[INTERNAL].append(test_id)
        else:
            grouped[reason].append(test_id)
    public, whole = results["scopes"]["public"], results["scopes"]["whole"]
    lines = [
        "# Known anomalies",
        "",
        "Where veloxapi does not yet behave as FastAPI does, measured by running",
        f"FastAPI {results['fastapi_version']}'s own test suite against veloxapi on",
        f"{results['generated_at'][:10]}, counting only the tests FastAPI itself passes:",
        f"{public['passed']} of {public['total']} in the public-API scope, "
        f"{whole['passed']} of {whole['total']} in the whole suite (which also tests "
        "modules FastAPI calls internal). Every counted test that fails is listed below.",
        "This page is generated from that run (`make conformance`); it is never edited by hand.",
        "",
    ]
    if not grouped:
        lines.append("No test of the suite fails.")
    for reason, tests in sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0])):
        lines += [f"## {len(tests)} test{'s' if len(tests) != 1 else ''}", "", reason, ""]
        lines += [f"- `{test_id}`" for test_id in tests]
        lines.append("")
    excluded = results.get("excluded", [])
    if excluded:
        lines += ["## Not run", "", "These parts of the suite are not run against veloxapi:", ""]
        lines += [f"- `{path}`" for path in excluded]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument("--reasons", type=Path, default=HERE / "reasons.json")
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "known-anomalies.md")
    args = parser.parse_args()
    results = json.loads(args.results.read_text(encoding="utf-8"))
    reasons = json.loads(args.reasons.read_text(encoding="utf-8"))
    args.out.write_text(render(results, reasons), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
