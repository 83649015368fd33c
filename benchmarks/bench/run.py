"""Run the benchmark suite and write results/results.json.

    python -m bench.run [--quick] [--modes inprocess,http,startup]
                        [--frameworks veloxapi,fastapi,litestar,floor] [--scenarios a,b]

Every measurement is a fresh subprocess in the framework's own venv (or, over HTTP,
one wrk run against that framework's uvicorn server); frameworks alternate in a
rotating order inside each repeat, and medians and ratios come from the same run.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import http_mode
from bench.collect import Series, Table, rotated
from bench.envs import BENCH_DIR, RESULTS_DIR, env_for, python_for
from bench.load import FRAMEWORKS, INSTRUCTIONS_ONLY
from bench.machine import machine_info, versions
from bench.scenarios import SCENARIOS, Scenario

MODES = ("inprocess", "http", "startup")
STARTUP_TITLES = {
    "startup_s": "Start-up: import + build 500 routes + lifespan + first request",
    "rss_mib": "Resident memory after start-up (VmRSS), 500 routes",
    "openapi_s": "OpenAPI generation for 500 routes (cold app.openapi())",
}


@dataclass(frozen=True)
class Settings:
    repeats: int
    seconds: float  # in-process timed loop per sample
    warmup: float  # in-process warm-up per sample
    wrk_seconds: int  # wrk takes whole seconds
    startup_runs: int  # fresh processes per start-up measure


FULL = Settings(repeats=3, seconds=1.0, warmup=0.3, wrk_seconds=3, startup_runs=5)
QUICK = Settings(repeats=1, seconds=0.25, warmup=0.1, wrk_seconds=1, startup_runs=1)


def log(message: str) -> None:
    print(message, flush=True)


def run_driver(framework: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run a driver module in the framework's venv; its JSON result (ok or error)."""
    try:
        done = subprocess.run(
            [python_for(framework), "-m", *args],
            cwd=BENCH_DIR,
            env=env_for(framework),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    lines = done.stdout.strip().splitlines()
    try:
        return dict(json.loads(lines[-1]))
    except (IndexError, ValueError):
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return {"ok": False, "error": f"driver exited {done.returncode}: {tail}"[:500]}


def _record(series: Series, label: str, result: dict[str, Any]) -> None:
    """Log one sample and add it to its series (or mark the series failed)."""
    if result["ok"]:
        series.samples.append(result["rps"])
        log(f"{label} {result['rps']:,.0f} req/s")
    else:
        series.error = result["error"]
        log(f"{label} FAILED {result['error']}")


def _plan(
    settings: Settings, frameworks: list[str], scenarios: list[Scenario]
) -> Iterator[tuple[int, Scenario, str]]:
    """(repeat, scenario, framework) in measuring order: frameworks rotate every time."""
    for repeat in range(settings.repeats):
        for index, scenario in enumerate(scenarios):
            for framework in rotated(frameworks, repeat + index):
                yield repeat, scenario, framework


def run_inprocess(
    settings: Settings, frameworks: list[str], scenarios: list[Scenario]
) -> tuple[Table, Table]:
    """Requests per wall-clock second, and per CPU-second of the driver process."""
    table, cpu_table = Table("requests/s"), Table("requests per CPU-second")
    args = ["--seconds", str(settings.seconds), "--warmup", str(settings.warmup)]
    for repeat, scenario, framework in _plan(settings, frameworks, scenarios):
        series = table.get(scenario.name, framework)
        if not series.failed:
            driver = ["bench.inprocess", framework, scenario.name, *args]
            label = (
                f"[in-process {repeat + 1}/{settings.repeats}] {scenario.name:<18} {framework:<9}"
            )
            result = run_driver(framework, driver, timeout=120)
            _record(series, label, result)
            cpu_series = cpu_table.get(scenario.name, framework)
            if result["ok"]:
                cpu_series.samples.append(result["cpu_rps"])
            else:
                cpu_series.error = result["error"]
    return table, cpu_table


def _http_sample(
    server: http_mode.Server,
    down: str | None,
    scenario: Scenario,
    workdir: Path,
    wrk: http_mode.WrkSettings,
) -> dict[str, Any]:
    if down is not None:
        return {"ok": False, "error": down}
    if scenario.kind == "websocket":
        try:
            return {"ok": True, "rps": http_mode.run_ws_load(server, scenario, wrk.seconds)}
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as error:
            return {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    problem = http_mode.check_over_http(server, scenario)
    if problem is not None:
        return {"ok": False, "error": problem}
    script = http_mode.write_wrk_script(scenario, workdir)
    try:
        return {"ok": True, "rps": http_mode.run_wrk(server, scenario, script, wrk)}
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}


def run_http(settings: Settings, frameworks: list[str], scenarios: list[Scenario]) -> Table:
    table = Table("requests/s")
    scenarios = [s for s in scenarios if s.over_http]
    workdir = http_mode.scratch_dir()
    apps = {s.app for s in scenarios}
    servers = {
        (fw, app): http_mode.start_server(fw, app, workdir) for fw in frameworks for app in apps
    }
    wrk = http_mode.WrkSettings(seconds=settings.wrk_seconds)
    try:
        down = {key: http_mode.wait_ready(server) for key, server in servers.items()}
        for repeat, scenario, framework in _plan(settings, frameworks, scenarios):
            series = table.get(scenario.name, framework)
            if not series.failed:
                key = (framework, scenario.app)
                result = _http_sample(servers[key], down[key], scenario, workdir, wrk)
                label = f"[http {repeat + 1}/{settings.repeats}] {scenario.name:<18} {framework:<9}"
                _record(series, label, result)
    finally:
        for server in servers.values():
            http_mode.stop_server(server)
    return table


STARTUP_MEASURES = (("startup", ("startup_s", "rss_mib")), ("openapi", ("openapi_s",)))


def _startup_sample(table: Table, label: str, framework: str, what: str, keys: Any) -> None:
    result = run_driver(framework, ["bench.startup", framework, what], timeout=300)
    shown = {k: round(result[k], 4) for k in keys} if result["ok"] else result["error"]
    log(f"{label} {what:<8} {framework:<9} {shown}")
    for key in keys:
        series = table.get(key, framework)
        if result["ok"]:
            series.samples.append(result[key])
        else:
            series.error = result["error"]


def run_startup(settings: Settings, frameworks: list[str], warm_up: bool) -> Table:
    """Start-up measures; `warm_up` first runs each framework once, untimed, so that
    byte-code caches and the OS page cache are warm (as they are after in-process runs)."""
    for framework in frameworks if warm_up else []:
        run_driver(framework, ["bench.startup", framework, "startup"], timeout=300)
    table = Table("see metric")
    for run in range(settings.startup_runs):
        label = f"[start-up {run + 1}/{settings.startup_runs}]"
        for framework in rotated(frameworks, run):
            for what, keys in STARTUP_MEASURES:
                if not (framework == "floor" and what == "openapi"):
                    _startup_sample(table, label, framework, what, keys)
    return table


def _wrk_settings(settings: Settings) -> dict[str, int]:
    wrk = http_mode.WrkSettings(seconds=settings.wrk_seconds)
    return {
        "wrk_threads": wrk.threads,
        "wrk_connections": wrk.connections,
        "wrk_timeout": wrk.timeout,
    }


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short samples, one repeat")
    parser.add_argument("--modes", default=",".join(MODES))
    wall_clock = [fw for fw in FRAMEWORKS if fw not in INSTRUCTIONS_ONLY]
    parser.add_argument("--frameworks", default=",".join(wall_clock))
    parser.add_argument("--scenarios", default=",".join(s.name for s in SCENARIOS))
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "results.json")
    return parser.parse_args()


