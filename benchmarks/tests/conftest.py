"""Make the harness (`bench`, `apps`) importable however pytest is started."""

import sys
from pathlib import Path

BENCH_DIR = str(Path(__file__).resolve().parent.parent)
if BENCH_DIR not in sys.path:
    sys.path.insert(0, BENCH_DIR)
