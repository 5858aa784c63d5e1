"""Population balance against analytic coarsening theory and conservation laws.

References: Lifshitz & Slyozov, J. Phys. Chem. Solids 19, 35 (1961); Wagner, Z. Elektrochem.
65, 581 (1961) (asymptotic rate constants and scaled size distributions).
"""

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.synthesis import kinetics as kin
from qdled.synthesis import pbe

VM = 1.4985e-4  # CsPbI3 molar volume [m^3/mol]
T = 423.15
GAMMA = 0.002  # small, so that the capillary length (0.17 nm) << r: the linearised theory applies


def lsw_shape(u):
    """LSW scaled distribution of u = r/<r> (support u < 3/2)."""
    u = np.asarray(u, dtype=float)
    out = np.zeros_like(u)
    s = u < 1.5
    x = u[s]
    out[s] = x**2 * (3 / (3 + x)) ** (7 / 3) * (1.5 / (1.5 - x)) ** (11 / 3) * np.exp(-x / (1.5 - x))
    return out


def wagner_shape(v):
    """Wagner scaled distribution of v = r/r_crit (support v < 2; <r> = 8/9 r_crit)."""
    v = np.asarray(v, dtype=float)
    out = np.zeros_like(v)
    s = v < 2
    x = v[s]
    out[s] = x * (2 / (2 - x)) ** 5 * np.exp(-3 * x / (2 - x))
    return out


def _coarsen(mode, initial_shape, n_bins=400, rtol=1e-6):
    grid = pbe.log_grid(n_bins, 0.5e-9, 40e-9)
    if mode == "lsw":
        d, k, p = 5e-10, 1e3, 3  # diffusion limited: D/(k r) ~ 1e-5
        rate = kin.lsw_rate_constant(GAMMA, d, 0.01, VM, T)
    else:
        d, k, p = 1e-2, 1e-6, 2  # reaction limited: D/(k r) ~ 1e12
        rate = kin.wagner_rate_constant(GAMMA, k, 0.01, VM, T)
    rates = pbe.Rates(T, GAMMA, k, d, 0.01)
    r0 = 5e-9
    m = initial_shape(grid.centres_m) * grid.widths_m * grid.volumes_m3 / VM
    m *= 10.0 / m.sum()
    y0 = np.append(m, 0.01 * (1 + kin.capillary_length_m(GAMMA, VM, T) / r0))
    t_end = ((2 * r0) ** p - r0**p) / rate  # until the mean radius doubles
    t, y = pbe.integrate(
        grid, y0, (0, t_end), lambda t, a: rates, VM, t_eval=np.linspace(0, t_end, 11), rtol=rtol, atol=1e-10
    )
    number = y[:, :-1] * VM / grid.volumes_m3
    mean = (number * grid.centres_m).sum(1) / number.sum(1)
    slope = np.polyfit(t, mean**p, 1)[0]
    return grid, t, y, number, mean, slope / rate


def _shape_distance(grid, number, mean, shape, scale=1.0):
    u = grid.centres_m / mean
    dens = number / grid.widths_m
    dens = dens / np.trapezoid(dens, u)
    ref = shape(u * scale)
    ref = ref / np.trapezoid(ref, u)
    return np.trapezoid(np.abs(dens - ref), u)


def test_lsw_rate_constant_and_shape():
    grid, t, y, number, mean, ratio = _coarsen("lsw", lambda r: lsw_shape(r / 5e-9))
    assert mean[-1] / mean[0] == pytest.approx(2.0, rel=0.05)
    # <r>^3 linear in t with K = 8 gamma D c_inf Vm^2 / (9 R T); measured 1.02 (the residual
    # is the exp vs linearised Gibbs-Thomson term, l/r ~ 0.03), brief demands 5 %
    assert ratio == pytest.approx(1.0, abs=0.05)
    # the LSW distribution is preserved (L1 distance of normalised shapes; 0.01 measured)
    assert _shape_distance(grid, number[-1], mean[-1], lsw_shape) < 0.05
    # and mass is conserved to round-off
    total = y.sum(axis=1)
    assert np.max(np.abs(total / total[0] - 1)) < 1e-10


