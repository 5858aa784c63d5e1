"""Benchmark: one whole recipe (nucleation to end of purification) with 400 size bins.

Prints the wall time of each built-in recipe (best of 3, after one warm-up run), its ratio to
the 1 s budget, and its ratio to a fixed NumPy reference workload timed on the same machine
(so numbers from different machines can be compared).

Run: ``.venv/bin/python benchmarks/bench_synthesis.py``
"""

from __future__ import annotations

from _timing import best_time_s, lu_reference_s
from qdled.synthesis import simulate

BUDGET_S = 1.0


def main() -> None:
    ref = lu_reference_s()
    print(f"reference workload: {ref:.3f} s")
    for name in ("li2024-control", "li2024-nsa-pf6"):
        simulate(name, n_bins=400)  # warm-up (imports, caches)
        t = best_time_s(lambda name=name: simulate(name, n_bins=400))
        print(f"{name:16s} 400 bins: {t:.3f} s  (budget ratio {t / BUDGET_S:.2f}, reference ratio {t / ref:.1f})")


if __name__ == "__main__":
    main()
