"""Run phase: one request through a compiled plan (inputs, steps, cleanup, response)."""
