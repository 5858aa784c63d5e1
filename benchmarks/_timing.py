"""Shared timing helpers of the benchmark scripts (imported as a sibling module: scripts run from this folder)."""

from __future__ import annotations

import time

import numpy as np


def best_time_s(fn, repeat: int = 3) -> float:
    """Shortest wall time [s] of ``repeat`` calls of ``fn()``."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def lu_reference_s(repeat: int = 3) -> float:
    """Wall time [s] of a fixed NumPy workload (200 LU solves of a 400x400 dense matrix): a yardstick of the
    machine's speed and load printed beside the timings, so that runs on different machines compare."""
    rng = np.random.default_rng(0)
    a = rng.random((400, 400)) + 400 * np.eye(400)
    b = rng.random(400)

    def work():
        for _ in range(200):
            np.linalg.solve(a, b)

    return best_time_s(work, repeat)
