"""A bounded soak: steady mixed traffic for a while, then error rate, p99 and RSS slope.

``concurrency`` clients send requests back to back against the demo API for
``duration`` seconds, each request drawn from a weighted ``mix`` of kinds,
valid (list, read, create) and invalid (bad JSON, bad parameter, unknown
route, missing API key). A request is an *error* when it fails at the
transport level, times out, gets a 5xx, or gets a status its kind does not
expect (a bad request must be refused with its 4xx, a valid one served). The
server process's RSS is sampled throughout; its slope after the warm-up says
whether memory grows with traffic.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from reliability_app import API_KEY
from reliability_server import Server

MIB = 1024 * 1024
REQUEST_TIMEOUT = 10.0
RSS_EVERY = 0.25
DEFAULT_MIX = "list=30,read=15,create=15,bad_json=10,bad_param=10,missing=10,unauthorized=10"


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to send it, and which statuses are right for it."""

    send: Callable[[httpx.AsyncClient, random.Random], Any]
    expected: frozenset[int]
    valid: bool


def _post_book(key: str | None) -> Callable[[httpx.AsyncClient, random.Random], Any]:
    def send(client: httpx.AsyncClient, rng: random.Random) -> Any:
        headers = {"X-API-Key": key} if key else {}
        book = {"title": f"Book {rng.randrange(10**6)}", "author": "Soak", "year": 2000}
        return client.post("/books", json=book, headers=headers)

    return send


KINDS: dict[str, Kind] = {
    "list": Kind(
        lambda c, r: c.get("/books", params={"limit": r.randint(1, 50)}), frozenset({200}), True
    ),
    "read": Kind(lambda c, r: c.get(f"/books/{r.randint(1, 2000)}"), frozenset({200, 404}), True),
    "create": Kind(_post_book(API_KEY), frozenset({201}), True),
    "bad_json": Kind(
        lambda c, r: c.post(
            "/books",
            content=b'{"title": "x", "author": ',
            headers={"X-API-Key": API_KEY, "Content-Type": "application/json"},
        ),
        frozenset({422}),
        False,
    ),
    "bad_param": Kind(lambda c, r: c.get("/books", params={"limit": 0}), frozenset({422}), False),
    "missing": Kind(lambda c, r: c.get(f"/nowhere/{r.randrange(100)}"), frozenset({404}), False),
    "unauthorized": Kind(_post_book(None), frozenset({401}), False),
}


def parse_mix(text: str) -> dict[str, float]:
    """``"list=30,bad_json=10"`` as weights; every problem reported at once."""
    weights: dict[str, float] = {}
    problems: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        if name not in KINDS:
            problems.append(f"unknown kind {name!r} (kinds: {', '.join(KINDS)})")
            continue
        try:
            weights[name] = float(weight)
        except ValueError:
            problems.append(f"weight of {name!r} is {weight!r}, not a number")
    if not problems and not any(w > 0 for w in weights.values()):
        problems.append("the mix has no kind with a positive weight")
    if problems:
        raise ValueError(f"bad --mix {text!r}: " + "; ".join(problems))
    return weights


@dataclass
class SoakReport:
    duration: float
    concurrency: int
    mix: dict[str, float]
    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)
    warmup: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def error_rate(self) -> float:
        return sum(self.errors.values()) / self.total if self.total else 1.0

    @property
    def invalid_share(self) -> float:
        invalid = sum(n for kind, n in self.requests.items() if not KINDS[kind].valid)
        return invalid / self.total if self.total else 0.0

    def latency_ms(self, quantile: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        cuts = statistics.quantiles(self.latencies, n=1000, method="inclusive")
        return cuts[min(int(quantile * 1000), 999) - 1] * 1000

    def steady_rss(self) -> list[tuple[float, int]]:
        return [(t, rss) for t, rss in self.rss if t >= self.warmup]

    def rss_slope_mib_per_min(self) -> float:
        """Least-squares slope of RSS after the warm-up, in MiB per minute."""
        points = self.steady_rss()
        if len(points) < 3:
            return 0.0
        times = [t for t, _ in points]
        sizes = [rss / MIB for _, rss in points]
        return statistics.linear_regression(times, sizes).slope * 60

    def rss_growth_mib(self) -> float:
        points = self.steady_rss()
        return (points[-1][1] - points[0][1]) / MIB if len(points) >= 2 else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "duration_s": round(self.duration, 1),
            "concurrency": self.concurrency,
            "requests": self.total,
            "requests_per_s": round(self.total / self.duration, 1) if self.duration else 0,
            "invalid_share": round(self.invalid_share, 3),
            "errors": dict(self.errors),
            "error_rate": round(self.error_rate, 6),
            "p50_ms": round(self.latency_ms(0.50), 2),
            "p99_ms": round(self.latency_ms(0.99), 2),
            "max_ms": round(max(self.latencies, default=0) * 1000, 2),
            "rss_start_mib": round(self.rss[0][1] / MIB, 1) if self.rss else None,
            "rss_end_mib": round(self.rss[-1][1] / MIB, 1) if self.rss else None,
            "rss_growth_after_warmup_mib": round(self.rss_growth_mib(), 2),
            "rss_slope_mib_per_min": round(self.rss_slope_mib_per_min(), 3),
        }


async def _client_loop(
    client: httpx.AsyncClient, rng: random.Random, deadline: float, report: SoakReport
) -> None:
    names = list(report.mix)
    weights = [report.mix[n] for n in names]
    while time.monotonic() < deadline:
        name = rng.choices(names, weights)[0]
        kind = KINDS[name]
        start = time.perf_counter()
        try:
            response = await kind.send(client, rng)
            status = response.status_code
        except httpx.HTTPError as exc:
            report.errors[f"{name}: {type(exc).__name__}"] += 1
            report.requests[name] += 1
            continue
        report.latencies.append(time.perf_counter() - start)
        report.requests[name] += 1
        if status not in kind.expected:
            report.errors[f"{name}: {status}"] += 1


async def _sample_rss(server: Server, start: float, deadline: float, report: SoakReport) -> None:
    while True:
        report.rss.append((time.monotonic() - start, server.rss()))
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(RSS_EVERY)


async def soak(
    server: Server,
    *,
    duration: float,
    concurrency: int,
    mix: str = DEFAULT_MIX,
    warmup: float | None = None,
    seed: int = 15,
) -> SoakReport:
    """Run the soak against ``server``; ``warmup`` defaults to a fifth of ``duration``."""
    report = SoakReport(duration, concurrency, parse_mix(mix))
    report.warmup = duration / 5 if warmup is None else warmup
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=server.base, timeout=REQUEST_TIMEOUT, limits=limits
    ) as client:
        start = time.monotonic()
        deadline = start + duration
        loops = [
            _client_loop(client, random.Random(seed + index), deadline, report)
            for index in range(concurrency)
        ]
        await asyncio.gather(_sample_rss(server, start, deadline, report), *loops)
        report.duration = time.monotonic() - start
    return report
