"""Benchmark of the inference demo (examples/inference) over real uvicorn on loopback.

Scenarios, each a fresh server and a bounded run:

* batching: ``/predict`` (micro-batched) and ``/predict/unbatched`` at 1, 16 and
  64 concurrent clients, load shedding off: throughput, p50 and p99 latency;
* batching without a wait (``max_wait_ms=0``): batches form only from calls
  that arrive while the previous batch runs;
* shedding: ``/predict/unbatched`` far beyond its capacity (128 clients) with
  load shedding off and on (8 in flight + 8 waiting): the rate and latency of
  the answered requests, and how fast the 503s come back. A client answered
  503 waits the ``Retry-After`` second before its next request, as a
  well-behaved client does.

Each client is a keep-alive HTTP/1.1 connection sending the next request as
soon as the previous answer arrives (closed loop), from one asyncio process
beside the server. Writes ``results.json`` and ``results.md`` (the table is
generated from the JSON: ``python run.py --report`` redraws it).

    ../../.venv/bin/python run.py            # ~3 minutes
    ../../.venv/bin/python run.py --duration 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO_DIR = ROOT / "examples" / "inference"
RESULTS = HERE / "results.json"
TABLE = HERE / "results.md"
WARM_UP = 1.0


@dataclass
class Sample:
    """Latencies (seconds) by status code over one measured window."""

    latencies: dict[int, list[float]] = field(default_factory=dict)

    def add(self, status: int, seconds: float) -> None:
        self.latencies.setdefault(status, []).append(seconds)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def image_body() -> bytes:
    from sklearn.datasets import load_digits

    pixels = load_digits().data[0].tolist()
    return json.dumps({"pixels": pixels}).encode()


def request_bytes(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(
        int(v)
        for k, _, v in (ln.partition(":") for ln in lines[1:])
        if k.lower() == "content-length"
    )
    await reader.readexactly(length)
    return status


async def client(
    port: int, request: bytes, stop_at: float, record_from: float, sample: Sample
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (start := time.perf_counter()) < stop_at:
            writer.write(request)
            status = await read_response(reader)
            if start >= record_from:
                sample.add(status, time.perf_counter() - start)
            if status == 503:  # a well-behaved client honours Retry-After (the demo sends 1 s)
                await asyncio.sleep(1.0)
    finally:
        writer.close()


async def load(port: int, path: str, body: bytes, clients: int, duration: float) -> Sample:
    sample = Sample()
    record_from = time.perf_counter() + WARM_UP
    stop_at = record_from + duration
    request = request_bytes(path, body)
    await asyncio.gather(
        *(client(port, request, stop_at, record_from, sample) for _ in range(clients))
    )
    return sample


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(DEMO_DIR)]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(command, env=full_env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the demo server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarise(sample: Sample, duration: float) -> dict[str, Any]:
    ok = sample.latencies.get(200, [])
    shed = sample.latencies.get(503, [])
    other = sum(len(v) for k, v in sample.latencies.items() if k not in (200, 503))
    ms = 1000.0
    return {
        "ok_per_s": round(len(ok) / duration, 1),
        "ok_p50_ms": round(percentile(ok, 0.50) * ms, 2) if ok else None,
        "ok_p99_ms": round(percentile(ok, 0.99) * ms, 2) if ok else None,
        "ok_mean_ms": round(statistics.fmean(ok) * ms, 2) if ok else None,
        "shed_per_s": round(len(shed) / duration, 1),
        "shed_p50_ms": round(percentile(shed, 0.50) * ms, 2) if shed else None,
        "shed_p99_ms": round(percentile(shed, 0.99) * ms, 2) if shed else None,
        "other_statuses": other,
    }


def mean_batch(port: int, before: dict[str, Any]) -> float | None:
    import httpx

    after = httpx.get(f"http://127.0.0.1:{port}/model").json()
    batches = after["batches"] - before["batches"]
    return round((after["items"] - before["items"]) / batches, 2) if batches else None


def run_scenario(
    name: str, path: str, clients: int, env: dict[str, str], duration: float, body: bytes
) -> dict[str, Any]:
    import httpx

    server, port = start_server(env)
    try:
        before = httpx.get(f"http://127.0.0.1:{port}/model", timeout=30).json()
        sample = asyncio.run(load(port, path, body, clients, duration))
        result = {"scenario": name, "path": path, "clients": clients, "env": env}
        result.update(summarise(sample, duration))
        result["mean_batch_size"] = mean_batch(port, before) if path == "/predict" else None
    finally:
        stop_server(server)
    print(json.dumps(result), flush=True)
    return result


def scenarios() -> list[tuple[str, str, int, dict[str, str]]]:
    plan = []
    for clients in (1, 16, 64):
        plan.append(("batched", "/predict", clients, {"DEMO_SHED": "0"}))
        no_wait = {"DEMO_SHED": "0", "DEMO_MAX_WAIT_MS": "0"}
        plan.append(("batched, no wait", "/predict", clients, no_wait))
        plan.append(("unbatched", "/predict/unbatched", clients, {"DEMO_SHED": "0"}))
    beyond = 128
    plan.append(("shedding off", "/predict/unbatched", beyond, {"DEMO_SHED": "0"}))
    bounds = {"DEMO_SHED": "1", "DEMO_MAX_IN_FLIGHT": "8", "DEMO_MAX_WAITING": "8"}
    plan.append(("shedding on", "/predict/unbatched", beyond, bounds))
    return plan


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
    }


def fmt(value: Any) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int | float) else str(value)


def write_table(data: dict[str, Any]) -> None:
    rows = data["results"]
    lines = [
        "# Inference demo benchmark",
        "",
        f"Generated from `results.json` by `run.py` ({data['duration_s']} s per scenario after "
        f"{WARM_UP} s warm-up; load average at start {data['machine']['load_average_at_start']}, "
        f"{data['machine']['cpus']} CPUs, Python {data['machine']['python']}). Model: random "
        "forest of 100 trees on scikit-learn's digits; batching `max_batch_size=32, "
        "max_wait_ms=5` (*no wait*: `max_wait_ms=0`, batches grow only while one runs).",
        "",
        "## Batching (load shedding off)",
        "",
        "| route | clients | req/s | p50 ms | p99 ms | mean batch |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if not r["scenario"].startswith("shedding"):
            lines.append(
                f"| {r['scenario']} | {r['clients']} | {fmt(r['ok_per_s'])} "
                f"| {fmt(r['ok_p50_ms'])} | {fmt(r['ok_p99_ms'])} | {fmt(r['mean_batch_size'])} |"
            )
    lines += [
        "",
        "## Beyond capacity: unbatched route, 128 clients (a 503 client waits Retry-After)",
        "",
        "| load shedding | 200/s | 200 p50 ms | 200 p99 ms | 503/s | 503 p50 ms | 503 p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["scenario"].startswith("shedding"):
            lines.append(
                f"| {r['scenario'].split()[1]} | {fmt(r['ok_per_s'])} | {fmt(r['ok_p50_ms'])} | "
                f"{fmt(r['ok_p99_ms'])} | {fmt(r['shed_per_s'])} | {fmt(r['shed_p50_ms'])} | "
                f"{fmt(r['shed_p99_ms'])} |"
            )
    TABLE.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per scenario")
    parser.add_argument(
        "--report", action="store_true", help="only redraw results.md from results.json"
    )
    args = parser.parse_args()
    if args.report:
        write_table(json.loads(RESULTS.read_text()))
        return
    body = image_body()
    data = {"machine": machine(), "duration_s": args.duration, "results": []}
    for name, path, clients, env in scenarios():
        data["results"].append(run_scenario(name, path, clients, env, args.duration, body))
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    write_table(data)
    print(TABLE.read_text())


if __name__ == "__main__":
    main()
