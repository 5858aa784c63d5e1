"""Gauss-Fermi statistics of a Gaussian density of states (qdled.device.dd.statistics) and the drift-diffusion
solver with a DOS width sigma > 0.

References: the Gauss-Fermi integral n/N = int phi(x) F(eta - s x) dx of a Gaussian DOS of width s = sigma/kT
(Coehoorn et al., Phys. Rev. B 72, 155206 (2005)); its exact dilute limit exp(eta + s^2/2) and particle-hole
symmetry follow from the integral itself; the generalised Einstein relation D/(mu V_t) = 1/(d ln n/d eta)
(Roichman & Tessler, Appl. Phys. Lett. 80, 1948 (2002)). Independent oracles: adaptive Gauss-Kronrod quadrature
(scipy.integrate.quad), finite differences, the midpoint rule of the difference quotient, and thermodynamic
equilibrium.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.constants import e as Q_C
from scipy.constants import k as KB
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import expit

from _dd_jacobian import jacobian_error, perturbed_system
from qdled.device.dd import (
    Contact,
    DeviceStructure,
    DriftDiffusionSettings,
    Layer,
    solve_jv,
    solve_structure,
    structure_from_parameters,
)
from qdled.device.dd import solver as dd_solver
from qdled.device.dd import statistics as st
from qdled.device.parameters import device_parameters
from qdled.errors import InputError

VT = KB * 300.0 / Q_C
SQRT_2PI = np.sqrt(2.0 * np.pi)
WIDTHS = (0.05, 0.5, 1.0, 2.0, 3.1, 5.0, 8.0)  # s = sigma/kT; 3.1 = 0.08 eV and 8 = 0.2 eV at 300 K


def _quad(f, s, eta):
    """Adaptive Gauss-Kronrod integral over [-s - 14, s + 14] (the integrands are < 1e-40 of their peak outside),
    with breakpoints at the integrands' possible peaks -s, 0, s and at the Fermi step x = eta/s."""
    pts = sorted({-s, 0.0, s, float(np.clip(eta / s, -s - 13.0, s + 13.0))})
    return quad(f, -s - 14.0, s + 14.0, points=pts, epsabs=0.0, epsrel=1e-13, limit=500)[0]


def _quad_ln_g_and_slope(eta, s):
    """ln(n/N) and d ln n/d eta by quad. Dilute side (eta <= 0) in the scaled form
    n/N = exp(eta + s^2/2) int phi(x + s) F(s x - eta) dx (an O(1) integral at any eta), degenerate side plain."""
    if eta <= 0:
        g = _quad(lambda x: np.exp(-0.5 * (x + s) ** 2) / SQRT_2PI * expit(s * x - eta), s, eta)
        dg = _quad(lambda x: np.exp(-0.5 * (x + s) ** 2) / SQRT_2PI * expit(s * x - eta) ** 2, s, eta)
        return eta + 0.5 * s * s + np.log(g), dg / g
    g = _quad(lambda x: np.exp(-0.5 * x * x) / SQRT_2PI * expit(eta - s * x), s, eta)
    dg = _quad(lambda x: np.exp(-0.5 * x * x) / SQRT_2PI * expit(eta - s * x) * expit(s * x - eta), s, eta)
    return np.log(g), dg / g


def _occ(eta, s):
    return st.occupation_and_slope(eta, s)[0]


def _slope(eta, s):
    return st.occupation_and_slope(eta, s)[1]


# --- the Gauss-Fermi function ---------------------------------------------------------------------------


def test_zero_width_is_the_logistic_fermi_dirac_function():
    # s = 0 is a single level: n/N = F(eta) = 1/(1 + e^-eta), a = F(-eta), exactly (closed form, the solver's
    # former "fermi" statistics bit for bit). As s -> 0 the quadrature tends to it: G = F + (s^2/2) F'' + O(s^4),
    # and |F''/F| <= 1, so at s = 1e-4 ln G differs by <= 5e-9 (tolerance 1e-8).
    eta = np.linspace(-60.0, 60.0, 241)
    ln_g, a = st.log_occupation_and_slope(eta, 0.0)
    np.testing.assert_array_equal(ln_g, -np.logaddexp(0.0, -eta))
    np.testing.assert_array_equal(a, expit(-eta))
    np.testing.assert_array_equal(_occ(eta, 0.0), expit(eta))
    np.testing.assert_array_equal(_slope(eta, 0.0), expit(-eta))
    ln_small, a_small = st.log_occupation_and_slope(eta, 1e-4)
    np.testing.assert_allclose(ln_small, ln_g, rtol=0, atol=1e-8)
    np.testing.assert_allclose(a_small, a, rtol=0, atol=1e-8)


