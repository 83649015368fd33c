"""``velox sbom``: the software bill of materials of the environment an app runs in."""

from __future__ import annotations

from pathlib import Path

import click

_MISSING_EXTRA = 'velox sbom needs the "sbom" extra: pip install "veloxapi[sbom]"'


@click.command()
@click.option(
    "--package",
    "subject",
    default="veloxapi",
    show_default=True,
    help="The installed distribution the BOM describes (your app's own, if installed).",
)
@click.option("--soup", is_flag=True, help="Print a draft SOUP record per direct dependency.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def sbom(subject: str, soup: bool, output: Path | None) -> None:
    """Every installed distribution as CycloneDX 1.6 JSON (or SOUP drafts with --soup)."""
    try:
        text = _soup(subject) if soup else _cyclonedx(subject)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from exc
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def _soup(subject: str) -> str:
    try:
        from veloxapi._sbom.inventory import find, installed
        from veloxapi._sbom.soup import direct_records, render
    except ImportError as exc:
        raise click.ClickException(_MISSING_EXTRA) from exc
    packages = installed()
    return render(direct_records(find(subject, packages), packages))


def _cyclonedx(subject: str) -> str:
    try:
        from veloxapi._sbom.cyclonedx import build_bom, to_json
        from veloxapi._sbom.inventory import find, installed
    except ImportError as exc:
        raise click.ClickException(_MISSING_EXTRA) from exc
    packages = installed()
    return to_json(build_bom(find(subject, packages), packages))
