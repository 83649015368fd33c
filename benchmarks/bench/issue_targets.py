"""The engine and batteries issues' wall-clock targets, evaluated on one run's results.

Rendered under the wall-clock tables (``bench.report``). Each target is a minimum ratio
of two frameworks' medians, in-process and over HTTP. Where a target compares with
another framework, the floor's own ratio to it is shown beside it: the floor does only
the work the app requires, so no framework doing that work can reach a target the
floor itself misses.
"""

import math
from dataclasses import dataclass
from typing import Any

from bench.scenarios import BY_NAME

KINDS = (("inprocess", "in-process"), ("http", "over HTTP"))


@dataclass(frozen=True)
class Target:
    title: str
    numerator: str
    denominator: str
    goal: float
    scenarios: tuple[str, ...] | None  # None: every JSON scenario
    kinds: tuple[str, ...] = ("inprocess", "http")
    bound: str | None = None  # the denominator's display name: the floor's ratio is shown


TARGETS = (
    Target(
        "all batteries on >= 0.6x bare veloxapi",
        "batteries",
        "veloxapi",
        0.6,
        ("path_query", "dependencies", "plain_dict"),
    ),
    Target(
        "veloxapi + batteries >= 3x FastAPI + add-ons, JSON scenarios",
        "batteries",
        "fastapi_addons",
        3.0,
        None,
        bound="FastAPI + add-ons",
    ),
    Target(
        "veloxapi >= 0.9x the floor",
        "veloxapi",
        "floor",
        0.9,
        ("path_query", "nested_body", "dependencies", "plain_dict"),
        kinds=("inprocess",),
    ),
    Target(
        "veloxapi >= 0.8x the floor over HTTP, JSON scenarios",
        "veloxapi",
        "floor",
        0.8,
        None,
        kinds=("http",),
    ),
    Target(
        "veloxapi >= 2x Litestar, HTTP scenarios",
        "veloxapi",
        "litestar",
        2.0,
        None,
        bound="Litestar",
    ),
    Target(
        "veloxapi >= 1.5x Litestar, WebSocket echo",
        "veloxapi",
        "litestar",
        1.5,
        ("websocket_echo",),
        bound="Litestar",
    ),
)


def _median(results: dict[str, Any], kind: str, scenario: str, framework: str) -> float | None:
    metric = results.get(kind, {}).get(scenario)
    found = None if metric is None else metric["frameworks"].get(framework)
    if found is None or found.get("status") != "ok":
        return None
    value: float = found["median"]
    return value


def _ratio(
    results: dict[str, Any], kind: str, scenario: str, top: str, bottom: str
) -> float | None:
    a, b = _median(results, kind, scenario, top), _median(results, kind, scenario, bottom)
    return None if a is None or not b else a / b


def _scenarios(results: dict[str, Any], target: Target) -> list[str]:
    if target.scenarios is not None:
        return list(target.scenarios)
    names = {name for kind in target.kinds for name in results.get(kind, {})}
    ordered = [name for name in BY_NAME if name in names]
    if target.denominator == "litestar":  # every HTTP scenario, `def` ones included
        return [name for name in ordered if BY_NAME[name].kind == "http"]
    return [name for name in ordered if BY_NAME[name].json_target]


def _cell(value: float | None, goal: float) -> str:
    if value is None:
        return "—"
    shown = f"{math.floor(value * 100) / 100:.2f}x"  # rounded down: 0.796 is not 0.80
    return shown if value >= goal else f"**{shown}**"


def render(results: dict[str, Any]) -> list[str]:
    """Markdown lines: one table per target, ratios below the goal in bold."""
    lines = [
        "**The engine and batteries issues' targets, by wall clock (the same runs; a ratio"
        " below its goal is in bold)**",
    ]
    met = total = 0
    for target in TARGETS:
        kinds = [(kind, label) for kind, label in KINDS if kind in target.kinds and kind in results]
        scenarios = [
            s for s in _scenarios(results, target) if any(s in results[k] for k, _ in kinds)
        ]
        if not kinds or not scenarios:
            continue
        header = ["Scenario", *(label for _, label in kinds)]
        if target.bound is not None:
            header += [f"floor / {target.bound}, {label}" for _, label in kinds]
        lines += ["", f"{target.title}:", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        for scenario in scenarios:
            ratios = [
                _ratio(results, kind, scenario, target.numerator, target.denominator)
                for kind, _ in kinds
            ]
            row = [f"`{scenario}`", *(_cell(value, target.goal) for value in ratios)]
            if target.bound is not None:
                row += [
                    _cell(
                        _ratio(results, kind, scenario, "floor", target.denominator),
                        target.goal,
                    )
                    for kind, _ in kinds
                ]
            lines.append("| " + " | ".join(row) + " |")
            measured = [value for value in ratios if value is not None]
            total += len(measured)
            met += sum(value >= target.goal for value in measured)
    lines += ["", f"Met in {met} of {total} measured ratios."]
    return lines
