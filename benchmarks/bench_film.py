"""Benchmark: film PL of the default dot ensemble (qdled.dots.film_emission: Foerster master equation over 81 size
classes, dielectric shift, slab reabsorption), budget 0.5 s (issue #18).

Prints the wall time of the NSA-NH4PF6 and OA/OAm films (best of 5, after one warm-up run), the ratio to the
budget, and the ratio to a fixed NumPy reference workload timed on the same machine.

Run: ``.venv/bin/python benchmarks/bench_film.py``
"""

from __future__ import annotations

from _timing import best_time_s, lu_reference_s
from qdled.dots import CALIBRATED, film_emission

BUDGET_S = 0.5


def main() -> None:
    ref = lu_reference_s()
    print(f"reference workload: {ref:.3f} s")
    cases = {
        "NSA-NH4PF6": {},
        "OA/OAm": {"edge_nm": CALIBRATED["control_edge_nm"].value, "ligands": "OA/OAm"},
    }
    for name, kwargs in cases.items():
        film_emission(**kwargs)  # warm-up (imports, refractive-index database, stack)
        t = best_time_s(lambda kwargs=kwargs: film_emission(**kwargs), repeat=5)
        print(f"film {name:10s}: {t:.3f} s  (budget ratio {t / BUDGET_S:.2f}, reference ratio {t / ref:.2f})")


if __name__ == "__main__":
    main()
