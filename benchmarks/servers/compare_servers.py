"""Is another ASGI server faster than uvicorn for veloxapi apps? GET and POST over HTTP.

Serves ``app.py`` (and ``app_no_body_timeout.py``, the same app without the
request-body timeout) with one worker on loopback under each server in turn
(alternating, ``--rounds`` times), loads it with ``wrk`` (1 thread, 32
connections) for GET and POST separately, and writes the per-round figures
and the medians to ``results.json`` beside this script.

    python benchmarks/servers/compare_servers.py --python /path/to/venv/bin/python

The interpreter given must have veloxapi plus uvicorn[standard], granian and
hypercorn installed (a separate venv: they are not veloxapi dependencies).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POST_LUA = """wrk.method = "POST"
wrk.body = '{"id": 7, "customer": "ada", "items": ["a", "b", "c"], "total": 12.5}'
wrk.headers["Content-Type"] = "application/json"
"""
SERVERS = {
    "uvicorn": [
        "-m",
        "uvicorn",
        "app:app",
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--port",
        "{port}",
    ],
    "granian": [
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--no-ws",
        "--log-level",
        "warning",
        "--port",
        "{port}",
        "app:app",
    ],
    "hypercorn": [
        "-m",
        "hypercorn",
        "app:app",
        "--workers",
        "1",
        "--worker-class",
        "uvloop",
        "--log-level",
        "warning",
        "--bind",
        "127.0.0.1:{port}",
    ],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], port: int, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start (exit code {process.poll()})")


def _wrk(url: str, seconds: int, script: Path | None) -> float:
    command = ["wrk", "-t1", "-c32", f"-d{seconds}s", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"errors during the load:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return float(found.group(1))


def _measure(
    python: str, server: str, app: str, seconds: int, post_script: Path
) -> dict[str, float]:
    port = _free_port()
    args = [a.format(port=port, app=app) for a in SERVERS[server]]
    process = subprocess.Popen(
        [python, *args], cwd=HERE, env={**os.environ, "PYTHONPATH": str(HERE)}
    )
    try:
        _wait_ready(process, port)
        base = f"http://127.0.0.1:{port}"
        _wrk(f"{base}/items/3?q=abc&limit=5", 2, None)  # warm-up
        get = _wrk(f"{base}/items/3?q=abc&limit=5", seconds, None)
        post = _wrk(f"{base}/orders", seconds, post_script)
    finally:
        process.terminate()
        process.wait(timeout=15)
    return {"get": get, "post": post}


def _uvicorn(key: str) -> str:
    return "uvicorn/" + key.split("/", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="interpreter with the three servers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--apps", default="app,app_no_body_timeout")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    servers = options.servers.split(",")
    load_at_start = os.getloadavg()
    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        post_script = Path(tmp) / "post.lua"
        post_script.write_text(POST_LUA)
        for number in range(options.rounds):
            order = servers if number % 2 == 0 else servers[::-1]
            rounds.append(
                {
                    f"{server}/{app}": _measure(
                        options.python, server, app, options.seconds, post_script
                    )
                    for app in options.apps.split(",")
                    for server in order
                }
            )
            print(f"round {number + 1}: {json.dumps(rounds[-1])}", flush=True)
    medians = {
        key: {kind: statistics.median(r[key][kind] for r in rounds) for kind in ("get", "post")}
        for key in rounds[0]
    }
    result = {
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "cpus": os.cpu_count(),
        "wrk": "1 thread, 32 connections",
        "seconds_per_measurement": options.seconds,
        "rounds": rounds,
        "median_requests_per_second": medians,
        "ratio_to_uvicorn_same_app": {
            key: {
                kind: round(value / medians[_uvicorn(key)][kind], 3) for kind, value in fig.items()
            }
            for key, fig in medians.items()
            if _uvicorn(key) in medians
        },
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median_requests_per_second"], indent=2))


if __name__ == "__main__":
    main()
