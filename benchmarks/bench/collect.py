"""Samples per (scenario, framework), their medians, and veloxapi's ratios to the others."""

import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.targets import evaluate

COMPARED = ("fastapi", "litestar", "floor")


@dataclass
class Series:
    samples: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def as_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {
                "status": "failed",
                "error": self.error,
                "median": None,
                "samples": self.samples,
            }
        if not self.samples:
            return {"status": "ok", "median": None, "samples": []}
        median = statistics.median(self.samples)
        spread = (max(self.samples) - min(self.samples)) / median if median else None
        return {"status": "ok", "median": median, "spread": spread, "samples": self.samples}


@dataclass
class Table:
    """Series for each metric (a scenario name, or a start-up measure) and framework."""

    unit: str
    series: dict[str, dict[str, Series]] = field(default_factory=dict)

    def get(self, metric: str, framework: str) -> Series:
        return self.series.setdefault(metric, {}).setdefault(framework, Series())

    def as_json(self, kind: str, titles: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for metric, by_framework in self.series.items():
            results = {name: series.as_json() for name, series in by_framework.items()}
            metric_ratios = ratios(results)
            out[metric] = {
                "title": titles.get(metric, metric),
                "unit": self.unit,
                "frameworks": results,
                "ratios": metric_ratios,
                "target": evaluate(kind, metric, metric_ratios),
            }
        return out


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """veloxapi's median divided by each other framework's median (None when either is
    missing), and "veloxapi + batteries" divided by "FastAPI + add-ons"."""
    velox = results.get("veloxapi", {}).get("median")
    out: dict[str, float | None] = {}
    for other in COMPARED:
        theirs = results.get(other, {}).get("median")
        if other in results:
            out[f"veloxapi/{other}"] = velox / theirs if velox and theirs else None
    if "batteries" in results and "fastapi_addons" in results:
        ours, theirs = results["batteries"].get("median"), results["fastapi_addons"].get("median")
        out["batteries/fastapi_addons"] = ours / theirs if ours and theirs else None
    return out


def rotated(frameworks: list[str], turn: int) -> list[str]:
    """The frameworks in a different order each turn, so none always runs first."""
    k = turn % len(frameworks)
    return frameworks[k:] + frameworks[:k]
