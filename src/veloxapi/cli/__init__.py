"""The `velox` command line."""
