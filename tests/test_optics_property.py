"""Property test of the optics over random physical stacks (issue #16).

Whatever the stack -- thick and thin metals, lossless high-index layers, lossless or absorbing
substrates and top media (including a top of higher index than the substrate), emitters anywhere
in any dielectric layer, 400-800 nm -- the figures printed by ``qdled optics`` obey the
conservation laws of the model: nothing NaN or infinite, every channel fraction in [0, 1], the
channels summing to 1 (energy conservation: every dissipated photon ends in exactly one channel)
and a finite positive Purcell factor (a passive environment cannot make a dipole's total decay
rate zero or negative: Chance, Prock & Silbey, Adv. Chem. Phys. 37, 1 (1978)). The quadrature's
own verdict is checked too: a result flagged as not converged counts as a failure.

A small version (60 stacks) runs by default; the full 1000 stacks are marked ``slow``. Seeded.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from qdled.io.stack import stack_from_dict
from qdled.optics import summary

# constant-index layer families: (n range, k range, thickness range [nm])
_FAMILIES = {
    "thick_metal": ((0.05, 1.5), (2.0, 8.0), (40.0, 200.0)),
    "thin_metal": ((0.05, 1.5), (2.0, 8.0), (2.0, 25.0)),
    "high_index": ((2.0, 3.2), (0.0, 0.0), (5.0, 300.0)),
    "lossless": ((1.3, 2.0), (0.0, 0.0), (1.0, 200.0)),
    "absorbing": ((1.4, 2.6), (1e-4, 0.5), (1.0, 200.0)),
}
_BUILTIN_LAYERS = ("Ag", "Al", "ITO", "PEDOT:PSS", "PTAA", "TmPyPB", "PO-T2T", "LiF", "CsPbI3-QD")
_METALS = ("Ag", "Al", "thick_metal", "thin_metal")


def _index(rng, n_range, k_range) -> dict:
    n = float(rng.uniform(*n_range))
    k = float(rng.uniform(*k_range)) if k_range[1] > 0 else 0.0
    return {"n": round(n, 4), "k": round(k, 5)}


def _medium(rng, kind: str) -> dict | str:
    """A substrate, top or outside medium."""
    choice = rng.integers(6 if kind != "outside" else 3)
    if choice == 0:
        return "air"
    if choice == 1:
        return "glass"
    if choice == 2:
        return _index(rng, (1.0, 2.6), (0.0, 0.0))  # lossless, sometimes above the substrate or emitter
    if choice == 3:
        return _index(rng, (1.0, 2.6), (1e-4, 0.3))  # absorbing
    if choice == 4:
        return str(rng.choice(["Ag", "Al"])) if kind == "top" else _index(rng, (1.3, 1.9), (0.0, 0.0))
    return _index(rng, (0.05, 1.5), (2.0, 8.0)) if kind == "top" else _index(rng, (1.4, 2.2), (0.0, 0.0))


def random_stack(rng) -> tuple:
    """(Stack, wavelength_nm) drawn from the families above."""
    n_layers = int(rng.integers(1, 7))
    layers = []
    for i in range(n_layers):
        kind = rng.choice([*_FAMILIES, "builtin"])
        if kind == "builtin":
            mat = str(rng.choice(_BUILTIN_LAYERS))
            thick = float(rng.uniform(1.0, 200.0) if mat not in ("Ag", "Al") else rng.choice([5.0, 15.0, 60.0, 150.0]))
            layers.append({"name": f"L{i}", "material": mat, "thickness_nm": round(thick, 2)})
            kind = mat
        else:
            n_r, k_r, d_r = _FAMILIES[kind]
            layers.append(
                {"name": f"L{i}", **_index(rng, n_r, k_r), "thickness_nm": round(float(rng.uniform(*d_r)), 2)}
            )
        layers[-1]["_kind"] = kind
    # the emitter sits in a dielectric layer (a new one if every drawn layer is a metal)
    dielectric = [i for i, layer in enumerate(layers) if layer["_kind"] not in _METALS]
    if not dielectric:
        at = int(rng.integers(0, n_layers + 1))
        layers.insert(at, {"name": "E", "n": round(float(rng.uniform(1.4, 2.6)), 4), "k": 0.0, "_kind": "lossless"})
        layers[at]["thickness_nm"] = round(float(rng.uniform(2.0, 100.0)), 2)
        dielectric = [at]
    layers[int(rng.choice(dielectric))]["emitter"] = True
    for layer in layers:
        del layer["_kind"]
    position = "uniform" if rng.random() < 0.3 else float(rng.choice([0.0, 1.0, rng.random()], p=[0.1, 0.1, 0.8]))
    substrate = _medium(rng, "substrate")
    if isinstance(substrate, dict) and rng.random() < 0.25:
        substrate = {**substrate, "coherent": True}
    data = {
        "substrate": substrate,
        "outside": _medium(rng, "outside"),
        "top": _medium(rng, "top"),
        "layers": layers,
        "emitter": {"horizontal_fraction": float(rng.random()), "position": position},
    }
    return stack_from_dict(data), round(float(rng.uniform(400.0, 800.0)), 2)


def problems(stack, wavelength_nm: float) -> list[str]:
    """What is wrong with ``summary(stack, wavelength_nm)`` (empty list: nothing)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = summary(stack, wavelength_nm=wavelength_nm)
    out = [f"warning: {w.message}" for w in caught]
    fr = res["fractions"]
    numbers = [res[k] for k in ("purcell_factor", "purcell_vertical", "purcell_horizontal", "eqe_ceiling", "q_eff")]
    numbers += list(fr.values()) + list(res["absorbed_by_layer"].values()) + [res["quadrature_error"]]
    if not all(math.isfinite(x) for x in numbers):
        out.append("NaN or inf")
        return out
    for name, v in [*fr.items(), *(("absorbed in " + k, v) for k, v in res["absorbed_by_layer"].items())]:
        if not 0.0 <= v <= 1.0:
            out.append(f"{name} fraction {v!r} outside [0, 1]")
    if abs(sum(fr.values()) - 1.0) > 1e-6:
        out.append(f"channels sum to {sum(fr.values())!r}")
    for key in ("purcell_factor", "purcell_vertical", "purcell_horizontal"):
        if not res[key] > 0:
            out.append(f"{key} = {res[key]!r}")
    if not res.get("converged", True):
        out.append(f"not converged: {res.get('convergence_note', '')}")
    return out


def _run(n_stacks: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    failures = []
    for i in range(n_stacks):
        stack, wl = random_stack(rng)
        bad = problems(stack, wl)
        if bad:
            failures.append((i, wl, bad, stack.to_toml()))
    return failures


def test_random_stacks_small():
    failures = _run(60, seed=16)
    assert not failures, failures[:3]


@pytest.mark.slow
def test_random_stacks_1000():
    failures = _run(1000, seed=1016)
    assert not failures, f"{len(failures)} of 1000 stacks failed; first: {failures[:3]}"


if __name__ == "__main__":  # census: how many of the 1000 fail, and how
    import sys
    from collections import Counter

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1016
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    fails = _run(n, seed)
    print(f"{len(fails)} of {n} stacks failed")
    print(Counter(p.split(":")[0].split(" fraction")[0] for f in fails for p in f[2]).most_common())
    for f in fails[:12]:
        print(f[0], f[1], f[2][:3])
