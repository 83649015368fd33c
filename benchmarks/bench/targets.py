"""The issue's targets, evaluated on the ratios of one run.

In-process: veloxapi >= 5x FastAPI and >= 2x Litestar in every scenario.
Over HTTP: veloxapi >= 2.5x FastAPI in the JSON scenarios.
Start-up, memory and OpenAPI time for 500 routes: veloxapi no worse than FastAPI.
"""

from typing import Any

from bench.scenarios import BY_NAME


def goals(kind: str, metric: str) -> tuple[dict[str, float], bool]:
    """The minimum (or, for start-up measures, maximum) ratio per comparison, and
    whether higher is better. No goals means the metric has no target."""
    if kind == "inprocess":
        return {"veloxapi/fastapi": 5.0, "veloxapi/litestar": 2.0}, True
    if kind == "http":
        scenario = BY_NAME.get(metric)
        return ({"veloxapi/fastapi": 2.5} if scenario and scenario.json_target else {}), True
    return {"veloxapi/fastapi": 1.0}, False


def evaluate(kind: str, metric: str, ratios: dict[str, float | None]) -> dict[str, Any]:
    """{"goals", "higher_is_better", "met"}; met is None when there is no target or a
    ratio it needs is missing (a failed measurement)."""
    wanted, higher = goals(kind, metric)
    values = [ratios.get(key) for key in wanted]
    met: bool | None = None
    if wanted and all(value is not None for value in values):
        met = all(
            (value >= goal) if higher else (value <= goal)
            for value, goal in zip(values, wanted.values(), strict=True)
            if value is not None
        )
    return {"goals": wanted, "higher_is_better": higher, "met": met}
