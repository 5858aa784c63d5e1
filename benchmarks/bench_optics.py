"""Benchmarks of qdled.optics (run manually: `.venv/bin/python benchmarks/bench_optics.py`).

1. Transfer matrices per (wavelength, angle, polarisation) point: vectorised
   qdled.optics.tmm.reflectance_transmittance (both polarisations in one call, sharing kz and
   the phase factors) against the `tmm` package (tmm.coh_tmm called in a Python loop, once per
   polarisation). Target (issue #21): >= 500x. With numba installed this is the compiled kernel
   (qdled.optics._tmm_numba); the NumPy reference path is timed beside it, and the first call
   (numba import plus compilation, or loading the compiled code from numba's cache) is reported.
2. The default device (li2024) with a full EL spectrum (61 wavelengths) x 11 emitter
   positions x both orientations, all channels. Target (issue #21): < 0.3 s.
3. One single-wavelength evaluation of the default device (``qdled optics``), and the same
   per stack when 64 stacks are solved together (:func:`qdled.optics.sweep.points_values`).

Timings are the best of several repeats; the machine is shared, so each run also prints the
time of a fixed NumPy reference workload (complex exp of 2e6 numbers): divide by it to compare
runs made under different loads.
"""

from __future__ import annotations

import time

import numpy as np

from _timing import best_time_s


def reference_workload() -> float:
    """Seconds for a fixed NumPy workload (machine-load yardstick printed beside the timings)."""
    z = np.linspace(0, 1, 2_000_000) * (1 + 1j)
    return best_time_s(lambda: np.exp(z), repeat=7)


def bench_tmm() -> float:
    import tmm

    from qdled.io.stack import default_stack
    from qdled.optics import tmm as qtmm
    from qdled.optics.outcoupling import geometry
    from qdled.optics.tmm import reflectance_transmittance, reflectance_transmittance_numpy

    stack = default_stack()
    wl = np.linspace(560.0, 700.0, 61)
    geom, _, _ = geometry(stack, wl)
    n = geom.n.copy()
    n[:, 0] = n[:, 0].real
    theta = np.linspace(0, 1.5, 200)
    neff = n[:, :1].real * np.sin(theta)[None, :]
    d = geom.thickness_nm

    def ours():
        reflectance_transmittance(n, d, neff, wl)

    n_points = 2 * neff.size  # (wavelength, angle, polarisation)
    t0 = time.perf_counter()
    ours()
    t_first = time.perf_counter() - t0
    t_ours = best_time_s(ours, repeat=7) / n_points
    t_numpy = best_time_s(lambda: reflectance_transmittance_numpy(n, d, neff, wl), repeat=7) / n_points
    sub = [(i, k) for i in range(0, len(wl), 6) for k in range(0, len(theta), 10)]

    def theirs():
        for pol in ("s", "p"):
            for i, k in sub:
                tmm.coh_tmm(pol, list(n[i]), [np.inf, *d, np.inf], theta[k], wl[i])

    t_tmm = best_time_s(theirs, repeat=2) / (2 * len(sub))
    print(
        f"transfer matrix per point: qdled ({qtmm.BACKEND}) {t_ours * 1e6:.3f} us, "
        f"tmm.coh_tmm {t_tmm * 1e6:.1f} us, ratio {t_tmm / t_ours:.0f}x; NumPy reference path "
        f"{t_numpy * 1e6:.3f} us ({t_tmm / t_numpy:.0f}x); first call {t_first:.2f} s"
    )
    return t_tmm / t_ours


def bench_device() -> float:
    from qdled.io.stack import default_stack
    from qdled.optics import pl_spectrum, stack_emission

    stack = default_stack()
    wl, _ = pl_spectrum(n_points=61)
    stack_emission(stack, wl)  # warm-up: material database loading and caches
    t = best_time_s(lambda: stack_emission(stack, wl))
    em = stack_emission(stack, wl)
    print(
        f"default device, {len(wl)} wavelengths x 11 positions x 2 orientations: {t:.3f} s "
        f"(quadrature error {em.error:.1e})"
    )
    return t


def bench_point() -> None:
    from qdled.io.stack import default_stack
    from qdled.optics.sweep import point_values, points_values

    base = default_stack()
    stacks = [
        base.with_values({"QD.thickness_nm": a, "PO-T2T.thickness_nm": b})
        for a in np.linspace(10, 70, 8)
        for b in np.linspace(10, 90, 8)
    ]
    point_values(base)
    t_one = best_time_s(lambda: point_values(base), repeat=10)
    t_batch = best_time_s(lambda: points_values(stacks), repeat=3) / len(stacks)
    print(
        f"default device at 628 nm: {t_one * 1e3:.2f} ms one stack at a time, "
        f"{t_batch * 1e3:.2f} ms per stack in batches of {len(stacks)}"
    )


if __name__ == "__main__":
    print(f"reference workload (complex exp of 2e6 numbers): {reference_workload() * 1e3:.1f} ms")
    bench_tmm()
    bench_device()
    bench_point()
    print(f"reference workload (complex exp of 2e6 numbers): {reference_workload() * 1e3:.1f} ms")
