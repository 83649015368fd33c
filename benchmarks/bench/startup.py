"""Start-up, memory and OpenAPI driver for the 500-route app, one fresh process per sample.

    python -m bench.startup FRAMEWORK startup   -> {"ok": true, "startup_s": ..., "rss_mib": ...}
    python -m bench.startup FRAMEWORK openapi   -> {"ok": true, "openapi_s": ..., "paths": 500}

"startup" times importing the framework and the app module, building the 500 routes,
lifespan startup and a first request to the last route, then reads VmRSS.
"openapi" times the first (cold) generation of the OpenAPI document after startup.
"""

import argparse
import asyncio
import json
import sys
import time
import traceback
from typing import Any

from bench.asgi_client import make_call, start_lifespan
from bench.inprocess import new_loop
from bench.load import load_app
from bench.scenarios import BY_NAME, check_response

SCENARIO = BY_NAME["routes_500"]


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


async def _start(framework: str) -> tuple[Any, Any]:
    app = load_app(framework, "many")
    state, shutdown = await start_lifespan(app)
    status, body = await make_call(app, SCENARIO, state)()
    problem = check_response(SCENARIO, status, body)
    if problem is not None:
        raise RuntimeError(problem)
    return app, shutdown


def _openapi(framework: str, app: Any) -> dict[str, Any]:
    if framework == "litestar":
        return dict(app.openapi_schema.to_schema())
    if framework == "floor":
        raise RuntimeError("the hand-written ASGI app has no OpenAPI document")
    return dict(app.openapi())


async def measure(framework: str, what: str) -> dict[str, Any]:
    start = time.perf_counter()
    app, shutdown = await _start(framework)
    if what == "startup":
        result = {"startup_s": time.perf_counter() - start, "rss_mib": rss_mib()}
    else:
        start = time.perf_counter()
        schema = _openapi(framework, app)
        result = {"openapi_s": time.perf_counter() - start, "paths": len(schema["paths"])}
    await shutdown()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("what", choices=("startup", "openapi"))
    args = parser.parse_args()
    try:
        with asyncio.Runner(loop_factory=new_loop) as runner:
            result = {"ok": True, **runner.run(measure(args.framework, args.what))}
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
