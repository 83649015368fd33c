"""``velox openapi``: write the app's OpenAPI document as JSON or YAML.

YAML needs PyYAML (the ``yaml`` extra): a correct YAML emitter (quoting of
keys like ``'200'``, ``on``/``yes``, multi-line descriptions, unicode) is more
than a few lines, and PyYAML is the standard, well-kept one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from veloxapi.cli._app_options import app_arguments, load


def _yaml(document: dict[str, Any]) -> str:
    try:
        import yaml
    except ImportError as exc:
        raise click.ClickException(
            'YAML output needs PyYAML: pip install "veloxapi[yaml]" (or leave out --yaml)'
        ) from exc
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text


@click.command()
@app_arguments
@click.option("--yaml", "as_yaml", is_flag=True, help="YAML instead of JSON.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def openapi(
    path: str | None, app_name: str | None, compat: bool, as_yaml: bool, output: Path | None
) -> None:
    """Export the app's OpenAPI document (the one served at /openapi.json)."""
    app, _ = load(path, app_name, compat)
    if not callable(getattr(app, "openapi", None)):
        raise click.ClickException(f"{type(app).__name__} has no openapi() method")
    document = app.openapi()
    text = _yaml(document) if as_yaml else json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}", err=True)


__all__ = ["openapi"]
