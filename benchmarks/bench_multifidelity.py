"""Benchmark: a multi-fidelity device sweep (issue 21) -- drift-diffusion on a coarse grid, the compact surrogate
corrected in between (:func:`qdled.sweep.multifidelity.multifidelity_sweep`) -- against what drift-diffusion on
every point would cost, and the surrogate's error against real drift-diffusion solves.

1. 2-D sweep, PO-T2T 20-80 nm x QD 20-50 nm, 25 x 25 = 625 stacks, serial in this process: drift-diffusion on a
   5 x 5 coarse grid plus the 4 x 4 centres of its cells (held out), the compact model on all 625 points.
   Cost: the sweep's evaluation time against (drift-diffusion seconds per point, measured in the same run) x 625.
   Error at the 16 held-out centres; then, from the same solves, a 3 x 3 coarse grid (its sub-grid) checked at
   all 32 other drift-diffusion points, linear against cubic interpolation, multiplicative against additive.
2. 1-D check (skipped with ``--quick``): PO-T2T 20-80 nm in 5 nm steps, drift-diffusion on all 13 points, so the
   coarse-4 surrogate is checked at every fine point between coarse points, not only at the cell centres.

Run: ``.venv/bin/python benchmarks/bench_multifidelity.py [--quick] [--out mf.nc]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time

import numpy as np

from qdled.sweep.multifidelity import CORRECTIONS, TARGETS, corrected_surrogate, multifidelity_sweep, surrogate_error

VARY_2D = ["PO-T2T.thickness_nm=20:80:2.5", "QD.thickness_nm=20:50:1.25"]
VARY_1D = ["PO-T2T.thickness_nm=20:80:5"]
SHORT = {
    "peak_eqe": "EQE",
    "max_luminance_cd_m2": "L_max",
    "voltage_at_max_luminance_V": "V(L_max)",
    "current_density_at_fixed_voltage_mA_cm2": "J(5 V)",
}


def _fmt(e: dict) -> str:
    return f"max {100 * e['max_relative']:.2f} % / RMS {100 * e['rms_relative']:.2f} %"


def _dd_points(ds) -> tuple[np.ndarray, dict]:
    """All drift-diffusion points of a 2-D multi-fidelity Dataset (coarse and held out) and their targets."""
    dims = [d for d in ds["peak_eqe"].dims]
    pts, vals = [], {t: [] for t in TARGETS}
    for prefix, suffix in (("coarse_", "_dd"), ("holdout_", "_dd_holdout")):
        axes = [ds[prefix + d].values for d in dims]
        pts += list(itertools.product(*axes))
        for t in TARGETS:
            vals[t] += list(ds[t + suffix].values.ravel())
    return np.array(pts), {t: np.array(v) for t, v in vals.items()}


def _compact_at(ds, t: str, pts: np.ndarray) -> np.ndarray:
    dims = list(ds["peak_eqe"].dims)
    return np.array([float(ds[t + "_compact"].sel(dict(zip(dims, p, strict=True)))) for p in pts])


def _check(ds, pts, dd, coarse_axes, method, correction=None) -> dict:
    """Surrogate with coarse grid ``coarse_axes`` (values per axis, a sub-grid of the DD points) at the other DD
    points."""
    grid = list(itertools.product(*coarse_axes))
    index = {tuple(p): i for i, p in enumerate(map(tuple, pts))}
    on = np.array([index[g] for g in grid])
    off = np.array(sorted(set(range(len(pts))) - set(on)))
    shape = tuple(len(a) for a in coarse_axes)
    out = {}
    for t in TARGETS:
        lo_all = _compact_at(ds, t, pts)
        s = corrected_surrogate(
            coarse_axes,
            dd[t][on].reshape(shape),
            lo_all[on].reshape(shape),
            pts[off],
            lo_all[off],
            correction=correction or CORRECTIONS[t],
            method=method,
        )
        out[t] = surrogate_error(s, dd[t][off])
    return out


def part_2d(out_path: str | None) -> dict:
    t0 = time.perf_counter()
    ds = multifidelity_sweep(VARY_2D, coarse=5)
    wall = time.perf_counter() - t0
    a = ds.attrs
    n_dd = a["n_dd_coarse_points"] + a["n_dd_holdout_points"]
    mf_cost = a["evaluation_seconds"]
    mf_cost_no_holdout = a["dd_seconds_per_point"] * a["n_dd_coarse_points"] + a["compact_seconds_per_point"] * 625
    print(f"2-D sweep {' x '.join(VARY_2D)}: {a['n_fine_points']} stacks, {n_dd} drift-diffusion solves")
    print(
        f"   drift-diffusion {a['dd_seconds_per_point']:.2f} s/point, compact {a['compact_seconds_per_point']:.3f} "
        f"s/point (ratio {a['dd_seconds_per_point'] / a['compact_seconds_per_point']:.1f}x)"
    )
    print(
        f"   multi-fidelity sweep: {wall:.0f} s wall ({mf_cost:.0f} s evaluation; {mf_cost_no_holdout:.0f} s "
        f"without the 16 held-out solves); drift-diffusion on all {a['n_fine_points']} points: "
        f"{a['full_dd_estimate_s']:.0f} s -> speed-up {a['full_dd_estimate_s'] / mf_cost:.1f}x "
        f"({a['full_dd_estimate_s'] / mf_cost_no_holdout:.1f}x without the error check)"
    )
    err = json.loads(a["surrogate_error"])
    print(f"   error at the 16 held-out cell centres (coarse 5 x 5, {ds['peak_eqe'].attrs['interpolation']}):")
    for t in TARGETS:
        e = err[t]
        print(
            f"      {SHORT[t]:9s} {e['correction']:14s} surrogate {_fmt(e['surrogate'])}; compact alone "
            f"{_fmt(e['compact_uncorrected'])}"
        )
    pts, dd = _dd_points(ds)
    dims = list(ds["peak_eqe"].dims)
    c5 = [ds["coarse_" + d].values for d in dims]
    c3 = [v[::2] for v in c5]
    rows = {}
    print("   alternatives from the same solves (coarse 3 x 3: its sub-grid, checked at the 32 other DD points):")
    for label, axes, method, corr in (
        ("coarse 5, cubic, default corrections", c5, "cubic", None),
        ("coarse 5, cubic, all additive", c5, "cubic", "additive"),
        ("coarse 5, cubic, all multiplicative", c5, "cubic", "multiplicative"),
        ("coarse 5, linear, default corrections", c5, "linear", None),
        ("coarse 5, linear, all additive", c5, "linear", "additive"),
        ("coarse 3, linear, default corrections", c3, "linear", None),
        ("coarse 3, linear, all additive", c3, "linear", "additive"),
    ):
        rows[label] = _check(ds, pts, dd, axes, method, corr)
        n = next(iter(rows[label].values()))["n_points"]
        print(f"   {label} ({n}): " + "; ".join(f"{SHORT[t]} {_fmt(rows[label][t])}" for t in TARGETS))
    cost3 = a["dd_seconds_per_point"] * 9 + a["compact_seconds_per_point"] * 625
    print(f"   coarse 3 x 3 cost: {cost3:.0f} s -> speed-up {a['full_dd_estimate_s'] / cost3:.1f}x")
    if out_path:
        ds.to_netcdf(out_path, engine="scipy", format="NETCDF3_64BIT")
    return {"attrs": {k: a[k] for k in a if k not in ("qdled_sweep",)}, "wall_s": wall, "checks": rows}


def part_1d() -> dict:
    ds = multifidelity_sweep(VARY_1D, coarse=13, holdout=False)  # drift-diffusion on every fine point
    x = ds["coarse_PO-T2T.thickness_nm"].values
    print("1-D PO-T2T 20-80 nm, 13 points, drift-diffusion on all: coarse 3/4/5 checked at every other point")
    out = {}
    for step in (6, 4, 3):  # coarse 3, 4, 5 values
        on = np.arange(0, 13, step)
        off = np.setdiff1d(np.arange(13), on)
        for method in ("linear", "cubic"):
            if method == "cubic" and on.size < 4:
                continue
            for corr in (None, "additive"):
                label = f"coarse {on.size}, {method}, {corr or 'default'} corrections"
                out[label] = {}
                for t in TARGETS:
                    hi, lo = ds[t + "_dd"].values, ds[t + "_compact"].values
                    c = corr or CORRECTIONS[t]
                    s = corrected_surrogate([x[on]], hi[on], lo[on], x[off, None], lo[off], correction=c, method=method)
                    out[label][t] = surrogate_error(s, hi[off])
                print(f"   {label} ({off.size}): " + "; ".join(f"{SHORT[t]} {_fmt(out[label][t])}" for t in TARGETS))
    comp = {t: surrogate_error(ds[t + "_compact"].values, ds[t + "_dd"].values) for t in TARGETS}
    print("   compact alone (13): " + "; ".join(f"{SHORT[t]} {_fmt(comp[t])}" for t in TARGETS))
    return {"checks": out, "compact": comp, "dd_seconds_per_point": ds.attrs["dd_seconds_per_point"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 1-D full drift-diffusion check")
    ap.add_argument("--out", help="write the 2-D Dataset (netCDF) here")
    ap.add_argument("--json", help="write all numbers (JSON) here")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    res = {"2d": part_2d(args.out)}
    if not args.quick:
        res["1d"] = part_1d()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, default=float)


if __name__ == "__main__":
    main()
