"""Instructions per request for every framework and scenario, under callgrind.

    python -m bench.instructions [--frameworks a,b] [--scenarios x,y] [--jobs 2]
    python -m bench.instructions --report      # only re-render the README tables
    python -m bench.instructions --merge --frameworks veloxapi   # re-measure one column

Each (framework, scenario) pair is measured by `bench.callgrind` in its own process;
pairs run ``--jobs`` at a time (instruction counts do not depend on the machine's
load, so running them side by side changes nothing but the elapsed time). Results go
to results/instructions.json with the package versions each venv holds; the tables
between ``<!-- instructions:start -->`` and ``<!-- instructions:end -->`` in the
project README and benchmarks/README.md are regenerated from that file.

The ``harness`` row is the driver's own cost (apps/harness.py answers with canned
bytes); the ratio columns compare framework costs with it subtracted.
"""

import argparse
import datetime
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import battery_cost, load, report
from bench.callgrind import measure
from bench.envs import BENCH_DIR, PROJECT_DIR, RESULTS_DIR, python_for
from bench.scenarios import BY_NAME

START, END = "<!-- instructions:start -->", "<!-- instructions:end -->"
RESULTS = RESULTS_DIR / "instructions.json"
# the harness and the floor first: the rest are read against them
FRAMEWORKS = ("harness", "floor", *(fw for fw in load.FRAMEWORKS if fw not in ("harness", "floor")))
NAMES = {
    "harness": "harness",
    "floor": "floor",
    "veloxapi": "veloxapi",
    "batteries": "veloxapi + batteries",
    "fastapi": "FastAPI",
    "fastapi_addons": "FastAPI + add-ons",
    "litestar": "Litestar",
    "fasterapi": "FasterAPI",
}
SCENARIOS = (
    "plain_dict",
    "path_query",
    "dependencies",
    "nested_body",
    "routes_500",
    "plain_dict_sync",
    "path_query_sync",
    "dependencies_sync",
    "nested_body_sync",
    "websocket_echo",
)
REQUESTS = {"list_300": 50, "list_300_sync": 50, "upload_1mib": 20}
DEFAULT_REQUESTS = 400
PACKAGES = ("pydantic", "pydantic-core", "starlette", "uvicorn", "anyio", "msgspec")
_VERSIONS = (
    "import importlib.metadata as m, json, sys\n"
    "out = {}\n"
    "for name in sys.argv[1:]:\n"
    "    try: out[name] = m.version(name)\n"
    "    except m.PackageNotFoundError: pass\n"
    "print(json.dumps(out))\n"
)


def _versions(framework: str) -> dict[str, str]:
    own = {
        "fastapi": "fastapi",
        "fastapi_addons": "fastapi",
        "litestar": "litestar",
        "fasterapi": "faster-api-web",
    }
    names = [*PACKAGES, *([own[framework]] if framework in own else [])]
    if framework in ("veloxapi", "batteries"):
        names.append("veloxapi")
    found = subprocess.run(
        [python_for(framework), "-c", _VERSIONS, *names],
        check=True,
        capture_output=True,
        text=True,
    )
    versions: dict[str, str] = json.loads(found.stdout)
    return versions


def _one(framework: str, scenario: str) -> dict[str, Any]:
    requests = REQUESTS.get(scenario, DEFAULT_REQUESTS)
    try:
        return measure(framework, scenario, requests)
    except subprocess.CalledProcessError as error:
        tail = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-3:]
        return {"framework": framework, "scenario": scenario, "error": " | ".join(tail)}


