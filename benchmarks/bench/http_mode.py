"""Over-HTTP mode: uvicorn servers (one per framework and app) loaded by wrk.

The servers and the load generator share the machine's cores; every framework
gets the same settings, and samples alternate between frameworks. WebSocket
scenarios are loaded by bench.ws_load instead of wrk.
"""

import json
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.envs import BENCH_DIR, bench_python, env_for, python_for
from bench.scenarios import Scenario, check_response

READY_TIMEOUT = 120.0  # all servers start at once, and may share the cores with others


@dataclass
class Server:
    framework: str
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def error(self) -> str:
        tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
        return f"uvicorn exited with {self.process.returncode}: {' | '.join(tail)}"[:500]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(framework: str, app: str, workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"server-{framework}-{app}.log"
    process = subprocess.Popen(
        [python_for(framework), "-m", "bench.serve", framework, app, str(port)],
        cwd=BENCH_DIR,
        env=env_for(framework),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Server(framework, app, port, process, log)


def wait_ready(server: Server) -> str | None:
    """None once the server accepts connections, else why it never will."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return server.error()
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=0.5).close()
            return None
        except OSError:
            time.sleep(0.1)
    return f"uvicorn did not accept connections within {READY_TIMEOUT:.0f}s"


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def check_over_http(server: Server, scenario: Scenario) -> str | None:
    """None if the server answers the scenario's request correctly, else the problem."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{scenario.target}",
        data=scenario.body or None,
        headers=dict(scenario.headers),
        method=scenario.method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError as error:
        return f"request failed: {error}"
    return check_response(scenario, status, body)


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_wrk_script(scenario: Scenario, workdir: Path) -> Path:
    """A wrk Lua script sending the scenario's method, headers and body."""
    lines = [f"wrk.method = {_lua_string(scenario.method)}"]
    for name, value in scenario.headers:
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    if scenario.body:
        body_file = workdir / f"{scenario.name}.body"
        body_file.write_bytes(scenario.body)
        lines += [
            f"local f = assert(io.open({_lua_string(str(body_file))}, 'rb'))",
            "wrk.body = f:read('*a')",
            "f:close()",
        ]
    script = workdir / f"{scenario.name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


@dataclass(frozen=True)
class WrkSettings:
    seconds: int
    threads: int = 2
    connections: int = 64
    timeout: int = 30  # wrk drops (does not count) answers slower than this


def run_wrk(server: Server, scenario: Scenario, script: Path, settings: WrkSettings) -> float:
    """Requests per second wrk measured; raises if any response was not 2xx/3xx."""
    command = [
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{settings.seconds}s",
        "--timeout",
        f"{settings.timeout}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}{scenario.target}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=settings.seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited {done.returncode}: {(done.stderr or done.stdout)[-300:]}")
    output = done.stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        raise RuntimeError(f"wrk saw {bad.group(1)} non-2xx/3xx responses")
    errors = re.search(r"Socket errors: (.*)", output)
    if errors:
        raise RuntimeError(f"wrk saw socket errors ({errors.group(1).strip()})")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"no Requests/sec in wrk output: {output[-300:]!r}")
    return float(rate.group(1))


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="velox-bench-"))


WS_CONNECTIONS = 16


def run_ws_load(server: Server, scenario: Scenario, seconds: int) -> float:
    """WebSocket sessions per second measured by bench.ws_load (which checks every echo)."""
    uri = f"ws://127.0.0.1:{server.port}{scenario.path}"
    command = [bench_python(), "-m", "bench.ws_load", uri, scenario.ws_text]
    command += ["--seconds", str(seconds), "--connections", str(WS_CONNECTIONS)]
    done = subprocess.run(
        command,
        cwd=BENCH_DIR,
        env=env_for("fastapi"),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"ws_load exited {done.returncode}: {done.stderr[-300:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    if not result["ok"]:
        raise RuntimeError(result["error"])
    return float(result["rps"])