def test_gaussian_relaxes_towards_lsw_shape():
    """A narrow Gaussian start is far from the LSW shape; coarsening pulls it towards it."""
    gauss = lambda r: np.exp(-0.5 * ((r - 5e-9) / 0.5e-9) ** 2)  # noqa: E731
    grid, t, y, number, mean, ratio = _coarsen("lsw", gauss)
    d0 = _shape_distance(grid, number[0], mean[0], lsw_shape)
    d1 = _shape_distance(grid, number[-1], mean[-1], lsw_shape)
    assert d1 < 0.6 * d0
    # the transient rate is above K (the known slow approach to LSW), but the right order
    assert 1.0 < ratio < 1.3


def test_wagner_square_law():
    grid, t, y, number, mean, ratio = _coarsen("wagner", lambda r: wagner_shape(r / (5e-9 * 9 / 8)))
    # <r>^2 linear in t with K = 64 gamma k c_inf Vm^2 / (81 R T); measured 1.022
    assert ratio == pytest.approx(1.0, abs=0.05)
    assert _shape_distance(grid, number[-1], mean[-1], wagner_shape, scale=8 / 9) < 0.05  # v = r/r_c = (8/9) r/<r>


def test_diffusion_and_reaction_laws_differ():
    """The reaction-limited run does not follow the cube law (the test can tell them apart)."""
    *_, mean, _ = _coarsen("wagner", lambda r: wagner_shape(r / (5e-9 * 9 / 8)), n_bins=200, rtol=1e-4)
    t = np.linspace(0, 1, mean.size)
    r2 = np.polyfit(t, mean**2, 1, full=True)[1][0] / np.var(mean**2) / mean.size
    r3 = np.polyfit(t, mean**3, 1, full=True)[1][0] / np.var(mean**3) / mean.size
    assert r2 < 0.1 * r3


def test_growth_rate_limits():
    r = np.array([1e-9, 3e-9])
    lcap = kin.capillary_length_m(0.05, VM, T)
    g_mixed = kin.growth_rate_m_s(r, 1.0, 0.01, lcap, 5e-10, 1e-6, VM)
    g_diff = kin.growth_rate_m_s(r, 1.0, 0.01, lcap, 5e-10, 1e6, VM)
    g_reac = kin.growth_rate_m_s(r, 1.0, 0.01, lcap, 1e6, 1e-6, VM)
    drive = 1.0 - 0.01 * np.exp(lcap / r)
    np.testing.assert_allclose(g_diff, VM * 5e-10 * drive / r, rtol=1e-6)
    np.testing.assert_allclose(g_reac, VM * 1e-6 * drive, rtol=1e-6)
    assert np.all(np.abs(g_mixed) < np.minimum(np.abs(g_diff), np.abs(g_reac)))
    # a particle of the critical radius neither grows nor dissolves
    s = 20.0
    r_star = kin.critical_radius_m(s, lcap)
    assert kin.growth_rate_m_s(r_star, s * 0.01, 0.01, lcap, 5e-10, 1e-6, VM) == pytest.approx(0.0, abs=1e-20)


def test_edge_radius_equal_volume():
    edge = kin.edge_from_radius(2.0)
    assert edge**3 == pytest.approx(4 / 3 * np.pi * 8.0)
    assert kin.radius_from_edge(edge) == pytest.approx(2.0)


def test_grid_validation():
    with pytest.raises(InputError, match="n_bins"):
        pbe.log_grid(5, 1e-9, 1e-8)
    with pytest.raises(InputError, match="r_min_m"):
        pbe.log_grid(100, 1e-8, 1e-9)
