"""Confinement models: analytic limits, monotonicity, bulk limit, Brus limit of the Kane model, inverse."""

import numpy as np
import pytest
from scipy import constants as c

from qdled.dots import METHODS, BandParameters, confinement_energy, size_from_energy
from qdled.dots.confinement import CUBE_COULOMB
from qdled.errors import InputError
from qdled.materials import cspbi3

P = BandParameters()
EX_BULK = cspbi3.BANDGAP_BULK_EV - cspbi3.EXCITON_BINDING_EV


def _kin_eV(k2_per_m2, mass_m0):
    """hbar^2 k^2 / (2 m) in eV, written out with scipy constants (independent of the module's helper)."""
    return c.hbar**2 * k2_per_m2 / (2 * mass_m0 * c.m_e) / c.e


@pytest.mark.parametrize("method", METHODS)
def test_energy_decreases_with_size(method):
    edge = np.geomspace(1.5, 300, 400)
    e = confinement_energy(edge, method)
    assert np.all(np.diff(e) <= 1e-12)
    small = edge < 15  # strictly decreasing where dots are made
    assert np.all(np.diff(e[small]) < 0)


@pytest.mark.parametrize("method", ["kane", "brus"])
def test_large_dots_tend_to_bulk_exciton(method):
    e = confinement_energy(np.array([200.0, 1000.0, 5000.0]), method)
    # weak-confinement tail Eg - Eb + hbar^2 k^2 / 2M: < 0.5 meV above the bulk exciton at 1 um
    assert abs(e[1] - EX_BULK) < 5e-4 and abs(e[2] - EX_BULK) < 2e-5
    assert np.all(e >= EX_BULK)


def test_infinite_well_matches_textbook_cube():
    edge_nm = np.array([3.0, 5.0, 10.0])
    k2 = 3 * np.pi**2 / (edge_nm * 1e-9) ** 2
    expected = cspbi3.BANDGAP_BULK_EV + _kin_eV(k2, cspbi3.REDUCED_MASS_M0)
    np.testing.assert_allclose(confinement_energy(edge_nm, "infinite-well"), expected, rtol=1e-12)


def test_brus_sphere_matches_brus_1984_formula():
    edge_nm = np.array([3.0, 4.0, 6.0])  # strong confinement: below the switch to the weak form
    radius_m = edge_nm * 1e-9 * (3 / (4 * np.pi)) ** (1 / 3)
    coulomb = 1.786 * c.e / (4 * np.pi * c.epsilon_0 * cspbi3.DIELECTRIC_EFFECTIVE * radius_m)
    expected = cspbi3.BANDGAP_BULK_EV + _kin_eV(np.pi**2 / radius_m**2, cspbi3.REDUCED_MASS_M0) - coulomb
    np.testing.assert_allclose(confinement_energy(edge_nm, "brus", shape="sphere"), expected, rtol=1e-10)


def test_kane_reduces_to_brus_without_nonparabolicity():
    """Ep -> 0 at fixed band-edge masses: no Kane coupling, parabolic bands; only Kayanuma's -0.248 Ry* remains."""
    p0 = BandParameters(kane_energy_eV=0.0)
    edge = np.array([2.5, 4.0, 6.0, 9.0])
    for shape in ("cube", "sphere"):
        kane = confinement_energy(edge, "kane", shape=shape, params=p0, edge_offset_nm=0.0)
        brus = confinement_energy(edge, "brus", shape=shape, params=p0)
        np.testing.assert_allclose(kane, brus - 0.248 * p0.rydberg_eV, rtol=0, atol=1e-12)
    # and the approach is continuous: a tiny Ep gives a tiny change
    tiny = confinement_energy(edge, "kane", params=BandParameters(kane_energy_eV=1e-6), edge_offset_nm=0.0)
    kane0 = confinement_energy(edge, "kane", params=p0, edge_offset_nm=0.0)
    assert np.max(np.abs(tiny - kane0)) < 1e-6


