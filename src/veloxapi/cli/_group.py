"""A click group whose subcommands are imported on demand from :data:`COMMANDS`."""

from __future__ import annotations

import importlib

import click

from veloxapi.cli._commands import COMMANDS


class LazyGroup(click.Group):
    """Lists the commands of a ``name -> "module:attribute"`` table, imports one when used.

    Help for the group shows each command's name only (importing every
    command to read its short help would defeat the laziness); ``velox CMD
    --help`` shows the full help of one command.
    """

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        return _load(cmd_name, target)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if names:
            with formatter.section("Commands"):
                formatter.write_text(", ".join(names))
                formatter.write_text("Run 'velox COMMAND --help' for a command's options.")


def _load(name: str, target: str) -> click.Command:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        # The command's module names the extra it needs in its own ImportError message.
        raise click.ClickException(f"'velox {name}' is unavailable: {exc}") from exc
    command = getattr(module, attribute, None)
    if not isinstance(command, click.Command):
        raise click.ClickException(
            f"'velox {name}' is registered as {target!r}, which is not a click command; "
            "fix the entry in veloxapi/cli/_commands.py"
        )
    return command


def build_cli() -> click.Group:
    """The ``velox`` command with every subcommand of :data:`COMMANDS`."""
    return LazyGroup(
        name="velox",
        help="Develop, serve, inspect and scaffold veloxapi applications.",
        lazy_commands=COMMANDS,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


__all__ = ["LazyGroup", "build_cli"]
