"""Transport kernels of qdled.device against analytic limits and independent numerical solutions."""

import numpy as np
import pytest
from scipy.constants import e, epsilon_0, h, k, m_e
from scipy.integrate import solve_ivp

from qdled.device import transport as tr
from qdled.errors import InputError


def test_richardson_constant_textbook_value():
    # A* = 4 pi q m k^2 / h^3 = 1.20173e6 A m^-2 K^-2 (Sze & Ng, ch. 3); recomputed from CODATA here
    assert tr.richardson_constant_A_m2K2() == pytest.approx(1.20173e6, rel=1e-4)
    assert tr.richardson_constant_A_m2K2() == pytest.approx(4 * np.pi * e * m_e * k**2 / h**3, rel=1e-12)


def test_thermionic_inverse_and_ohmic_clip():
    J = np.logspace(-3, 4, 20)
    V = tr.thermionic_voltage_V(J, 0.4)
    assert np.allclose(tr.thermionic_current_A_m2(V, 0.4), J, rtol=1e-10)
    # a downhill step is ohmic: same as a zero barrier
    assert tr.thermionic_saturation_A_m2(-0.5) == tr.thermionic_saturation_A_m2(0.0)


def test_mott_gurney_formula_and_inverse():
    d, mu, er = 50e-9, 1e-8, 3.0
    V = np.array([0.5, 1.0, 2.0])
    J = tr.mott_gurney_current_A_m2(V, d, mu, er)
    assert J == pytest.approx(9 / 8 * er * epsilon_0 * mu * V**2 / d**3, rel=1e-12)
    assert tr.mott_gurney_voltage_V(J, d, mu, er) == pytest.approx(V, rel=1e-12)


def _drift_poisson_voltage(J, d, mu, eps, trapped, free=True):
    """Integrate dE/dx = q (n + n_t(n))/eps with J = q mu n E from E(0) ~ 0 (injecting contact)."""

    def rhs(x, E):
        n = J / (e * mu * E)
        return e * (n * free + trapped(n)) / eps

    E0 = 1e-3  # V/m: the contact field of an ohmic SCLC contact is ~0
    sol = solve_ivp(rhs, (0, d), [E0], rtol=1e-10, atol=1e-6, dense_output=True, method="LSODA")
    x = np.linspace(0, d, 4001)
    return np.trapezoid(sol.sol(x)[0], x)


def test_mott_gurney_recovered_by_numerical_drift_poisson():
    # trap-free single-carrier drift + Poisson, solved numerically, gives 9/8 eps mu V^2/d^3
    d, mu, er, J = 40e-9, 1e-8, 3.0, 100.0
    v_num = _drift_poisson_voltage(J, d, mu, er * epsilon_0, lambda n: 0.0)
    assert v_num == pytest.approx(tr.mott_gurney_voltage_V(J, d, mu, er), rel=1e-3)


def test_mark_helfrich_against_numerical_trap_limited_drift():
    # exponential traps n_t = Nt (n/N)^(1/l); Mark-Helfrich is exact when n_t >> n
    d, mu, er, T, Tt, Nt, N, J = 30e-9, 1e-9, 5.0, 300.0, 1500.0, 1e24, 1e26, 1.0
    l = Tt / T
    trapped = lambda n: Nt * (n / N) ** (1 / l)  # noqa: E731
    v_mh = tr.mark_helfrich_voltage_V(J, d, mu, er, Nt, Tt, T, N)
    # trapped charge only: the Mark-Helfrich closed form is exact (ODE tolerance)
    assert _drift_poisson_voltage(J, d, mu, er * epsilon_0, trapped, free=False) == pytest.approx(v_mh, rel=2e-3)
    # with the free charge too (dominant only next to the contact), MH is within a few per cent
    v_full = _drift_poisson_voltage(J, d, mu, er * epsilon_0, trapped)
    assert v_mh < v_full < 1.05 * v_mh
    assert tr.mark_helfrich_current_A_m2(v_mh, d, mu, er, Nt, Tt, T, N) == pytest.approx(J, rel=1e-10)


def test_sclc_layer_is_trap_free_limit_when_traps_vanish_or_fill():
    d, mu, er = 20e-9, 1e-10, 5.0
    J = np.logspace(-4, 4, 50)
    mg = tr.mott_gurney_voltage_V(J, d, mu, er)
    assert np.array_equal(tr.sclc_layer_voltage_V(J, d, mu, er), mg)
    v = tr.sclc_layer_voltage_V(J, d, mu, er, 1e23, 1500.0, 300.0, 1e25)
    mh = tr.mark_helfrich_voltage_V(J, d, mu, er, 1e23, 1500.0, 300.0, 1e25)
    assert (v >= np.maximum(mg, mh)).all() and (v <= 2**0.125 * np.maximum(mg, mh)).all() and np.all(np.diff(v) > 0)
    assert v[-1] == pytest.approx(mg[-1], rel=1e-6)  # traps filled at high current: Mott-Gurney
    assert v[0] == pytest.approx(mh[0], rel=1e-6)  # low current: trap-limited


def test_murgatroyd_reduces_to_mott_gurney_and_inverts():
    d, mu, er = 37e-9, 1e-7, 3.0
    J = np.logspace(-2, 5, 30)
    assert np.allclose(tr.murgatroyd_voltage_V(J, d, mu, er, 0.0), tr.mott_gurney_voltage_V(J, d, mu, er))
    V = tr.murgatroyd_voltage_V(J, d, mu, er, 5e-4)
    assert np.allclose(tr.murgatroyd_current_A_m2(V, d, mu, er, 5e-4), J, rtol=1e-9)
    assert (V < tr.mott_gurney_voltage_V(J, d, mu, er)).all()  # field-enhanced mobility needs less voltage


def test_ligand_tunnelling_mobility_decay():
    # Liu et al. 2010: beta ~ 1.1 per Angstrom -> one extra Angstrom costs a factor e^1.09
    r = tr.ligand_tunnelling_mobility_m2_Vs(1e-6, 0.8) / tr.ligand_tunnelling_mobility_m2_Vs(1e-6, 0.7)
    assert r == pytest.approx(np.exp(-1.09), rel=1e-12)
    with pytest.raises(InputError, match="ligand_gap_nm"):
        tr.ligand_tunnelling_mobility_m2_Vs(1e-6, -1.0)


def test_langevin_and_input_errors():
    assert tr.langevin_rate_m3_s(2e-8, 4.0) == pytest.approx(e * 2e-8 / (4.0 * epsilon_0))
    with pytest.raises(InputError, match="thickness_m"):
        tr.mott_gurney_current_A_m2(1.0, -1e-9, 1e-8, 3.0)
    with pytest.raises(InputError, match="trap_temperature_K"):
        tr.mark_helfrich_voltage_V(1.0, 1e-8, 1e-8, 3.0, 1e23, 200.0)
