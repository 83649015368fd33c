"""Regenerate README.md's conformance block from conformance/results.json.

The block sits between ``<!-- conformance:start -->`` and ``<!-- conformance:end -->``;
everything between the markers is replaced, so the figures are never typed by hand.

Usage: python3 conformance/readme_table.py [--results PATH] [--readme PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import report

HERE = Path(__file__).resolve().parent
START = "<!-- conformance:start -->"
END = "<!-- conformance:end -->"
_BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def render(results: dict[str, Any]) -> str:
    scopes = results["scopes"]
    baseline = results["baseline"]
    lines = [
        f"FastAPI {results['fastapi_version']}'s own test suite, run against veloxapi "
        f"({results['generated_at'][:10]}, {results['duration_seconds']:.0f} s) and counted "
        f"against the {baseline['passed']} tests FastAPI {results['fastapi_version']} itself "
        f"passes on this machine (baseline of {baseline['generated_at'][:10]}):",
        "",
        "| scope | passed | of FastAPI's passes | % |",
        "| --- | ---: | ---: | ---: |",
        _row("public API (test files importing only public modules)", scopes["public"]),
        _row("whole suite (also files importing FastAPI's internal modules)", scopes["whole"]),
        "",
        "<details><summary>Per area (whole suite)</summary>",
        "",
        "| area | passed | of | % |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [_row(name, tally) for name, tally in results["areas"].items()]
    return "\n".join([*lines, "", "</details>"])


def _row(name: str, tally: dict[str, int]) -> str:
    return f"| {name} | {tally['passed']} | {tally['total']} | {_percent(tally)} |"


def _percent(tally: dict[str, int]) -> str:
    share = report.percent(tally)
    return share if share == "-" else share + "%"


def replace_block(readme: str, body: str) -> str:
    if not _BLOCK.search(readme):
        raise ValueError(f"README has no {START} ... {END} block to fill; add the two markers")
    return _BLOCK.sub(lambda _: f"{START}\n{body}\n{END}", readme, count=1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument("--readme", type=Path, default=HERE.parent / "README.md")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    readme = args.readme.read_text(encoding="utf-8")
    args.readme.write_text(replace_block(readme, render(results)), encoding="utf-8")
    print(f"updated {args.readme} from {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
