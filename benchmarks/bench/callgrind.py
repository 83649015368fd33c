"""Instructions per request under valgrind's callgrind: a minimal, noise-free driver.

    python -m bench.callgrind FRAMEWORK SCENARIO [--requests 2000]

Runs this module again under ``valgrind --tool=callgrind`` in the framework's
venv; that inner run loads the app, starts its lifespan, checks one answer,
warms up, then sends ``--requests`` requests in one batch. Callgrind collects
only while that batch runs: the batch is started from inside
``functools.reduce`` (a C function whose symbol, ``functools_reduce``, is the
collection toggle), so imports, start-up and warm-up are not counted. Prints
``{"framework", "scenario", "requests", "instructions", "per_request"}`` as JSON.

Instruction counts do not depend on the machine's load, so two frameworks (or
veloxapi with and without batteries) compare exactly even on a busy machine;
they do not see cache misses or system-call time. Collection is switched per
thread: work done in worker threads (``def`` endpoints and dependencies) is not
counted, the hand-over to them and back is. Counting every thread instead
(totals of two batch sizes, subtracted) varied by about 10% between runs of
the ``_sync`` scenarios, from thread scheduling, so it is not done.
"""

import argparse
import asyncio
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import Any

from bench.envs import python_for
from bench.scenarios import BY_NAME

_TOTALS = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def measure(framework: str, scenario: str, requests: int) -> dict[str, Any]:
    """Run the inner driver under callgrind and read the instructions it executed."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={out}",
            python_for(framework),
            "-m",
            "bench.callgrind",
            "--inner",
            framework,
            scenario,
            "--requests",
            str(requests),
        ]
        subprocess.run(command, check=True, capture_output=True, env=_environment())
        with open(out, "rb") as stats:
            found = _TOTALS.search(stats.read())
    if found is None:
        raise RuntimeError(f"no instruction total in the callgrind output of {framework}")
    total = int(found.group(1))
    return {
        "framework": framework,
        "scenario": scenario,
        "requests": requests,
        "instructions": total,
        "per_request": round(total / requests),
    }


def _environment() -> dict[str, str]:
    bench_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source = os.path.join(os.path.dirname(bench_dir), "src")
    # a fixed hash seed: string hashing varies per process and moves counts by ~1%
    paths = os.pathsep.join([bench_dir, source])
    return {**os.environ, "PYTHONPATH": paths, "PYTHONHASHSEED": "0"}


def inner(framework: str, scenario_name: str, requests: int) -> None:
    """The measured process: everything but the batch runs outside the toggle."""
    from bench.inprocess import new_loop, prepare

    scenario = BY_NAME[scenario_name]
    loop = new_loop()
    call, shutdown = loop.run_until_complete(prepare(framework, scenario, warmup=0.2))

    async def batch() -> None:
        for _ in range(requests):
            status, _body = await call()
            if status != scenario.expected_status:
                raise RuntimeError(f"status {status} in the measured batch")

    functools.reduce(lambda _first, _second: loop.run_until_complete(batch()), (None, None))
    loop.run_until_complete(shutdown())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("scenario", choices=sorted(BY_NAME))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.framework, args.scenario, args.requests)
        return
    print(json.dumps(measure(args.framework, args.scenario, args.requests)))
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