def _choose(given: str, allowed: list[str], what: str) -> list[str]:
    chosen = [name for name in given.split(",") if name]
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        sys.exit(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwinds through `finally`, which stops the uvicorn servers


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = _parse_args()
    settings = QUICK if args.quick else FULL
    modes = _choose(args.modes, list(MODES), "mode")
    frameworks = _choose(args.frameworks, list(FRAMEWORKS), "framework")
    names = _choose(args.scenarios, [s.name for s in SCENARIOS], "scenario")
    scenarios = [s for s in SCENARIOS if s.name in names]
    try:
        for framework in frameworks:
            python_for(framework)
    except FileNotFoundError as error:
        sys.exit(str(error))
    titles = {s.name: s.title for s in SCENARIOS} | STARTUP_TITLES
    started = time.monotonic()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "settings": asdict(settings) | _wrk_settings(settings),
        "machine": machine_info(),
        "versions": versions(frameworks),
    }
    if "inprocess" in modes:
        wall, cpu = run_inprocess(settings, frameworks, scenarios)
        results["inprocess"] = wall.as_json("inprocess", titles)
        results["inprocess_cpu"] = cpu.as_json("inprocess", titles)
    if "http" in modes:
        results["http"] = run_http(settings, frameworks, scenarios).as_json("http", titles)
    if "startup" in modes:
        startup = run_startup(settings, frameworks, warm_up="inprocess" not in modes)
        results["startup"] = startup.as_json("startup", titles)
    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["wall_seconds"] = round(time.monotonic() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {args.output} in {results['wall_seconds']:.0f}s")


if __name__ == "__main__":
    main()
