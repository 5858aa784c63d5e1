"""Regenerate tests/fixtures/optics/uniaxial_rt_generaltmm.json: R and T of random uniaxial stacks.

Independent reference: the 4x4 (Berreman / Hodgkinson-Kassam-Wu) transfer-matrix package GeneralTmm
(PyPI ``generaltmm``, MIT, https://github.com/ardiloot/GeneralTmm), which solves the full 4x4 problem with
eigenmodes of each anisotropic layer rather than the 2x2 uniaxial reduction of ``qdled.optics.tmm``.
GeneralTmm's frame has x along the layer normal, so a uniaxial layer with its optic axis along the normal
is ``AddLayer(d, n_e, n_o, n_o, psi=0, xi=0)``. Its ``R11``/``T31`` are p (TM) and ``R22``/``T42`` s (TE).

Run: ``.venv/bin/python tests/oracles/uniaxial_rt_generaltmm.py`` (needs ``pip install generaltmm``).

References
----------
.. [1] I. J. Hodgkinson, S. Kassam and Q. H. Wu, J. Comput. Phys. 133, 75 (1997).
.. [2] D. W. Berreman, J. Opt. Soc. Am. 62, 502 (1972).
"""

from __future__ import annotations

import datetime
import json
from importlib.metadata import version
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "optics" / "uniaxial_rt_generaltmm.json"


def random_cases(n_cases: int = 40, seed: int = 20261130) -> list[dict]:
    """Random stacks: isotropic incidence and exit media, 1-6 uniaxial layers (some absorbing)."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n_cases):
        n_layers = int(rng.integers(1, 7))
        n_o = rng.uniform(1.3, 2.4, n_layers)
        n_e = n_o + rng.uniform(-0.3, 0.3, n_layers)
        lossy = rng.random(n_layers) < 0.4
        k_o = np.where(lossy, rng.uniform(0.0, 0.15, n_layers), 0.0)
        k_e = np.where(lossy, rng.uniform(0.0, 0.15, n_layers), 0.0)
        n_in = float(rng.uniform(1.0, 1.9))
        n_out = float(rng.uniform(1.0, 1.9))
        cases.append(
            {
                "wavelength_nm": float(rng.uniform(400.0, 800.0)),
                "n_in": n_in,
                "n_out": n_out,
                "n_o": [[float(a), float(b)] for a, b in zip(n_o, k_o, strict=True)],
                "n_e": [[float(a), float(b)] for a, b in zip(n_e, k_e, strict=True)],
                "thickness_nm": [float(x) for x in rng.uniform(5.0, 300.0, n_layers)],
                # oblique incidence, some beyond the exit light line (total reflection)
                "neff": [float(x) for x in np.sort(rng.uniform(0.0, 0.999, 6) * n_in)],
            }
        )
    return cases


def solve(case: dict) -> dict:
    from GeneralTmm import Material, Tmm

    tmm = Tmm(wl=case["wavelength_nm"] * 1e-9)
    tmm.AddIsotropicLayer(float("inf"), Material.Static(case["n_in"]))
    for (no, ko), (ne, ke), d in zip(case["n_o"], case["n_e"], case["thickness_nm"], strict=True):
        mo, me = Material.Static(complex(no, ko)), Material.Static(complex(ne, ke))
        tmm.AddLayer(d * 1e-9, me, mo, mo, 0.0, 0.0)
    tmm.AddIsotropicLayer(float("inf"), Material.Static(case["n_out"]))
    res = tmm.Sweep("beta", np.asarray(case["neff"], dtype=float))
    return {
        k: [float(x) for x in res[key]] for k, key in (("R_p", "R11"), ("R_s", "R22"), ("T_p", "T31"), ("T_s", "T42"))
    }


def main() -> None:
    cases = random_cases()
    for case in cases:
        case.update(solve(case))
    data = {
        "provenance": {
            "package": "generaltmm",
            "version": version("generaltmm"),
            "date": datetime.date.today().isoformat(),
            "script": "tests/oracles/uniaxial_rt_generaltmm.py",
            "note": "R, T of random uniaxial stacks (optic axis along the normal) from GeneralTmm's 4x4 method",
        },
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
