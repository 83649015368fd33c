"""The benchmark harness: scenarios, drivers, orchestration and reporting."""