def test_full_kane_coupling_gives_kane_1957_dispersion():
    """All inverse mass from the Kane term (f = 1): eps (1 + eps / Eg) = hbar^2 k^2 / 2m (two-band Kane)."""
    m = 0.228
    ep = 3 * cspbi3.BANDGAP_BULK_EV / m  # makes (Ep / 3 Eg) m = 1
    p = BandParameters(kane_energy_eV=ep, electron_mass_m0=m, hole_mass_m0=m)
    edge = 4.0
    k2 = 3 * np.pi**2 / (edge * 1e-9) ** 2
    kin = _kin_eV(k2, m)
    eg = cspbi3.BANDGAP_BULK_EV
    eps = (-eg + np.sqrt(eg**2 + 4 * eg * kin)) / 2  # root of eps^2 + Eg eps - Eg K = 0
    e_model = confinement_energy(edge, "kane", params=p, edge_offset_nm=0.0)
    coulomb = CUBE_COULOMB * c.e / (4 * np.pi * c.epsilon_0 * p.dielectric * edge * 1e-9)
    expected = eg + 2 * eps - coulomb - 0.248 * p.rydberg_eV
    assert e_model == pytest.approx(expected, abs=1e-10)
    assert eps * (1 + eps / eg) == pytest.approx(kin, rel=1e-12)


def test_nonparabolicity_lowers_confinement():
    edge = np.array([3.0, 4.3, 6.0])
    with_np = confinement_energy(edge, "kane", edge_offset_nm=0.0)
    without = confinement_energy(edge, "kane", params=BandParameters(kane_energy_eV=0.0), edge_offset_nm=0.0)
    assert np.all(with_np < without)


def test_equal_volume_sphere_has_lower_ground_state_than_cube():
    """Faber-Krahn: among domains of equal volume the ball has the lowest Dirichlet ground state."""
    edge = np.array([3.0, 5.0, 8.0])
    cube = confinement_energy(edge, "infinite-well", shape="cube")
    sphere = confinement_energy(edge, "infinite-well", shape="sphere")
    assert np.all(sphere < cube)


@pytest.mark.parametrize("method", METHODS)
def test_size_from_energy_inverts(method):
    for edge in (3.0, 4.3, 7.0, 10.0):
        e = float(confinement_energy(edge, method))
        assert size_from_energy(e, method) == pytest.approx(edge, rel=1e-7)


def test_higher_transitions_lie_above_band_edge():
    e = [float(confinement_energy(4.3, "kane", level=i)) for i in range(6)]
    assert all(b > a for a, b in zip(e, e[1:], strict=False))


def test_bad_inputs_name_the_value():
    with pytest.raises(InputError, match="edge_nm"):
        confinement_energy(-1.0)
    with pytest.raises(InputError, match="method"):
        confinement_energy(4.0, "nonsense")
    with pytest.raises(InputError, match="shape"):
        confinement_energy(4.0, shape="rod")
    with pytest.raises(InputError, match="energy_eV"):
        size_from_energy(1.0)  # below the bulk exciton


def test_cube_coulomb_coefficient_by_monte_carlo():
    """<L / |r_e - r_h|> for independent electron and hole in the (1,1,1) cube state, sampled directly."""
    rng = np.random.default_rng(7)
    n = 400_000

    def sample(size):  # density 2 sin^2(pi x) on [0, 1] by rejection
        x = rng.random(3 * size)
        x = x[rng.random(3 * size) < np.sin(np.pi * x) ** 2]
        return x[:size]

    e = np.stack([sample(n) for _ in range(3)], axis=1)
    h = np.stack([sample(n) for _ in range(3)], axis=1)
    inv = 1.0 / np.linalg.norm(e - h, axis=1)
    sem = inv.std() / np.sqrt(n)  # ~0.003
    assert abs(inv.mean() - CUBE_COULOMB) < 4 * sem + 5e-4
    # the equal-volume sphere (Brus) value is clearly lower
    assert 1.786 / (3 / (4 * np.pi)) ** (1 / 3) < CUBE_COULOMB - 10 * sem


def test_edge_given_in_metres_is_refused():
    # 4.3e-9 "nm" gave 18 eV silently
    with pytest.raises(InputError, match="nanometres"):
        confinement_energy(4.3e-9, "kane")


@pytest.mark.parametrize("method", ["brus", "kane"])
def test_energy_is_continuous_where_weak_confinement_takes_over(method):
    # At the edge where the strong-confinement energy has its minimum (~46 nm) the energy used to jump by
    # 5-9 meV (bare centre-of-mass energy), leaving a gap in which size_from_energy had no answer.
    from qdled.dots.confinement import _switch_edge_nm, default_edge_offset_nm

    ls = _switch_edge_nm(method, "cube", BandParameters()) - default_edge_offset_nm(method)
    below, above = confinement_energy(np.array([ls - 1e-6, ls + 1e-6]), method)
    assert below - above == pytest.approx(0.0, abs=1e-6)  # eV
    for edge in (ls - 2.0, ls + 0.5, ls + 5.0):
        assert size_from_energy(float(confinement_energy(edge, method)), method) == pytest.approx(edge, rel=1e-6)
