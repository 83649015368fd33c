"""The ``velox`` command line."""
