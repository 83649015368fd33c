"""Draw results/results.json as results/chart.png (matplotlib, run in the bench venv).

python -m bench.chart [--results PATH] [--output PATH]
"""

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from bench.envs import RESULTS_DIR

COLORS = {
    "veloxapi": "#d6452b",
    "batteries": "#f28e6b",
    "fastapi": "#069a8e",
    "fastapi_addons": "#5cc8b8",
    "litestar": "#f0b429",
    "floor": "#8a8a8a",
}
LABELS = {
    "veloxapi": "veloxapi",
    "batteries": "veloxapi + all batteries",
    "fastapi": "FastAPI",
    "fastapi_addons": "FastAPI + add-ons",
    "litestar": "Litestar",
    "floor": "floor (hand-written ASGI)",
}


def _median(metric: dict[str, Any], framework: str) -> float:
    result = metric["frameworks"].get(framework)
    return float(result["median"]) if result and result["median"] else 0.0


def _bars(ax: Axes, section: dict[str, Any], title: str, xlabel: str, log: bool) -> None:
    frameworks = [fw for fw in COLORS if any(fw in m["frameworks"] for m in section.values())]
    names = list(section)
    height = 0.8 / max(len(frameworks), 1)
    for slot, framework in enumerate(frameworks):
        positions = [row + slot * height for row in range(len(names))]
        values = [_median(section[name], framework) for name in names]
        ax.barh(positions, values, height, color=COLORS[framework], label=LABELS[framework])
    ax.set_yticks([row + 0.4 - height / 2 for row in range(len(names))], names)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    if log:
        ax.set_xscale("log")
    _mark_failures(ax, section, frameworks, height)


def _mark_failures(ax: Axes, section: dict[str, Any], frameworks: list[str], height: float) -> None:
    """Write 'failed' where a framework has no bar because its measurement failed."""
    left = ax.get_xlim()[0]
    for row, metric in enumerate(section.values()):
        for slot, framework in enumerate(frameworks):
            result = metric["frameworks"].get(framework)
            if result is not None and result["status"] == "failed":
                ax.text(
                    left,
                    row + slot * height,
                    f" {LABELS[framework]}: failed",
                    va="center",
                    fontsize=7,
                    color=COLORS[framework],
                )
    ax.grid(axis="x", alpha=0.3)


def _relative_startup(section: dict[str, Any]) -> dict[str, Any]:
    """Start-up measures as a multiple of FastAPI's (so they share one axis)."""
    out = {}
    for name, metric in section.items():
        base = _median(metric, "fastapi")
        frameworks = {
            fw: {**result, "median": (_median(metric, fw) / base) if base else None}
            for fw, result in metric["frameworks"].items()
        }
        out[name] = {"frameworks": frameworks}
    return out


def draw(results: dict[str, Any], output: Path) -> None:
    panels = [kind for kind in ("inprocess", "http", "startup") if kind in results]
    heights = [max(len(results[kind]), 2) + 1 for kind in panels]
    figure, axes = plt.subplots(
        len(panels),
        1,
        figsize=(10, sum(heights) * 0.55 + 1.5),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, kind in zip(axes[:, 0], panels, strict=True):
        if kind == "inprocess":
            _bars(
                ax, results[kind], "In-process (ASGI app called directly)", "requests/s (log)", True
            )
        elif kind == "http":
            _bars(
                ax,
                results[kind],
                "Over HTTP: uvicorn + wrk, 2 shared cores",
                "requests/s (log)",
                True,
            )
        else:
            _bars(
                ax,
                _relative_startup(results[kind]),
                "500-route app (lower is better)",
                "multiple of FastAPI",
                False,
            )
    axes[0, 0].legend(loc="lower right", fontsize=8)
    figure.suptitle(f"veloxapi benchmarks ({results['mode']} run, {results['generated_at']})")
    figure.tight_layout(rect=(0, 0, 1, 0.98))
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=110)
    print(f"wrote {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS_DIR / "results.json")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "chart.png")
    args = parser.parse_args()
    draw(json.loads(args.results.read_text()), args.output)


if __name__ == "__main__":
    main()
