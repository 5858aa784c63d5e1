"""Cost of uniaxial layers and an absorbing emitter layer (issue #23), against the isotropic path.

Run manually: ``.venv/bin/python benchmarks/bench_optics_uniaxial.py``. All cases are timed in the same
process, interleaved, best CPU time of several repeats, so the ratios depend little on the machine's load:

1. transfer matrices: ``reflectance_transmittance`` of a 6-layer stack, 61 wavelengths x 400 angles, isotropic
   against the same stack with every layer uniaxial (``n_z``);
2. the default device (li2024), 61 wavelengths x 11 emitter positions x both orientations, all channels:
   isotropic; with TmPyPB, PO-T2T and PTAA uniaxial (n_e = n_o - 0.08); with the absorbing QD layer; both;
   every dielectric layer uniaxial (QD and LiF too), without and with the absorbing QD layer;
3. the isotropic default device through the uniaxial code path (n_z = n), which must equal the isotropic one.

Target (issue #23): anisotropic stack <= 1.5x the isotropic cost; isotropic stacks unchanged.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from qdled.io.stack import default_stack
from qdled.optics.channels import emission
from qdled.optics.outcoupling import emission_zone, geometry, pl_spectrum
from qdled.optics.tmm import reflectance_transmittance


def _cpu_time_s(fn) -> float:
    """CPU time [s] of the process for one call of ``fn()`` (less sensitive than wall time to the other
    processes sharing the machine; NumPy here runs single-threaded)."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def _interleaved(cases: dict, repeat: int) -> dict:
    """Best CPU time [s] of each case, the cases run in turn ``repeat`` times (load drifts hit all alike)."""
    best = dict.fromkeys(cases, np.inf)
    for _ in range(repeat):
        for name, fn in cases.items():
            best[name] = min(best[name], _cpu_time_s(fn))
    return best


def bench_tmm(repeat: int = 7) -> dict:
    rng = np.random.default_rng(0)
    wl = np.linspace(500.0, 750.0, 61)
    n = np.concatenate([np.full((61, 1), 1.5), rng.uniform(1.5, 2.2, (61, 6)) + 0.01j, np.ones((61, 1))], axis=1)
    n_z = n.copy()
    n_z[:, 1:-1] -= 0.1
    d = rng.uniform(10.0, 150.0, 6)
    neff = np.tile(np.linspace(0.0, 1.45, 400), (61, 1))
    cases = {
        "isotropic": lambda: reflectance_transmittance(n, d, neff, wl),
        "uniaxial": lambda: reflectance_transmittance(n, d, neff, wl, n_z=n_z),
    }
    return _interleaved(cases, repeat)


def bench_device(repeat: int = 9) -> dict:
    wl = pl_spectrum(n_points=61).wavelength_nm
    iso = default_stack()
    aniso = iso.with_values({f"{m}.n_e": v for m, v in (("TmPyPB", 1.62), ("PO-T2T", 1.64), ("PTAA", 1.59))})
    absorbing = iso.with_values({"emitter.absorbing": True})
    both = aniso.with_values({"emitter.absorbing": True})
    # worst case: every dielectric layer uniaxial, the emitter too
    every = aniso.with_values({"QD.n_e": 1.95, "QD.k_e": 0.05, "LiF.n_e": 1.35})
    every_abs = every.with_values({"emitter.absorbing": True})
    pos, w = emission_zone(iso)

    def run(stack, force_uniaxial=False):
        geom, n_out, _ = geometry(stack, wl)
        if force_uniaxial:
            geom = dataclasses.replace(geom, n_z=geom.n.copy())
        return lambda: emission(geom, pos, w, n_outside=n_out)

    cases = {
        "isotropic": run(iso),
        "isotropic via uniaxial path": run(iso, True),
        "uniaxial TmPyPB/PO-T2T/PTAA": run(aniso),
        "absorbing emitter": run(absorbing),
        "uniaxial + absorbing emitter": run(both),
        "every layer uniaxial": run(every),
        "every layer uniaxial + absorbing": run(every_abs),
    }
    return _interleaved(cases, repeat)


def main() -> None:
    t = bench_tmm()
    print(
        f"TMM 61 x 400 points, 6 layers: isotropic {t['isotropic'] * 1e3:.1f} ms, uniaxial {t['uniaxial'] * 1e3:.1f} ms"
    )
    print(f"  ratio uniaxial / isotropic: {t['uniaxial'] / t['isotropic']:.2f}")
    d = bench_device()
    base = d["isotropic"]
    print("default device, 61 wavelengths x 11 positions x 2 orientations:")
    for name, s in d.items():
        print(f"  {name:32s} {s:.3f} s   ratio {s / base:.2f}")


if __name__ == "__main__":
    main()
