"""Ligand coverage (competitive Langmuir with depletion), rate factor, surface energy, time line."""

import math

import pytest

from qdled.errors import InputError
from qdled.io.recipe import load_recipe
from qdled.synthesis import ligands as lig
from qdled.synthesis.parameters import SynthesisParameters
from qdled.synthesis.purification import bare_fraction
from qdled.synthesis.timeline import build_timeline

E = dict(lig.DEFAULT_BINDING_EV)
KT_393 = 1.380649e-23 * 393.15 / 1.602176634e-19


def test_coverage_without_depletion_is_langmuir_exchange():
    """With sites << ligands, theta_NSA / theta_OAm = (c_NSA / c_OAm) exp(dE / kT) (mass action)."""
    th = lig.coverage({"OAm": 500.0, "NSA": 1.0}, 1e-6, E, 393.15)
    expected = (1.0 / 500.0) * math.exp((1.45 - 1.23) / KT_393)
    assert th["NSA"] / th["OAm"] == pytest.approx(expected, rel=1e-6)
    assert sum(th.values()) == pytest.approx(1.0)


def test_strong_ligand_below_site_count_is_fully_bound():
    """PF6 (3.92 eV) in deficit binds completely: theta_PF6 = amount / sites."""
    th = lig.coverage({"OAm": 500.0, "PF6": 2.0}, 10.0, E, 298.15)
    assert th["PF6"] == pytest.approx(0.2, rel=1e-6)


def test_equal_energies_share_in_proportion():
    th = lig.coverage({"OA": 3.0, "OAm": 1.0}, 0.5, E, 423.15)
    assert th["OA"] == pytest.approx(0.75)


def test_coverage_rejects_unknown_ligand():
    with pytest.raises(InputError, match="XYZ"):
        lig.coverage({"XYZ": 1.0}, 1.0, E, 300.0)


def test_nsa_dose_changes_kinetics_continuously():
    """Rate factor and surface energy fall monotonically, and saturate, with NSA dose."""
    sites = 14.0  # ~0.16 mmol in 11.6 mL
    factors, gammas = [], []
    for nsa in (0.0, 0.2, 0.4, 0.6, 0.8):
        th = lig.coverage({"OA": 360.0, "OAm": 524.0, "NSA": nsa / 11.6e-3}, sites, E, 393.15)
        factors.append(lig.rate_factor(th, E, 393.15))
        gammas.append(lig.surface_energy_J_m2(0.05, th, 393.15, 2.5e18))
    assert factors[0] == pytest.approx(1.0)
    assert all(a > b for a, b in zip(factors, factors[1:], strict=False))
    assert all(a >= b for a, b in zip(gammas, gammas[1:], strict=False))
    assert factors[1] / factors[0] < 0.5  # 0.2 mmol already covers most sites
    assert factors[4] / factors[3] > 0.5  # 0.6 -> 0.8 mmol: little change (paper: no significant change)


def test_surface_energy_szyszkowski_and_floor():
    th = {"OAm": 0.5, "NSA": 0.5}
    kt = 1.380649e-23 * 400.0
    assert lig.surface_energy_J_m2(0.1, th, 400.0, 1e18) == pytest.approx(0.1 + 1e18 * kt * math.log(0.5))
    assert lig.surface_energy_J_m2(0.01, {"OAm": 1e-30, "PF6": 1.0}, 300.0, 2.5e18) == 0.0


def test_bare_fraction_pf6_recaps():
    th = {"OA": 0.1, "OAm": 0.9}
    assert bare_fraction(th, 0.5) == pytest.approx(0.5)
    assert bare_fraction(th, 0.5, pf6_free_per_site=0.2) == pytest.approx(0.3)
    assert bare_fraction({"NSA": 0.98, "OAm": 0.02}, 0.5, pf6_free_per_site=0.1) == 0.0


def test_timeline_follows_the_methods():
    p = SynthesisParameters()
    control = build_timeline(load_recipe("li2024-control"), p)
    assert [s.name for s in control] == ["growth", "quench", "purification"]
    assert control[0].duration_s == 5.0 and control[0].temperature_K(2.0) == pytest.approx(423.15)
    assert control[1].end_C == pytest.approx(50.0)
    nsa = build_timeline(load_recipe("li2024-nsa-pf6"), p)
    assert [s.name for s in nsa] == ["growth", "cooling", "NSA injection", "quench", "purification"]
    assert nsa[1].end_C == pytest.approx(120.0)
    assert nsa[2].nsa_rate_mmol_s * nsa[2].duration_s == pytest.approx(0.6)
    assert nsa[-1].pf6_mmol == pytest.approx(0.024)
    # Newton cooling: after one time constant the excess over the bath falls to 1/e
    s = control[1]
    assert s.temperature_K(s.t_start_s + s.tau_s) - 273.15 == pytest.approx(150.0 / math.e)
    with pytest.raises(InputError, match="nsa_mmol"):
        build_timeline(load_recipe("li2024-control"), p, nsa_mmol=-1)