@pytest.mark.parametrize("s", WIDTHS)
def test_quadrature_matches_adaptive_gauss_kronrod(s):
    # Independent numerical method: scipy.integrate.quad (QUADPACK QAGS, relative tolerance 1e-13) on a grid of
    # eta from -40 to 40. The trapezoid rule of the module was measured within 4e-15 (ln G) and 3e-13 (a) of a
    # rule with an 8x finer step; tolerances 1e-12 on ln G (= relative error of n) and 2e-12 relative on a
    # leave room for quad's own 1e-13.
    etas = np.linspace(-40.0, 40.0, 17)
    ln_g, a = st.log_occupation_and_slope(etas, s)
    ref = np.array([_quad_ln_g_and_slope(e, s) for e in etas])
    np.testing.assert_allclose(ln_g, ref[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(a, ref[:, 1], rtol=2e-12)


@pytest.mark.parametrize("s", WIDTHS)
def test_nondegenerate_limit_and_particle_hole_symmetry(s):
    # Dilute limit: int phi(x) e^(eta - s x) dx = e^(eta + s^2/2) exactly; the first Fermi correction is
    # -e^(2 eta + 2 s^2), relative e^(eta + 3 s^2 / 2), so ln G = eta + s^2/2 to within that (+ rounding 1e-14),
    # with a = 1 alike. Points on both sides of the module's shortcut for F = 1 in double precision.
    etas = -1.5 * s * s - np.array([20.0, 30.0, 45.0, 80.0, 400.0])
    ln_g, a = st.log_occupation_and_slope(etas, s)
    bound = 2.0 * np.exp(etas + 1.5 * s * s) + 1e-14 * np.abs(etas)
    assert np.all(np.abs(ln_g - (etas + 0.5 * s * s)) <= bound)
    assert np.all(np.abs(a - 1.0) <= bound)
    # Particle-hole symmetry G(eta) + G(-eta) = 1 (x -> -x in the integral, F(z) + F(-z) = 1); the symmetric
    # grid keeps it for the discrete rule, to rounding
    eta = np.linspace(-30.0, 30.0, 121)
    np.testing.assert_allclose(_occ(eta, s) + _occ(-eta, s), 1.0, rtol=0, atol=1e-14)


@pytest.mark.parametrize("s", (0.0, *WIDTHS))
def test_slope_is_the_derivative_of_log_occupation(s):
    # a must be the exact derivative of the evaluated ln G (Newton's Jacobian): central differences with step
    # 1e-5 have truncation error h^2/6 |(ln G)'''| <= 2e-11 and rounding 2e-16 |ln G| / h <= 2e-9 at |eta| <= 80.
    eta = np.linspace(-80.0, 80.0, 321)
    h = 1e-5
    fd = (st.log_occupation_and_slope(eta + h, s)[0] - st.log_occupation_and_slope(eta - h, s)[0]) / (2 * h)
    np.testing.assert_allclose(_slope(eta, s), fd, rtol=0, atol=5e-9)


def test_generalised_einstein_relation():
    # Roichman & Tessler (2002): D/(mu V_t) = 1/a equals 1 for dilute carriers and grows with the density, and for
    # a Gaussian DOS it does so at far lower occupation than for a single level (where 1/a = 1/(1 - n/N)): at
    # n/N = 1e-3 the single level gives 1.001, s = 3.1 (0.08 eV) 1.17 and s = 5 1.61 (computed). Asserted: the
    # order in s at a fixed density, and for n/N <= 1e-2 an excess (1/a - 1) at s = 3.1 over 10x the single
    # level's (measured 40x at 1e-2, 170x at 1e-3).
    for s in (1.0, 3.1, 5.0):
        eta = np.linspace(-1.5 * s * s - 45.0, 20.0, 400)
        ratio = 1.0 / _slope(eta, s)
        assert ratio[0] == pytest.approx(1.0, abs=1e-12)
        assert np.all(np.diff(ratio) > -1e-15)  # non-decreasing (a ~ 1 rounds by 1 ulp); strictly once resolved:
        assert np.all(np.diff(ratio[ratio > 1.0 + 1e-9]) > 0) and ratio[-1] > 10.0
    for density in (1e-4, 1e-3, 1e-2, 1e-1):
        ratios = []
        for s in (0.0, 1.0, 3.1, 5.0):
            eta = brentq(lambda e, s=s, c=density: st.log_occupation_and_slope(e, s)[0] - np.log(c), -200.0, 50.0)
            ratios.append(1.0 / _slope(eta, s))
        assert ratios[0] == pytest.approx(1.0 / (1.0 - density), rel=1e-9)
        assert np.all(np.diff(ratios) > 0)
        if density <= 1e-2:  # where the single level is still nearly Boltzmann
            assert ratios[2] - 1.0 > 10.0 * (ratios[0] - 1.0)


@pytest.mark.parametrize("s", (0.0, 1.0, 3.1, 8.0))
def test_density_excess_is_free_of_cancellation(s):
    # G(eta + d) - G(eta) at d = 1e-10: the midpoint rule d G'(eta + d/2) is exact to O(d^3 G''') i.e. to a
    # relative 1e-20, and G' = G a comes from quad (independent method, 1e-13). The excess must agree to 1e-11;
    # the naive difference of two densities near 1 loses ~6 digits (checked below, so this test can fail).
    d = 1e-10
    for eta in (-30.0, -5.0, 0.0, 4.0, 25.0):
        ln_g, a = _quad_ln_g_and_slope(eta + d / 2, s) if s > 0 else (-np.logaddexp(0, -eta - d / 2), expit(-eta))
        ref = d * np.exp(ln_g) * a
        g1 = _occ(eta + d, s)
        exc = st.density_excess(g1, eta + d, eta, s)
        assert exc == pytest.approx(ref, rel=1e-11)
        assert st.density_excess(_occ(eta, s), eta, eta + d, s) == pytest.approx(-ref, rel=1e-11)
    naive = _occ(4.0 + d, s) - _occ(4.0, s)
    assert abs(naive / exc - 1.0) > 1e-9
    # large differences against the plain difference (no cancellation there), broadcast over arrays
    e1, e2 = np.array([-20.0, -3.0, 2.0, 10.0]), np.array([-25.0, 1.0, -2.0, 3.0])
    g1 = _occ(e1, s)
    np.testing.assert_allclose(st.density_excess(g1, e1, e2, s), g1 - _occ(e2, s), rtol=1e-12)


def test_width_inputs_are_checked():
    # the Boltzmann limit of a Gaussian DOS is N exp(eta + s^2/2): a width with Boltzmann statistics is refused,
    # and the message says what to do instead; a negative width names the layer and the value
    with pytest.raises(InputError, match=r"L: dos_width_eV = 0.1 needs statistics='fermi'.*exp"):
        Layer("L", 1e-7, 3.0, 2.0, 5.0, 1e-8, 1e-8, dos_width_eV=0.1)
    with pytest.raises(InputError, match=r"L\.dos_width_eV must be >= 0, got -0.01"):
        Layer("L", 1e-7, 3.0, 2.0, 5.0, 1e-8, 1e-8, statistics="fermi", dos_width_eV=-0.01)
    with pytest.raises(InputError, match="organic_dos_width_eV"):
        DriftDiffusionSettings(organic_dos_width_eV=float("nan"))
    with pytest.raises(InputError, match="sigma/kT"):
        st.log_occupation_and_slope(0.0, -1.0)


# --- the solver with sigma > 0 ----------------------------------------------------------------------------

SIGMA_EV = 0.1
S_REDUCED = SIGMA_EV / VT
N_SITES = 1e26


def _hole_device(anode_eV, cathode_eV, gauss):
    """Hole-transport layer (HOMO 5.0 eV, LUMO 2.0 eV), 100 nm, ohmic contacts: Gauss-Fermi with sigma = 0.1 eV
    and N, or Boltzmann with N exp(s^2/2) (its dilute limit). Ohmic contacts fix the quasi-Fermi levels, so the
    devices differ only by the statistics (a thermionic contact's Richardson velocity A*T^2/(q N) would differ)."""
    if gauss:
        layer = Layer("L", 1e-7, 3.0, 2.0, 5.0, 1e-8, 1e-8, N_SITES, N_SITES, statistics="fermi", dos_width_eV=SIGMA_EV)
    else:
        nb = N_SITES * np.exp(0.5 * S_REDUCED**2)
        layer = Layer("L", 1e-7, 3.0, 2.0, 5.0, 1e-8, 1e-8, nb, nb)
    return DeviceStructure((layer,), Contact(anode_eV, ohmic=True), Contact(cathode_eV, ohmic=True))


def test_equilibrium_with_gaussian_dos_in_every_layer():
    # Thermodynamic equilibrium (as in tests/test_device_drift_diffusion.py): at 0 V no current and flat quasi-Fermi
    # levels, now with Gaussian DOS widths in the organics (0.08 eV) and the QD film (0.05 eV). The modified SG
    # flux with the effective band edge V_t ln n + phi is exactly zero at flat quasi-Fermi levels for any
    # statistics, so the tolerances are the roundoff ones of the Boltzmann test.
    p = device_parameters("li2024-nsa-pf6")
    s = structure_from_parameters(p, DriftDiffusionSettings(organic_dos_width_eV=0.08, qd_dos_width_eV=0.05))
    assert all(layer.dos_width_eV > 0 for layer in s.layers)
    r = solve_structure(s, [0.0, 1.0], n_nodes=300)
    assert r.current_density_A_m2[0] == pytest.approx(0.0, abs=1e-12)
    assert np.max(np.abs(r.electron_fermi_eV[0])) < 1e-12
    assert np.max(np.abs(r.hole_fermi_eV[0])) < 1e-12
    wf_diff = s.anode.work_function_eV - s.cathode.work_function_eV
    assert r.built_in_voltage_V == pytest.approx(wf_diff, abs=1e-12)
    assert 0 < r.current_density_A_m2[1] < 1e-3


def test_dilute_device_equals_boltzmann_with_effective_dos():
    # Exact dilute limit of the Gaussian DOS: n = N exp(eta + s^2/2) (sigma = 0.1 eV, s = 3.87), i.e. Boltzmann
    # statistics with N exp(s^2/2). A 0.85 eV hole barrier keeps eta <= -32.9 everywhere (p/N < 1e-11), where the
    # first Fermi correction is e^(eta + 3 s^2/2) = 3e-5; the J-V must agree to that (tolerance 1e-4) and the
    # Gauss-Fermi current must be the smaller one (the correction lowers the density).
    V = [0.5, 2.0, 5.0]
    jg = solve_structure(_hole_device(4.15, 4.0, True), V, n_nodes=300)
    jb = solve_structure(_hole_device(4.15, 4.0, False), V, n_nodes=300)
    assert jg.hole_density_m3.max() < 1e-11 * N_SITES
    rel = jb.current_density_A_m2 / jg.current_density_A_m2 - 1.0
    assert np.all((rel > 0) & (rel < 1e-4))


def test_degenerate_device_carries_more_current_than_boltzmann_equivalent():
    # At high density the generalised Einstein relation raises diffusion, D/(mu V_t) = 1/a > 1 (Roichman &
    # Tessler 2002), and the space-charge-limited current of the Gaussian DOS exceeds that of the Boltzmann device
    # with N exp(s^2/2), although the latter has a ~1000x larger (unphysical, > N) density at the ohmic anode.
    # Barrier-free hole injection (anode at the HOMO, p/N = 1/2 there), blocking cathode (1.5 eV), above the
    # 1.5 V built-in voltage; measured 7 % (2 V) and 6 % (5 V) more. Qualitative, and it discriminates: with a
    # 0.5 eV injection barrier (dilute bulk) the Boltzmann device carries 10-18 % more (measured).
    V = [2.0, 5.0]
    jg = solve_structure(_hole_device(5.0, 3.5, True), V, n_nodes=300).current_density_A_m2
    jb = solve_structure(_hole_device(5.0, 3.5, False), V, n_nodes=300).current_density_A_m2
    assert np.all(jg > jb)


def test_analytic_jacobian_matches_finite_differences_with_gaussian_dos():
    # As tests/test_device_drift_diffusion.py::test_analytic_jacobian_matches_finite_differences (Newton's
    # quadratic convergence needs the exact Jacobian), with Gauss-Fermi widths in every layer: the slope a of the
    # quadrature enters the SG, Poisson, recombination and contact entries. Central differences, step 1e-7 V.
    settings = DriftDiffusionSettings(organic_dos_width_eV=0.08, qd_dos_width_eV=0.05)
    s = structure_from_parameters(device_parameters("li2024-nsa-pf6"), settings)
    V = 3.0
    sysm, g, X = perturbed_system(s, V, seed=5)
    # raise the Fermi levels of the most occupied nodes by 0.2 eV, so that the degenerate side of the quadrature
    # (eta > 0) is exercised as well as the dilute one
    eta_n, eta_p = dd_solver._densities(g, X[0::3], X[1::3], X[2::3])[:2]
    X[1::3] -= np.where(eta_n > -6.0, 0.2, 0.0)
    X[2::3] += np.where(eta_p > -6.0, 0.2, 0.0)
    eta_n, eta_p = dd_solver._densities(g, X[0::3], X[1::3], X[2::3])[:2]
    assert eta_n.max() > 0 and eta_p.max() > 0
    assert jacobian_error(sysm, X, V) < 1e-5


def test_default_led_with_organic_dos_width():
    # The default LED with sigma = 0.08 eV in PTAA, TmPyPB and PO-T2T solves over 0-8 V, conserves current as
    # the sigma = 0 device does (tests/test_device_drift_diffusion.py::test_current_continuity) and is unchanged
    # at sigma = 0 (default settings). The change of J and of the photon current J x IQE is printed, not asserted.
    p = device_parameters("li2024-nsa-pf6")
    V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.25), 10)
    r0 = solve_jv(p, V)
    r = solve_jv(p, V, settings=DriftDiffusionSettings(organic_dos_width_eV=0.08))
    assert np.all(np.isfinite(r.current_density_A_m2)) and np.all(np.diff(r.current_density_A_m2[1:]) > 0)
    assert np.all(r.continuity_error[1:] < 1e-7)
    assert np.all(r.continuity_excess[1:] < 1e-7)
    print("\nV [V]  J(0) [A/m2]  J(0.08 eV)  J IQE(0)  J IQE(0.08 eV)")  # shown with pytest -s
    for v in (2.0, 3.0, 4.0, 5.0, 6.0, 8.0):
        m = int(np.argmin(np.abs(V - v)))
        j0, j1 = r0.current_density_A_m2[m], r.current_density_A_m2[m]
        ph0, ph1 = j0 * r0.internal_quantum_efficiency[m], j1 * r.internal_quantum_efficiency[m]
        print(f"{v:4.1f}  {j0:11.4g}  {j1:11.4g}  {ph0:9.4g}  {ph1:9.4g}")


def test_widths_reach_the_layers():
    # DriftDiffusionSettings widths go to the organic layers and the QD film respectively; defaults stay 0
    p = device_parameters("li2024-nsa-pf6")
    s = structure_from_parameters(p, DriftDiffusionSettings(organic_dos_width_eV=0.08, qd_dos_width_eV=0.03))
    assert {layer.name: layer.dos_width_eV for layer in s.layers} == {
        "PTAA": 0.08,
        "QD": 0.03,
        "TmPyPB": 0.08,
        "PO-T2T": 0.08,
    }
    assert all(layer.dos_width_eV == 0.0 for layer in structure_from_parameters(p).layers)
