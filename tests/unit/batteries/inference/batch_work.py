"""A batched function at module level, so worker processes can import it."""

from __future__ import annotations

import os

from veloxapi.batteries.inference import batched


@batched(max_batch_size=8, max_wait_ms=50, run_in="process")
def tag_with_pid(items: list[int]) -> list[tuple[int, int]]:
    return [(item * 3, os.getpid()) for item in items]
