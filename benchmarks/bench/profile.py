"""Profile one in-process scenario with pyinstrument and write a text report.

    python -m bench.profile SCENARIO [--framework veloxapi] [--seconds 3] [--all]

Writes results/profile-<scenario>.txt (profile-<framework>-<scenario>.txt for another
framework). Only the event-loop thread is sampled: for the `_sync` scenarios the
endpoint itself runs in worker threads and shows up as time waiting for them.
"""

import argparse
import asyncio
from pathlib import Path

from pyinstrument import Profiler

from bench.envs import RESULTS_DIR
from bench.inprocess import new_loop, prepare, timed_loop
from bench.scenarios import BY_NAME, Scenario


async def _profile(framework: str, scenario: Scenario, seconds: float) -> tuple[Profiler, float]:
    call, shutdown = await prepare(framework, scenario, warmup=0.3)
    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    count, elapsed = await timed_loop(call, seconds, scenario.expected_status)
    profiler.stop()
    await shutdown()
    return profiler, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(BY_NAME))
    parser.add_argument("--framework", default="veloxapi")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=new_loop) as runner:
        profiler, rate = runner.run(_profile(args.framework, BY_NAME[args.scenario], args.seconds))
    stem = args.scenario if args.framework == "veloxapi" else f"{args.framework}-{args.scenario}"
    output: Path = RESULTS_DIR / f"profile-{stem}.txt"
    header = f"{args.framework} {args.scenario}: {rate:,.0f} requests/s while profiled\n\n"
    output.write_text(header + profiler.output_text(unicode=True, color=False, show_all=args.all))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