def run(frameworks: list[str], scenarios: list[str], jobs: int) -> dict[str, Any]:
    pairs = [(fw, sc) for sc in scenarios for fw in frameworks]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        measured = list(pool.map(lambda pair: _one(*pair), pairs))
    for row in measured:
        state = row.get("per_request", row.get("error"))
        print(f"{row['framework']:>10} {row['scenario']:<20} {state}", file=sys.stderr)
    return {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": {fw: _versions(fw) for fw in frameworks},
        "results": measured,
    }


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` with the pairs and venv versions ``new`` measured replaced by ``new``'s."""
    measured = {(row["framework"], row["scenario"]) for row in new["results"]}
    kept = [row for row in old["results"] if (row["framework"], row["scenario"]) not in measured]
    return {
        "measured_at": new["measured_at"],
        "versions": {**old["versions"], **new["versions"]},
        "results": kept + new["results"],
    }


def _table(data: dict[str, Any]) -> list[str]:
    cost: dict[tuple[str, str], int] = {}
    for row in data["results"]:
        if "per_request" in row:
            cost[(row["framework"], row["scenario"])] = row["per_request"]
    frameworks = [fw for fw in FRAMEWORKS if any(key[0] == fw for key in cost)]
    scenarios = [sc for sc in SCENARIOS if any(key[1] == sc for key in cost)]
    versus = [fw for fw in ("floor", "fastapi", "litestar", "fasterapi") if fw in frameworks]
    # the batteries targets: their cost over bare veloxapi, and FastAPI + add-ons over them
    pairs: list[tuple[str, str]] = [(fw, "veloxapi") for fw in versus]
    if "batteries" in frameworks:
        pairs.append(("batteries", "veloxapi"))
        if "fastapi_addons" in frameworks:
            pairs.append(("fastapi_addons", "batteries"))
    head = [NAMES[fw] for fw in frameworks] + [f"{NAMES[a]} / {NAMES[b]}" for a, b in pairs]
    lines = ["| Scenario | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for scenario in scenarios:
        harness = cost.get(("harness", scenario), 0)
        cells = [
            f"{cost[(fw, scenario)]:,}" if (fw, scenario) in cost else "—" for fw in frameworks
        ]
        for theirs_name, mine_name in pairs:
            mine = cost.get((mine_name, scenario))
            theirs = cost.get((theirs_name, scenario))
            if mine is None or theirs is None or mine <= harness:
                cells.append("—")
            else:
                cells.append(f"{(theirs - harness) / (mine - harness):.2f}x")
        lines.append(f"| `{scenario}` | " + " | ".join(cells) + " |")
    return lines


def _versions_line(data: dict[str, Any]) -> str:
    parts = []
    for fw, versions in data["versions"].items():
        shown = ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
        parts.append(f"{NAMES.get(fw, fw)}: {shown}")
    shared: dict[str, set[str]] = {}
    for versions in data["versions"].values():
        for name in ("pydantic", "pydantic-core", "starlette", "uvicorn", "anyio"):
            if name in versions:
                shared.setdefault(name, set()).add(versions[name])
    differ = sorted(name for name, seen in shared.items() if len(seen) > 1)
    note = (
        f"**Versions differ between venvs: {', '.join(differ)}.**"
        if differ
        else "Shared libraries are at the same versions in every venv."
    )
    return "Versions — " + "; ".join(parts) + ". " + note


def render(data: dict[str, Any]) -> str:
    failed = [row for row in data["results"] if "error" in row]
    lines = [
        "<!-- generated by `make -C benchmarks instructions` from"
        " benchmarks/results/instructions.json; do not edit by hand -->",
        "",
        f"Measured {data['measured_at']} with valgrind's callgrind, in-process (the"
        " driver calls the ASGI app directly), instructions per request (lower is"
        " better); a ratio column A / B divides A's count by B's, each after"
        " subtracting the harness's own cost (above 1: B does less work than A).",
        "",
        *_table(data),
        "",
        _versions_line(data),
    ]
    if failed:
        lines += ["", "Not measured:", ""]
        lines += [f"- {row['framework']} / `{row['scenario']}`: {row['error']}" for row in failed]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", action="store_true", help="only re-render the tables")
    parser.add_argument(
        "--merge", action="store_true", help="replace only the measured pairs in the results"
    )
    args = parser.parse_args()
    if not args.report:
        unknown = [s for s in args.scenarios.split(",") if s not in BY_NAME]
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(unknown)}")
        data = run(args.frameworks.split(","), args.scenarios.split(","), args.jobs)
        if args.merge and RESULTS.exists():
            data = merge(json.loads(RESULTS.read_text()), data)
        RESULTS.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {RESULTS}")
    data = json.loads(RESULTS.read_text())
    block = render(data)
    for readme in (PROJECT_DIR / "README.md", BENCH_DIR / "README.md"):
        report.replace_block(readme, block, (START, END))
        print(f"updated {readme}")
    battery_cost.write_block(
        PROJECT_DIR / "README.md", battery_cost.render(battery_cost.collect(data))
    )


if __name__ == "__main__":
    main()
