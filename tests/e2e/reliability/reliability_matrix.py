"""How a hostile case is run and judged: one case, then the checks every case must pass.

A :class:`Case` sends something hostile and documents what the server answers
today (``answers``). After it, the checks: the answer is documented and not a
5xx, the app answered no 5xx and let no exception escape, the server log has
no traceback, no body shows internal text, no response stream is left open,
the answer came in bounded time, and the server still serves a normal request.

A case the framework does not handle well yet carries a :class:`Gap`: which
component must fix it, what it will answer then, and which checks fail until
then. The pytest suite documents today's outcome with those checks excused,
and asserts the target in a strict ``xfail`` test that starts failing (XPASS)
the day the owner fixes it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from reliability_app import CONFIGS
from reliability_server import Server
from reliability_wire import Outcome

# Checks, by kind.
ANSWER = "answer"  # not one of the documented answers
SERVER_ERROR = "5xx"  # a 5xx to the client, or sent by the app
ESCAPED = "escaped"  # an exception escaped the app (the server logs a traceback)
TRACEBACK = "traceback"  # a traceback in the server log
LEAK = "leak"  # internal text in a client-visible body
DOWN = "down"  # the server stopped serving
SLOW = "slow"  # no answer (or close) within the case's bound
STREAM = "stream"  # a response generator left open

INTERNAL_TEXT = [
    re.compile(pattern)
    for pattern in (
        r"Traceback \(most recent call last\)",
        r'File "[^"]+", line \d+',
        r"\b\w+\.py\b",
        r"site-packages",
        r"\b[A-Z][A-Za-z]*(Error|Exception)\b",  # a class name: ValueError, ClientDisconnect...
        r"<[\w.]+ object at 0x[0-9a-f]+>",
        r"<class '",
        r"[Ss]eriali[sz]",
        r"[Rr]ecursion",
        r"(?i)maximum .*depth",
        r"root:x:0:0",  # /etc/passwd, served through a traversal
    )
]


@dataclass(frozen=True)
class Gap:
    """What a component must still fix about a case."""

    owner: str
    """Who fixes it: ``engine`` (request pipeline) or ``cli`` (``velox run`` server settings)."""
    what: str
    target: frozenset[int | None]
    """What the server should answer once fixed."""
    excuses: frozenset[str]
    """The checks that fail until then."""
    configs: tuple[str, ...] = CONFIGS
    """The configurations in which the gap shows."""
    within: float | None = None
    """The bound on the answer once fixed, when it is part of the gap."""


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    send: Callable[[Server], Outcome]
    answers: frozenset[int | None]
    """Today's answers (``None``: the server closes without an HTTP answer)."""
    within: float = 10.0
    gap: Gap | None = None
    configs: tuple[str, ...] = CONFIGS

    def gap_in(self, config: str) -> Gap | None:
        return self.gap if self.gap is not None and config in self.gap.configs else None


@dataclass
class Result:
    case: Case
    config: str
    outcome: Outcome
    problems: list[tuple[str, str]] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.problems}

    def unexcused(self) -> list[tuple[str, str]]:
        """Problems not explained by the case's known gap in this configuration."""
        gap = self.case.gap_in(self.config)
        excused = gap.excuses if gap is not None else frozenset()
        return [(kind, text) for kind, text in self.problems if kind not in excused]

    def target_problems(self) -> list[tuple[str, str]]:
        """What still keeps the case from its gap's target (empty once the owner fixed it)."""
        gap = self.case.gap_in(self.config)
        assert gap is not None
        found = [(k, t) for k, t in self.problems if k != ANSWER]
        if self.outcome.status not in gap.target:
            found.append((ANSWER, f"answered {self.outcome.status}, target {sorted_answers(gap)}"))
        if gap.within is not None and self.outcome.elapsed > gap.within:
            found.append((SLOW, f"took {self.outcome.elapsed:.1f} s, target {gap.within:g} s"))
        return found


def sorted_answers(gap: Gap) -> list[str]:
    return sorted(str(a) for a in gap.target)


def internal_text(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m.group(0) for p in INTERNAL_TEXT if (m := p.search(text))]


def still_serving(server: Server) -> bool:
    try:
        response = httpx.get(f"{server.base}/books", params={"limit": 1}, timeout=5.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def run_case(server: Server, case: Case) -> Result:
    """Send ``case`` to ``server`` and collect every check that failed."""
    before = server.wait_idle()
    server.new_log()
    try:
        outcome = case.send(server)
    except (OSError, httpx.HTTPError) as exc:
        outcome = Outcome(None, b"", case.within, f"client error: {type(exc).__name__}")
    serving = still_serving(server)
    after = server.wait_idle(streams=int(before["streams_open"]))
    time.sleep(0.1)  # the server logs an escaped exception after the app returns
    result = Result(case, server.config, outcome)
    _judge(result, before, after, server.new_log(), serving)
    return result


def _judge(
    result: Result, before: dict[str, object], after: dict[str, object], log: str, serving: bool
) -> None:
    outcome, case, add = result.outcome, result.case, result.problems.append
    if outcome.status not in case.answers:
        add((ANSWER, f"answered {outcome.status}, documented {sorted(map(str, case.answers))}"))
    if outcome.status is not None and outcome.status >= 500:
        add((SERVER_ERROR, f"client got {outcome.status}"))
    sent = _new_server_errors(before["statuses"], after["statuses"])  # type: ignore[arg-type]
    if sent:
        add((SERVER_ERROR, f"app sent {sent}"))
    escaped = after["errors"][len(before["errors"]) :]  # type: ignore[index]
    if escaped:
        add((ESCAPED, f"escaped the app: {escaped}"))
    if "Traceback" in log or "Exception in ASGI application" in log:
        add((TRACEBACK, "traceback in the server log"))
    leaked = internal_text(outcome.body)
    if leaked:
        add((LEAK, f"internal text in the body: {leaked}"))
    left_open = after["streams_open"] - before["streams_open"]  # type: ignore[operator]
    if left_open:
        add((STREAM, f"{left_open} response stream(s) left open"))
    if outcome.elapsed > case.within:
        add((SLOW, f"took {outcome.elapsed:.1f} s, bound {case.within:g} s"))
    if not serving:
        add((DOWN, "the server stopped serving"))


def _new_server_errors(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        code: count - before.get(code, 0)
        for code, count in after.items()
        if code.startswith("5") and count > before.get(code, 0)
    }
