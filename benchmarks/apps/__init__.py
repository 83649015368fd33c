"""Benchmark applications: one per framework style, all serving the same endpoints."""
