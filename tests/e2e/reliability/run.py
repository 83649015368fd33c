"""Run the reliability suite by hand: the hostile matrix, schemathesis, or a soak.

    .venv/bin/python tests/e2e/reliability/run.py matrix [--config plain,batteries] [--case json]
    .venv/bin/python tests/e2e/reliability/run.py fuzz [--max-examples 200] [--seed 7]
    .venv/bin/python tests/e2e/reliability/run.py soak --duration 300 --concurrency 32 \\
        --mix list=30,read=15,create=15,bad_json=10,bad_param=10,missing=10,unauthorized=10

Each command starts the target app under its own uvicorn process on a free
loopback port (``--http`` and ``--ws`` choose uvicorn's implementations),
prints what it found, and exits non-zero when a check failed: an unexcused
matrix problem, a schemathesis failure, or soak errors (or an RSS slope over
``--max-rss-slope``). Known gaps are listed with their owner, not failed.
``make soak`` runs the long soak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_app import CONFIGS
from reliability_cases import CASES
from reliability_fuzz import DEFAULT_EXAMPLES, DEFAULT_SEED, run_schemathesis
from reliability_matrix import Result, run_case
from reliability_server import Server, running_server
from reliability_soak import DEFAULT_MIX, soak


def configs(text: str) -> list[str]:
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CONFIGS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(CONFIGS)} (got {text!r})")
    return chosen


def servers(args: argparse.Namespace) -> Iterator[Server]:
    for config in args.config:
        with running_server(config, http=args.http, ws=args.ws) as server:
            yield server


def show(result: Result) -> str:
    outcome, gap = result.outcome, result.case.gap_in(result.config)
    unexcused = result.unexcused()
    mark = "FAIL" if unexcused else ("gap " if gap else "ok  ")
    line = (
        f"{mark} {result.config:9} {result.case.id:36} {outcome.status!s:5} {outcome.elapsed:6.2f}s"
    )
    if outcome.note:
        line += f"  ({outcome.note})"
    for kind, text in unexcused:
        line += f"\n       {kind}: {text}"
    if gap is not None:
        line += f"\n       known gap, owner {gap.owner}: {gap.what}"
        if not result.target_problems():
            line += "\n       it now meets its target: drop the gap from reliability_cases.py"
    return line


def cmd_matrix(args: argparse.Namespace) -> int:
    failed = 0
    for server in servers(args):
        for case in CASES:
            if server.config in case.configs and args.case in case.id:
                result = run_case(server, case)
                failed += bool(result.unexcused())
                print(show(result), flush=True)
    print(f"\n{failed} case(s) failed")
    return 1 if failed else 0


def cmd_fuzz(args: argparse.Namespace) -> int:
    failed = 0
    for server in servers(args):
        run = run_schemathesis(
            server,
            checks=args.checks,
            exclude=tuple(args.exclude),
            max_examples=args.max_examples,
            seed=args.seed,
            timeout=args.timeout,
        )
        print(f"== schemathesis, {server.config}: {'passed' if run.passed else 'FAILED'}")
        print(run.output if not run.passed or args.verbose else run.output[-600:])
        failed += not run.passed
    return 1 if failed else 0


def cmd_soak(args: argparse.Namespace) -> int:
    status = 0
    for server in servers(args):
        report = asyncio.run(
            soak(
                server,
                duration=args.duration,
                concurrency=args.concurrency,
                mix=args.mix,
                warmup=args.warmup,
                seed=args.seed,
            )
        )
        summary = {"config": server.config, **report.summary()}
        print(json.dumps(summary, indent=2))
        slope = report.rss_slope_mib_per_min()
        if report.errors or (args.max_rss_slope is not None and slope > args.max_rss_slope):
            status = 1
    return status


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = top.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=configs, default=list(CONFIGS), help="comma-separated")
    common.add_argument("--http", default="auto", help="uvicorn --http (auto, h11, httptools)")
    common.add_argument("--ws", default="auto", help="uvicorn --ws implementation")
    matrix = commands.add_parser("matrix", parents=[common], help="the hostile-input matrix")
    matrix.add_argument("--case", default="", help="only cases whose id contains this")
    matrix.set_defaults(run=cmd_matrix)
    fuzz = commands.add_parser("fuzz", parents=[common], help="schemathesis, every check")
    fuzz.add_argument("--checks", default="all")
    fuzz.add_argument("--exclude", action="append", default=[], help="a check to skip")
    fuzz.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES)
    fuzz.add_argument("--seed", type=int, default=DEFAULT_SEED)
    fuzz.add_argument("--timeout", type=float, default=600.0)
    fuzz.add_argument("--verbose", action="store_true")
    fuzz.set_defaults(run=cmd_fuzz)
    soaker = commands.add_parser("soak", parents=[common], help="a bounded soak")
    soaker.set_defaults(run=cmd_soak, config=["batteries"])
    soaker.add_argument("--duration", type=float, default=60.0, help="seconds")
    soaker.add_argument("--concurrency", type=int, default=16)
    soaker.add_argument("--mix", default=DEFAULT_MIX, help="kind=weight,...")
    soaker.add_argument("--warmup", type=float, default=None, help="seconds (a fifth)")
    soaker.add_argument("--seed", type=int, default=15)
    soaker.add_argument("--max-rss-slope", type=float, default=None, help="MiB/min")
    return top


def main() -> int:
    args = parser().parse_args()
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
