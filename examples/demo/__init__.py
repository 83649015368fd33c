"""Inventory: a demo service built on veloxapi and its batteries (see examples/README.md)."""
