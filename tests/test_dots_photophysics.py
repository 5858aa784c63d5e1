"""Photophysics and ageing: Langmuir isotherm, PLQY/lifetime algebra, decay curves, the paper's numbers."""

import numpy as np
import pytest
from scipy import constants as c
from scipy.stats import poisson

from qdled.dots import (
    ASSUMED,
    CALIBRATED,
    ageing,
    ligand_coverage,
    ligand_coverages,
    nonradiative_rate,
    pl_decay,
    plqy,
    radiative_rate,
)
from qdled.dots.photophysics import surface_sites
from qdled.errors import InputError
from qdled.io.paper import paper_value

KT = c.k / c.e * 298.15


def test_single_ligand_langmuir_isotherm():
    """theta = K c / (1 + K c) with K c = A exp(E_b / kT) (Langmuir 1918)."""
    a = 1e-20
    for e_b in (0.9, 1.0, 1.2):
        kc = a * np.exp(e_b / KT)
        theta = ligand_coverage(["X"], binding_energy_eV={"X": e_b}, prefactor=a)
        assert theta == pytest.approx(kc / (1 + kc), rel=1e-12)


def test_competitive_coverage_sums_below_one_and_favours_strong_binding():
    cov = ligand_coverages("NSA-NH4PF6")
    assert sum(cov.values()) <= 1.0
    assert cov["PF6"] > cov["NSA"] > cov["OAm"]
    a = 1e-20  # unsaturated case: theta_i = x_i / (1 + sum x), x = A exp(E / kT)
    energies = {"A": 1.0, "B": 1.1}
    cov = ligand_coverages(list(energies), binding_energy_eV=energies, prefactor=a)
    x = {k: a * np.exp(e / KT) for k, e in energies.items()}
    for k in energies:
        assert cov[k] == pytest.approx(x[k] / (1 + sum(x.values())), rel=1e-12)
    assert ligand_coverage("NSA-NH4PF6") > ligand_coverage("OA/OAm")


def test_plqy_is_kr_over_total():
    r = plqy(4.3, theta=0.5)
    k_nr = float(nonradiative_rate(0.5))
    assert r.plqy == pytest.approx(r.k_r_per_s / (r.k_r_per_s + k_nr))
    assert r.tau_ns == pytest.approx(1e9 / (r.k_r_per_s + k_nr))
    assert plqy(4.3, theta=0.0).plqy < 0.01 < plqy(4.3, theta=1.0).plqy


def test_paper_lifetimes_and_plqy_are_reproduced():
    """Calibration checks (the parameters were fitted to these numbers, see CALIBRATED)."""
    nsa = plqy(4.3, ligands="NSA-NH4PF6")
    assert nsa.plqy == pytest.approx(paper_value("nsa_pf6.plqy"), abs=1e-3)
    assert nsa.tau_ns == pytest.approx(paper_value("nsa_pf6.tau_avg_ns"), abs=0.01)
    control = plqy(CALIBRATED["control_edge_nm"].value, ligands="OA/OAm")
    assert control.tau_ns == pytest.approx(paper_value("control.tau_avg_ns"), abs=0.01)


def test_radiative_rate_grows_like_volume_for_large_dots():
    """Weak confinement: oscillator strength ~ coherence volume ~ L^3 (giant oscillator strength)."""
    k = radiative_rate(np.array([60.0, 120.0]))
    assert k[1] / k[0] == pytest.approx(8.0, rel=0.05)
    assert radiative_rate(4.3) == pytest.approx(CALIBRATED["k_r_ref_per_s"].value)


def test_single_size_decay_is_monoexponential():
    t = np.linspace(0, 50, 201)
    r = plqy(4.3, theta=0.99)
    d = pl_decay(t, 4.3, theta=0.99)
    np.testing.assert_allclose(d.intensity, np.exp(-t / r.tau_ns), rtol=1e-10)
    assert d.tau_amplitude_ns == pytest.approx(r.tau_ns) and d.tau_intensity_ns == pytest.approx(r.tau_ns)
    assert d.plqy == pytest.approx(r.plqy)


def test_poisson_trap_decay_matches_explicit_sum():
    """Closed form sum_n P(n) exp(-n k1 t) = exp(-m (1 - exp(-k1 t))) against the explicit Poisson sum."""
    t = np.linspace(0, 30, 61)
    theta = 0.998
    d = pl_decay(t, 4.3, theta=theta, poisson_traps=True)
    k_r = float(radiative_rate(4.3))
    sites = float(surface_sites(4.3))
    m = sites * (1 - theta)
    k1 = ASSUMED["k_trap0_per_s"]["value"] / sites
    n = np.arange(60)
    k = k_r + CALIBRATED["k_nr_intrinsic_per_s"].value + n * k1
    explicit = (poisson.pmf(n, m)[None, :] * np.exp(-t[:, None] * 1e-9 * k[None, :])).sum(axis=1)
    np.testing.assert_allclose(d.intensity, explicit, rtol=1e-9)
    # multi-exponential: intensity-weighted lifetime exceeds the amplitude-weighted one
    assert d.tau_intensity_ns > d.tau_amplitude_ns
    # ensemble PLQY is the Poisson average of k_r / k_n; k_r / k_n is convex in n, so by Jensen's inequality it
    # is >= the mean-field PLQY
    assert d.plqy == pytest.approx((poisson.pmf(n, m) * k_r / k).sum(), rel=1e-9)
    assert d.plqy >= plqy(4.3, theta=theta).plqy


def test_ageing_matches_paper_trends():
    """Calibration checks: OA/OAm loses its PLQY by day 25; NSA-NH4PF6 keeps 80 % after 50 days."""
    control = ageing([0, 25], "OA/OAm")
    assert control.plqy[-1] <= 0.0101
    nsa = ageing([0, 50], "NSA-NH4PF6")
    assert nsa.relative_plqy[-1] == pytest.approx(paper_value("nsa_pf6.plqy_retained_day50"), abs=0.005)
    days = np.linspace(0, 60, 61)
    for route in ("OA/OAm", "NSA-NH4PF6"):
        assert np.all(np.diff(ageing(days, route).plqy) < 0)


def test_calibrated_attempt_frequency_is_a_molecular_vibration():
    """Not fitted to be physical: nu from the OA/OAm ageing lands in the usual 1e12-1e14 1/s range."""
    assert 1e12 <= CALIBRATED["attempt_frequency_per_s"].value <= 1e14


def test_stronger_binding_slows_ageing():
    days = np.array([0.0, 20.0])
    weak = ageing(days, ["X"], binding_energy_eV={"X": 1.20})
    strong = ageing(days, ["X"], binding_energy_eV={"X": 1.30})
    assert strong.relative_plqy[-1] > weak.relative_plqy[-1]


def test_bad_inputs():
    with pytest.raises(InputError, match="theta"):
        nonradiative_rate(1.5)
    with pytest.raises(InputError, match="binding energy"):
        ligand_coverage(["XYZ"])
    with pytest.raises(InputError, match="time_days"):
        ageing([-1.0])
    with pytest.raises(InputError, match="time_ns"):
        pl_decay([-1.0])
