"""Whole-recipe runs: conservation, convergence, calibration set and held-out predictions.

Paper values: Li et al., Nat. Commun. 15, 5696 (2024): PL 635 nm (OA/OAm, as synthesised),
639 nm (OA/OAm, purified), 630 nm (0.2 mmol NSA), 626 nm (0.6 mmol), no significant change
0.6 -> 0.8 mmol, NSA-NH4PF6 dots 4.3 +/- 0.6 nm (TEM) at PL 623 nm; sizes fall and
distributions narrow with NSA dose (Fig. 1e).
"""

from functools import lru_cache

import numpy as np
import pytest

from qdled.synthesis import CALIBRATED, simulate
from qdled.synthesis.calibration import CALIBRATION_TARGETS, VALIDATION_TARGETS, edge_from_pl_nm


@lru_cache(maxsize=None)
def run(recipe, nsa=None, n_bins=400, rtol=1e-3):
    return simulate(recipe, nsa_mmol=nsa, n_bins=n_bins, rtol=rtol)


def test_mass_conservation_whole_run():
    """Monomer + particles (+ monomer discarded at the first centrifugation) is constant."""
    for r in (run("li2024-control"), run("li2024-nsa-pf6")):
        assert r.mass_balance_error < 1e-6
        assert 0.9 < r.yield_fraction <= 1.0


def test_result_layout():
    r = run("li2024-control")
    assert r.number_per_m3.shape == (r.snapshot_time_s.size, r.edge_nm.size) and r.edge_nm.size == 400
    assert r.time_s.shape == r.monomer_mol_m3.shape == r.mean_edge_t_nm.shape == r.temperature_C.shape
    assert np.all(np.diff(r.time_s) >= 0)
    assert set(r.calibrated) == set(CALIBRATED)
    # monomer is consumed by the nucleation burst: < 5 % left after 1 s (growth complete within seconds)
    assert r.monomer_mol_m3[np.searchsorted(r.time_s, 1.0)] < 0.05 * r.monomer_mol_m3[0]


def test_convergence_in_bins_and_tolerance():
    """Grid: the synthesised mean moves 0.053 nm from 200 to 400 bins, 0.0035 nm from 400 to 800 and
    0.0075 nm from 800 to 1600 (review of 2026-11-27: converged to ~0.01 nm, not monotonically; the sd
    converges more slowly, 5-8 % too wide at the default 400 bins, see ``simulate``); time step: the
    default BDF tolerance 1e-3 vs 1e-4 changes it by < 0.005 nm."""
    coarse, mid, fine = (run("li2024-control", n_bins=n).synthesis_mean_edge_nm for n in (200, 400, 800))
    assert abs(fine - mid) < 0.75 * abs(mid - coarse)
    assert abs(fine - mid) < 0.03
    tight = run("li2024-control", rtol=1e-4)
    assert abs(tight.synthesis_mean_edge_nm - mid) < 0.005
    assert abs(tight.mean_edge_nm - run("li2024-control").mean_edge_nm) < 0.005


def test_size_targets_from_pl():
    """The L^-2 inversion is anchored at 623 nm <-> 4.3 nm and gives the fitted targets."""
    assert edge_from_pl_nm(623.0) == pytest.approx(4.3)
    assert edge_from_pl_nm(635.0) == pytest.approx(4.65, abs=0.01)
    dots = pytest.importorskip("qdled.dots")
    # an independent (non-parabolic k.p) confinement model agrees within 0.05 nm
    for pl in (626.0, 630.0, 635.0, 639.0):
        assert edge_from_pl_nm(pl) == pytest.approx(dots.edge_from_pl_peak(pl), abs=0.05)


def test_calibration_set_reproduced():
    """CALIBRATED values reproduce their targets (checks the stored fit against the code)."""
    control = run("li2024-control")
    nsa = run("li2024-nsa-pf6")
    got = {
        ("li2024-control", 0.0, "synthesis"): control.synthesis_mean_edge_nm,
        ("li2024-nsa-pf6", 0.6, "synthesis"): nsa.synthesis_mean_edge_nm,
        ("li2024-control", 0.0, "purified"): control.mean_edge_nm,
    }
    for key, target in CALIBRATION_TARGETS.items():
        assert got[key] == pytest.approx(target, abs=0.03), key


