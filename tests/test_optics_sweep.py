"""Stack sweeps as labelled xarray Datasets."""

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.io.stack import default_stack
from qdled.optics import summary
from qdled.optics.sweep import PAPER_SWEEPS, sweep


def test_two_key_sweep_is_labelled_and_matches_single_points():
    stack = default_stack()
    ds = sweep(stack, {"PO-T2T.thickness_nm": [25.0, 50.0], "PTAA.n": [1.6, 1.75]})
    assert ds["outcoupled"].dims == ("PO-T2T.thickness_nm", "PTAA.n")
    point = summary(stack.with_values({"PO-T2T.thickness_nm": 50.0, "PTAA.n": 1.6}))
    assert float(ds["outcoupled"].sel({"PO-T2T.thickness_nm": 50.0, "PTAA.n": 1.6})) == pytest.approx(point["eta_out"])
    total = sum(ds[c] for c in ("outcoupled", "substrate", "waveguide", "plasmon", "absorbed", "top"))
    np.testing.assert_allclose(total.values, 1.0, atol=1e-9)
    from qdled.optics.plots import plot_sweep

    fig = plot_sweep(ds, "eqe_ceiling")  # heat map
    assert fig.axes[0].get_xlabel() == "PTAA.n"
    fig = plot_sweep(ds.isel({"PTAA.n": [0]}))  # line
    assert fig.axes[0].get_xlabel() == "PO-T2T.thickness_nm"


def test_sweep_rejects_bad_input():
    stack = default_stack()
    with pytest.raises(InputError):
        sweep(stack, {})
    with pytest.raises(InputError):
        sweep(stack, {"nope.thickness_nm": [1.0]})


def test_paper_sweep_keys_exist_in_default_stack():
    stack = default_stack()
    for key in PAPER_SWEEPS:
        stack.with_values({key: 20.0})


@pytest.mark.slow
def test_paper_sweeps_run():
    from qdled.optics.sweep import paper_sweeps

    res = paper_sweeps(default_stack())
    for ds in res.values():
        assert float(ds["outcoupled"].max()) < 0.45


def test_stacks_solved_together_match_one_at_a_time():
    # points_values solves stacks with the same layer count as rows of one vectorised problem (per-row
    # thicknesses, dipole planes and indices); one at a time, summary() solves each alone. They share
    # no code path above the kernels, so agreement within the quadrature tolerance (1e-4 of the
    # free-dipole power; a batch shares the panel count of its least converged stack) checks the
    # stack axis. Stacks with another layer count or emission zone go to their own batch.
    from qdled.optics.sweep import VARIABLES, point_values, points_values

    base = default_stack()
    stacks = [
        base.with_values({"QD.thickness_nm": 12.0, "PO-T2T.thickness_nm": 80.0}),
        base.with_values({"QD.thickness_nm": 60.0, "PO-T2T.thickness_nm": 20.0, "PTAA.n": 1.9}),
        base.with_values({"emitter.position": 0.2, "emitter.horizontal_fraction": 1.0}),
        base,
    ]
    data = base.to_dict()
    data["layers"] = [layer for layer in data["layers"] if layer["name"] != "LiF"]
    stacks.append(type(base).model_validate(data))
    got = points_values(stacks, wavelength_nm=610.0, plqy=0.8)
    for i, st in enumerate(stacks):
        ref = point_values(st, wavelength_nm=610.0, plqy=0.8)
        for v in VARIABLES:
            assert got[v][i] == pytest.approx(ref[v], abs=1e-4), (i, v)
