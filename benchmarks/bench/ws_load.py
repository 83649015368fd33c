"""WebSocket load generator for the over-HTTP mode (wrk speaks only HTTP).

    python -m bench.ws_load URI TEXT --seconds 3 --connections 16

Each of `connections` concurrent clients repeats the scenario's session (open the
WebSocket, send TEXT, receive the echo, close) until the time is up; prints
{"ok": true, "rps": sessions per second} or {"ok": false, "error": ...}. A wrong
echo or a failed handshake fails the whole measurement.
"""

import argparse
import asyncio
import json
import time
from typing import Any

from websockets.asyncio.client import connect

from bench.inprocess import new_loop


async def session(uri: str, text: str) -> None:
    async with connect(uri, compression=None, proxy=None, ping_interval=None) as socket:
        await socket.send(text)
        echoed = await socket.recv()
    if echoed != text:
        raise RuntimeError(f"expected the echo {text!r}, got {echoed!r}")


async def _client(uri: str, text: str, deadline: float) -> int:
    count = 0
    while time.perf_counter() < deadline:
        await session(uri, text)
        count += 1
    return count


async def load(uri: str, text: str, seconds: float, connections: int) -> float:
    await session(uri, text)  # answers correctly before anything is timed
    start = time.perf_counter()
    counts = await asyncio.gather(
        *(_client(uri, text, start + seconds) for _ in range(connections))
    )
    return sum(counts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("uri")
    parser.add_argument("text")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    result: dict[str, Any]
    try:
        with asyncio.Runner(loop_factory=new_loop) as runner:
            rate = runner.run(load(args.uri, args.text, args.seconds, args.connections))
        result = {"ok": True, "rps": rate}
    except Exception as error:
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
