"""Benchmark: one whole recipe (nucleation to end of purification) with 400 size bins.

Prints the wall time of each built-in recipe (best of 3, after one warm-up run), its ratio to
the 1 s budget, and its ratio to a fixed NumPy reference workload timed on the same machine
(so numbers from different machines can be compared).

Run: ``.venv/bin/python benchmarks/bench_synthesis.py``
"""

from __future__ import annotations

import time

import numpy as np

from qdled.synthesis import simulate

BUDGET_S = 1.0


def _best(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _reference():
    """Fixed workload: 200 LU solves of a 400x400 dense matrix."""
    rng = np.random.default_rng(0)
    a = rng.random((400, 400)) + 400 * np.eye(400)
    b = rng.random(400)
    for _ in range(200):
        np.linalg.solve(a, b)


def main() -> None:
    ref = _best(_reference)
    print(f"reference workload: {ref:.3f} s")
    for name in ("li2024-control", "li2024-nsa-pf6"):
        simulate(name, n_bins=400)  # warm-up (imports, caches)
        t = _best(lambda name=name: simulate(name, n_bins=400))
        print(f"{name:16s} 400 bins: {t:.3f} s  (budget ratio {t / BUDGET_S:.2f}, reference ratio {t / ref:.1f})")


if __name__ == "__main__":
    main()
