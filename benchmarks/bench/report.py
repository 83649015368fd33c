"""Render results/results.json as Markdown and put it between the README markers.

    python -m bench.report [--results PATH] [--readme PATH ...]

Only the text between `<!-- bench:start -->` and `<!-- bench:end -->` is replaced;
a README without both markers is left untouched and reported as an error.
"""

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from bench import issue_targets
from bench.envs import BENCH_DIR, PROJECT_DIR, RESULTS_DIR

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NAMES = {
    "veloxapi": "veloxapi",
    "batteries": "veloxapi + batteries",
    "fastapi": "FastAPI",
    "fastapi_addons": "FastAPI + add-ons",
    "litestar": "Litestar",
    "floor": "floor",
}


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _cell(result: dict[str, Any] | None, digits: int = 0) -> str:
    if result is None:
        return "—"
    if result["status"] == "failed":
        return "failed"
    return _number(result["median"], digits)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def _verdict(target: dict[str, Any]) -> str:
    if not target["goals"]:
        return "n/a"
    if target["met"] is None:
        return "not measured"
    return "met" if target["met"] else "**missed**"


def _frameworks(section: dict[str, Any]) -> list[str]:
    present = {fw for metric in section.values() for fw in metric["frameworks"]}
    return [fw for fw in NAMES if fw in present]


def _table(section: dict[str, Any], kind: str) -> list[str]:
    frameworks = _frameworks(section)
    # the batteries column sits beside the bare one; ratios compare against the other frameworks
    ratio_keys = [
        f"veloxapi/{fw}"
        for fw in frameworks
        if fw not in ("veloxapi", "batteries", "fastapi_addons")
    ]
    if "batteries" in frameworks and "fastapi_addons" in frameworks:
        ratio_keys.append("batteries/fastapi_addons")
    header = ["Scenario", *(NAMES[fw] for fw in frameworks)]
    header += [" / ".join(NAMES[part] for part in key.split("/")) for key in ratio_keys]
    header.append("Target")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, metric in section.items():
        digits = 3 if kind == "startup" and name != "rss_mib" else 0
        row = [f"`{name}`", *(_cell(metric["frameworks"].get(fw), digits) for fw in frameworks)]
        row += [_ratio(metric["ratios"].get(key)) for key in ratio_keys]
        row.append(_verdict(metric["target"]))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _target_summary(section: dict[str, Any]) -> str:
    verdicts = [metric["target"]["met"] for metric in section.values() if metric["target"]["goals"]]
    if not verdicts:
        return ""
    met = sum(verdict is True for verdict in verdicts)
    unknown = sum(verdict is None for verdict in verdicts)
    return f"Target met in {met} of {len(verdicts)}" + (
        f" ({unknown} not measured)." if unknown else "."
    )


def _failures(results: dict[str, Any]) -> list[str]:
    """One line per (framework, error), naming every measurement that failed with it."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for kind in ("inprocess", "http", "startup"):
        for name, metric in results.get(kind, {}).items():
            for fw, result in metric["frameworks"].items():
                if result["status"] == "failed":
                    error = " ".join(result["error"].split())
                    grouped.setdefault((fw, error), []).append(f"{kind}:{name}")
    return [
        f"- {NAMES[fw]} ({', '.join(where)}): `{error}`" for (fw, error), where in grouped.items()
    ]


def _summary(results: dict[str, Any]) -> str:
    machine, versions = results["machine"], results["versions"]
    base = versions.get("fastapi") or versions.get("veloxapi") or {}
    packages = [
        f"{label} {versions[venv][package]}"
        for label, venv, package in (
            ("FastAPI", "fastapi", "fastapi"),
            ("Litestar", "litestar", "litestar"),
            ("Starlette", "fastapi", "starlette"),
            ("Pydantic", "fastapi", "pydantic"),
            ("uvicorn", "fastapi", "uvicorn"),
        )
        if package in versions.get(venv, {})
    ]
    run = f"{results['mode']} run, {results['wall_seconds']:.0f}s"
    return (
        f"Measured {results['generated_at']} ({run}) on {machine['cpu']},"
        f" {machine['cores']} cores shared by server and load generator,"
        f" load average at start {machine['load_average'][0]:.2f}."
        f" Python {base.get('python', '?')}; {', '.join(packages)};"
        f" {versions.get('wrk') or 'wrk'}."
    )


def render(results: dict[str, Any], chart: str) -> str:
    """The Markdown block for the README (between the markers)."""
    settings = results["settings"]
    parts = [
        "<!-- generated by `make -C benchmarks report` from benchmarks/results/results.json;"
        " do not edit by hand -->",
        "",
        _summary(results),
        "",
        f"![benchmark chart]({chart})",
    ]
    sections = (
        (
            "inprocess",
            "In-process (ASGI app called directly), requests/s, median of"
            f" {settings['repeats']} samples of {settings['seconds']}s."
            " Target: veloxapi >= 5x FastAPI and >= 2x Litestar",
        ),
        (
            "inprocess_cpu",
            "In-process, requests per CPU-second of the driver process (all threads): the"
            " same runs, steadier than wall-clock rates when other processes share the cores",
        ),
        (
            "http",
            f"Over HTTP (uvicorn, uvloop, httptools, 1 worker; wrk -t{settings['wrk_threads']}"
            f" -c{settings['wrk_connections']} -d{settings['wrk_seconds']}s; WebSocket sessions"
            f" by bench/ws_load.py), requests/s, median of {settings['repeats']}."
            " Target: veloxapi >= 2.5x FastAPI in the JSON scenarios",
        ),
        (
            "startup",
            "500-route app: start-up (s), resident memory (MiB), OpenAPI generation (s),"
            f" median of {settings['startup_runs']} fresh processes; lower is better."
            " Target: veloxapi no worse than FastAPI",
        ),
    )
    for kind, title in sections:
        if kind in results:
            parts += ["", f"**{title}**", "", *_table(results[kind], kind)]
            parts += ["", _target_summary(results[kind])]
    parts += ["", *issue_targets.render(results)]
    failures = _failures(results)
    if failures:
        parts += ["", "Failed measurements:", "", *failures]
    return "\n".join(parts)


def replace_block(readme: Path, block: str, markers: tuple[str, str] = (START, END)) -> None:
    """Replace what lies between the marker lines (each marker alone on its line)."""
    start_marker, end_marker = markers
    text = readme.read_text()
    start = re.search(rf"^{re.escape(start_marker)}[ \t]*$", text, re.MULTILINE)
    end = re.search(rf"^{re.escape(end_marker)}[ \t]*$", text, re.MULTILINE)
    if start is None or end is None or end.start() < start.end():
        raise ValueError(
            f"{readme} has no '{start_marker}' ... '{end_marker}' block (each marker alone"
            " on its line); add both markers where the benchmark table belongs"
        )
    readme.write_text(text[: start.end()] + "\n" + block + "\n" + text[end.start() :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS_DIR / "results.json")
    parser.add_argument(
        "--readme",
        type=Path,
        action="append",
        help="README to update (repeatable); default: the project README and benchmarks/README.md",
    )
    args = parser.parse_args()
    results = json.loads(args.results.read_text())
    failed = False
    for readme in args.readme or [PROJECT_DIR / "README.md", BENCH_DIR / "README.md"]:
        chart = (
            Path("results/chart.png")
            if readme.parent == BENCH_DIR
            else Path("benchmarks/results/chart.png")
        )
        try:
            replace_block(readme, render(results, chart.as_posix()))
            print(f"updated {readme}")
        except (OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