def test_held_out_dose_series():
    """Predictions for doses not used in the fit (0.2, 0.4, 0.8 mmol)."""
    sizes = {d: run("li2024-nsa-pf6", d).synthesis_mean_edge_nm for d in (0.0, 0.2, 0.4, 0.6, 0.8)}
    sds = {d: run("li2024-nsa-pf6", d).synthesis_sd_edge_nm for d in sizes}
    doses = sorted(sizes)
    # sizes fall and distributions narrow with NSA dose (Fig. 1e)
    assert all(sizes[a] > sizes[b] for a, b in zip(doses, doses[1:], strict=False))
    assert all(sds[a] > sds[b] for a, b in zip(doses, doses[1:], strict=False))
    # 0.2 mmol: PL 630 nm -> 4.49 nm; predicted 4.44 nm (the model saturates too early)
    assert sizes[0.2] == pytest.approx(VALIDATION_TARGETS[("li2024-nsa-pf6", 0.2, "synthesis")], abs=0.1)
    # 0.8 mmol: "no significant change" from 0.6 mmol
    assert abs(sizes[0.8] - sizes[0.6]) < 0.02
    assert sizes[0.8] == pytest.approx(VALIDATION_TARGETS[("li2024-nsa-pf6", 0.8, "synthesis")], abs=0.05)


def test_nh4pf6_stops_regrowth_during_purification():
    control, nsa = run("li2024-control"), run("li2024-nsa-pf6")
    assert control.mean_edge_nm - control.synthesis_mean_edge_nm > 0.08  # calibrated regrowth (4.65 -> 4.78)
    assert abs(nsa.mean_edge_nm - nsa.synthesis_mean_edge_nm) < 0.01  # predicted: no regrowth
    # held out: TEM 4.3 +/- 0.6 nm (the mean is tied to the size anchor, a weak check)
    assert nsa.mean_edge_nm == pytest.approx(4.3, abs=0.15)
    # the predicted width is too broad (sd ~0.9 nm vs 0.6 nm): a known shortfall, bounded here
    assert 0.6 < nsa.sd_edge_nm < 1.0


def test_bad_inputs():
    from qdled.errors import InputError

    with pytest.raises(InputError, match="n_bins"):
        simulate("li2024-control", n_bins=10)
    with pytest.raises(InputError, match="nsa_mmol"):
        simulate("li2024-control", nsa_mmol=-0.1)


@pytest.mark.slow
def test_calibrate_refits_stored_values():
    """Re-running the fit (~2 min) recovers the stored CALIBRATED values."""
    from qdled.synthesis.calibration import calibrate

    fitted = calibrate()
    assert fitted["gamma_ref_J_m2"] == pytest.approx(CALIBRATED["gamma_ref_J_m2"].value, rel=0.01)
    assert fitted["log10_rate_constant_ref_m_s"] == pytest.approx(
        CALIBRATED["log10_rate_constant_ref_m_s"].value, abs=0.02
    )
    assert fitted["bare_weight"] == pytest.approx(CALIBRATED["bare_weight"].value, rel=0.05)


def test_dots_outgrowing_the_size_grid_is_an_error():
    # The grid has no outflow at R_MAX_M; a 10 min growth makes ~18 nm dots (reviewed on a 2x wider grid),
    # which would otherwise pile up in the last bin and be reported as 12.8 +/- 0.1 nm.
    from qdled.errors import InputError
    from qdled.io.recipe import load_recipe

    long = load_recipe("li2024-control").with_values({"injection.growth_time_s": 600})
    with pytest.raises(InputError, match="outgrow the size grid"):
        simulate(long, n_bins=100)


def test_bin_count_is_bounded():
    from qdled.errors import InputError

    with pytest.raises(InputError, match="n_bins"):
        simulate("li2024-control", n_bins=100000)
