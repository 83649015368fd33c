"""The ``velox`` command: its subcommands live in the modules of this package."""
