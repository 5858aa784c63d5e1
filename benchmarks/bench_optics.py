"""Benchmarks of qdled.optics (run manually: `.venv/bin/python benchmarks/bench_optics.py`).

1. Transfer matrices per (wavelength, angle) point: vectorised qdled.optics.tmm against the
   `tmm` package (tmm.coh_tmm called in a Python loop). Target: >= 100x.
2. The default device (li2024) with a full EL spectrum (61 wavelengths) x 11 emitter
   positions x both orientations, all channels. Target: < 1 s on 2 cores.
"""

from __future__ import annotations

import time

import numpy as np


def _best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_tmm() -> None:
    import tmm

    from qdled.io.stack import default_stack
    from qdled.optics.outcoupling import geometry
    from qdled.optics.tmm import reflect_transmit

    stack = default_stack()
    wl = np.linspace(560.0, 700.0, 61)
    geom, _, _ = geometry(stack, wl)
    n = geom.n.copy()
    n[:, 0] = n[:, 0].real
    theta = np.linspace(0, 1.5, 200)
    neff = n[:, :1].real * np.sin(theta)[None, :]
    d = geom.thickness_nm

    def ours():
        for pol in ("s", "p"):
            reflect_transmit(pol, n, d, neff, wl)

    n_points = 2 * neff.size
    t_ours = _best(ours) / n_points
    sub = [(i, k) for i in range(0, len(wl), 6) for k in range(0, len(theta), 10)]

    def theirs():
        for pol in ("s", "p"):
            for i, k in sub:
                tmm.coh_tmm(pol, list(n[i]), [np.inf, *d, np.inf], theta[k], wl[i])

    t_tmm = _best(theirs, repeat=1) / (2 * len(sub))
    print(
        f"transfer matrix per point: qdled {t_ours * 1e6:.2f} us, "
        f"tmm.coh_tmm {t_tmm * 1e6:.1f} us, ratio {t_tmm / t_ours:.0f}x"
    )


def bench_device() -> None:
    from qdled.io.stack import default_stack
    from qdled.optics import pl_spectrum, stack_emission

    stack = default_stack()
    wl, _ = pl_spectrum(n_points=61)
    stack_emission(stack, wl)  # warm-up: material database loading and caches
    t = _best(lambda: stack_emission(stack, wl))
    em = stack_emission(stack, wl)
    print(
        f"default device, {len(wl)} wavelengths x 11 positions x 2 orientations: {t:.3f} s "
        f"(quadrature error {em.error:.1e})"
    )


if __name__ == "__main__":
    bench_tmm()
    bench_device()
