"""README block replacement and the Markdown tables."""

from pathlib import Path

import pytest
from bench.report import END, START, render, replace_block


def _results() -> dict[str, object]:
    metric = {
        "title": "t",
        "unit": "requests/s",
        "frameworks": {
            "veloxapi": {"status": "ok", "median": 6000.0, "samples": [6000.0]},
            "fastapi": {"status": "ok", "median": 1000.0, "samples": [1000.0]},
            "litestar": {"status": "failed", "error": "boom", "median": None, "samples": []},
        },
        "ratios": {"veloxapi/fastapi": 6.0, "veloxapi/litestar": None},
        "target": {
            "goals": {"veloxapi/fastapi": 5.0, "veloxapi/litestar": 2.0},
            "higher_is_better": True,
            "met": None,
        },
    }
    return {
        "generated_at": "2026-01-01T00:00:00+00:00",
        "mode": "quick",
        "wall_seconds": 12.0,
        "settings": {
            "repeats": 1,
            "seconds": 0.3,
            "wrk_seconds": 2,
            "wrk_threads": 2,
            "wrk_connections": 64,
            "startup_runs": 2,
        },
        "machine": {"cpu": "cpu", "cores": 2, "load_average": [0.5, 0.5, 0.5]},
        "versions": {"fastapi": {"fastapi": "0.163.2"}, "wrk": "wrk 4.1.0"},
        "inprocess": {"path_query": metric},
    }


def test_replace_block_keeps_everything_outside_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\nProse naming `{START}` inline.\n{START}\nold\n{END}\nafter\n")
    replace_block(readme, "new table")
    assert readme.read_text() == (
        f"# Title\nProse naming `{START}` inline.\n{START}\nnew table\n{END}\nafter\n"
    )


def test_replace_block_is_idempotent(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"a\n{START}\n{END}\nb\n")
    replace_block(readme, "x")
    once = readme.read_text()
    replace_block(readme, "x")
    assert readme.read_text() == once


def test_replace_block_refuses_a_readme_without_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no markers here\n")
    with pytest.raises(ValueError, match="bench:start"):
        replace_block(readme, "x")
    assert readme.read_text() == "# no markers here\n"


def test_render_shows_medians_ratios_targets_and_failures() -> None:
    text = render(_results(), "results/chart.png")
    row = next(line for line in text.splitlines() if line.startswith("| `path_query`"))
    assert row.split(" | ")[1:4] == ["6,000", "1,000", "failed"]
    assert "6.00x" in row
    assert "not measured" in row  # the Litestar ratio is missing
    assert "- Litestar (inprocess:path_query): `boom`" in text
    assert "Target met in 0 of 1 (1 not measured)." in text
    assert "![benchmark chart](results/chart.png)" in text
