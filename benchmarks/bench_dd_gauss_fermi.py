"""Benchmark: cost of Gauss-Fermi statistics (DOS width sigma > 0) in the drift-diffusion solver.

Solves the default LED (li2024-nsa-pf6, ~500 nodes) 0-8 V with ``organic_dos_width_eV`` = 0 (single-level
Fermi-Dirac, closed form) and 0.08 eV (quadrature of the Gauss-Fermi integral in PTAA, TmPyPB and PO-T2T), in the
same process, the two cases interleaved, best of 3 after a warm-up; prints the curve times, their ratio, the
Newton iterations and the cost of one residual + Jacobian assembly.

Run: ``.venv/bin/python benchmarks/bench_dd_gauss_fermi.py`` (``taskset -c 0`` for one core)
"""

from __future__ import annotations

import time

import numpy as np

from qdled.device.dd import DriftDiffusionSettings, solve_jv, structure_from_parameters
from qdled.device.dd import solver as dd_solver
from qdled.device.parameters import device_parameters

WIDTHS_EV = (0.0, 0.08)


def _best(fns, repeat=3):
    """Best wall time [s] of each of ``fns`` (interleaved, after one warm-up call each) and their last outputs."""
    outs = [fn() for fn in fns]
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            outs[k] = fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best, outs


def _assembly(width_eV, V=5.0):
    """One residual + Jacobian assembly of the LED at a state solved at ``V``."""
    p = device_parameters("li2024-nsa-pf6")
    settings = DriftDiffusionSettings(organic_dos_width_eV=width_eV)
    s = structure_from_parameters(p, settings)
    g = dd_solver._grid(s, 500, settings.interface_gap_nm * 1e-9)
    sysm = dd_solver._System(s, g)
    x = g.mesh.x_m / g.mesh.x_m[-1]
    X = np.zeros(3 * sysm.N)
    psi0, psiL = sysm.boundary(V)
    X[0::3] = psi0 + (psiL - psi0) * x
    X[1::3] = 0.6 * V * (1 - x)
    X[2::3] = 0.8 * V * (1 - x) + 0.2
    return lambda: sysm.residual_jacobian(X, V)


def main() -> None:
    p = device_parameters("li2024-nsa-pf6")
    for dv in (0.1, 0.25):
        V = np.round(np.arange(0.0, 8.0 + 1e-9, dv), 10)
        fns = [
            lambda w=w, V=V: solve_jv(p, V, n_nodes=500, settings=DriftDiffusionSettings(organic_dos_width_eV=w))
            for w in WIDTHS_EV
        ]
        t, r = _best(fns)
        for w, tk, rk in zip(WIDTHS_EV, t, r, strict=True):
            print(
                f"J-V 0-8 V, {V.size} voltages, sigma_organic = {w:.2f} eV: {tk:.2f} s "
                f"({1e3 * tk / V.size:.1f} ms per voltage, {rk.newton_iterations.sum()} Newton iterations)"
            )
        print(f"   ratio sigma = 0.08 eV / sigma = 0: {t[1] / t[0]:.2f}")
    t, _ = _best([_assembly(w) for w in WIDTHS_EV], repeat=20)
    print(
        f"one residual + Jacobian assembly: {1e3 * t[0]:.2f} ms (sigma = 0), {1e3 * t[1]:.2f} ms (0.08 eV), "
        f"ratio {t[1] / t[0]:.2f}"
    )


if __name__ == "__main__":
    main()
