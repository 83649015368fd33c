"""``velox routes``: the app's routes with methods, path, name and the batteries that apply."""

from __future__ import annotations

import json

import click

from veloxapi.cli._app_options import app_arguments, load
from veloxapi.cli._route_info import RouteInfo, route_table


def _table(rows: list[RouteInfo]) -> str:
    header = ("METHODS", "PATH", "NAME", "BATTERIES")
    lines = [(",".join(r.methods), r.path, r.name, ", ".join(r.batteries) or "-") for r in rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line[:3], widths, strict=True))
        + "  "
        + line[3]
        for line in [header, *lines]
    )


@click.command()
@app_arguments
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def routes(path: str | None, app_name: str | None, compat: bool, as_json: bool) -> None:
    """List the app's routes: methods, path, name, and batteries (auth, rate limit, cache,
    deprecation) that apply to each."""
    app, _ = load(path, app_name, compat)
    rows = route_table(app)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        click.echo(_table(rows))


__all__ = ["routes"]
