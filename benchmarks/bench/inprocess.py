"""In-process driver: one framework, one scenario, one timed sample, printed as JSON.

    python -m bench.inprocess FRAMEWORK SCENARIO --seconds 1.0 --warmup 0.3

Loads the app, runs lifespan startup, checks one response against the scenario's
expected answer, warms up, then calls the ASGI app in a tight loop for the given time.
Prints {"ok": true, "rps": ..., "cpu_rps": ...} or {"ok": false, "error": ...} on the last line.
"""

import argparse
import asyncio
import json
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from bench.asgi_client import make_call, start_lifespan
from bench.load import load_app
from bench.scenarios import BY_NAME, Scenario, check_response

Call = Callable[[], Awaitable[tuple[int, bytes]]]
CHECK_EVERY = 0.01  # seconds between clock reads in the timed loop


def verify_answer(scenario: Scenario, status: int, body: bytes) -> str | None:
    if scenario.kind == "websocket":
        expected = scenario.ws_text.encode()
        if status != 200 or body != expected:
            return f"expected the echo {expected!r} after accept, got status {status}, {body!r}"
        return None
    return check_response(scenario, status, body)


async def timed_loop(call: Call, seconds: float, expected_status: int) -> tuple[int, float]:
    """Run `call` repeatedly for about `seconds`; return (count, elapsed)."""
    count, batch = 0, 1
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            status, _ = await call()
            if status != expected_status:
                raise RuntimeError(f"status {status} during the timed loop")
        count += batch
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start
        batch = max(1, min(1000, int(CHECK_EVERY * count / (now - start))))


async def prepare(
    framework: str, scenario: Scenario, warmup: float
) -> tuple[Call, Callable[[], Awaitable[None]]]:
    """Load the app, run lifespan startup, check one answer and warm up.

    Returns the request coroutine function and the lifespan shutdown.
    """
    app = load_app(framework, scenario.app)
    state, shutdown = await start_lifespan(app)
    call = make_call(app, scenario, state)
    status, body = await call()
    problem = verify_answer(scenario, status, body)
    if problem is not None:
        raise RuntimeError(problem)
    await timed_loop(call, warmup, scenario.expected_status)
    return call, shutdown


async def measure(
    framework: str, scenario: Scenario, seconds: float, warmup: float
) -> dict[str, float]:
    """Requests per wall-clock second, and per CPU-second of this process (all threads):
    the second is steadier when other processes compete for the cores."""
    call, shutdown = await prepare(framework, scenario, warmup)
    cpu_start = time.process_time()
    count, elapsed = await timed_loop(call, seconds, scenario.expected_status)
    cpu = time.process_time() - cpu_start
    await shutdown()
    return {"rps": count / elapsed, "cpu_rps": count / cpu if cpu > 0 else 0.0}


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("scenario", choices=sorted(BY_NAME))
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.3)
    args = parser.parse_args()
    result: dict[str, Any]
    try:
        with asyncio.Runner(loop_factory=new_loop) as runner:
            rates = runner.run(
                measure(args.framework, BY_NAME[args.scenario], args.seconds, args.warmup)
            )
        result = {"ok": True, **rates}
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
