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
