"""Charge-transport kernels: thermionic injection, space-charge-limited (trap-free and
trap-limited) transport, ligand-shell tunnelling mobility, Langevin recombination.

Every law is written both ways where the device model needs it: current density from voltage
(the textbook form, used in the tests against analytic limits) and voltage from current density
(used by the series model in :mod:`qdled.device.electrical`, which sums the voltage drops of the
elements carrying one current). SI units: A/m^2, V, m, m^2/(V s), K.

Laws and their limits
---------------------
* Thermionic (Richardson) injection over a barrier ``phi_B`` [1]:
  ``J = A* T^2 exp(-phi_B / kT) (exp(qV/kT) - 1)``, ``A* = 4 pi q m* k^2 / h^3``.
  Image-force (Schottky) lowering is omitted: at a space-charge-limited contact the field at the
  interface is ~0. Negative barriers (downhill steps) are treated as ohmic (``phi_B = 0``).
* Trap-free SCLC, Mott-Gurney [2] ``J = 9/8 eps mu V^2 / d^3``; with a Poole-Frenkel field-dependent
  mobility ``mu = mu0 exp(gamma sqrt(F))`` in Murgatroyd's approximation [3]
  ``J = 9/8 eps mu0 exp(0.891 gamma sqrt(V/d)) V^2 / d^3``.
* Trap-limited SCLC with an exponential trap distribution (characteristic temperature ``T_t``,
  ``l = T_t/T``), Mark-Helfrich [4]:
  ``J = N mu q^(1-l) (eps l / (N_t (l+1)))^l ((2l+1)/(l+1))^(l+1) V^(l+1) / d^(2l+1)``.
  Traps fill at high voltage; the current can never exceed the trap-free Mott-Gurney value, so a
  layer needs ``V ~ max(V_MG(J), V_MH(J))``, taken as the smooth maximum ``(V_MG^8 + V_MH^8)^(1/8)``
  (within 9 % of the max at the crossover, exact away from it; smooth, monotonic).
* Ligand-shell tunnelling mobility of a QD film: ``mu = mu0 exp(-beta d)`` with ``d`` the
  edge-to-edge tunnelling distance; ``beta = 1.08-1.10 / Angstrom`` measured for alkane tunnel
  barriers in nanocrystal solids [5].
* Langevin bimolecular recombination ``k_L = q (mu_e + mu_h) / eps`` [6].

References
----------
.. [1] Sze, S. M. & Ng, K. K., Physics of Semiconductor Devices, 3rd ed., Wiley (2007), ch. 3.
.. [2] Mott, N. F. & Gurney, R. W., Electronic Processes in Ionic Crystals, Oxford (1940).
.. [3] Murgatroyd, P. N., J. Phys. D 3, 151 (1970).
.. [4] Mark, P. & Helfrich, W., J. Appl. Phys. 33, 205 (1962).
.. [5] Liu, Y. et al., Nano Lett. 10, 1960 (2010): beta = 1.08-1.10 per Angstrom (PbSe NC solids,
   alkanedithiol ligands).
.. [6] Langevin, P., Ann. Chim. Phys. 28, 433 (1903); Pope, M. & Swenberg, C. E., Electronic
   Processes in Organic Crystals and Polymers, Oxford (1999).
"""

from __future__ import annotations

import numpy as np
from scipy.constants import e as Q_C
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import h as H_J_S
from scipy.constants import k as KB
from scipy.constants import m_e as ME

from qdled.errors import InputError, require_finite_positive

__all__ = [
    "richardson_constant_A_m2K2",
    "thermal_voltage_V",
    "thermionic_saturation_A_m2",
    "thermionic_current_A_m2",
    "thermionic_voltage_V",
    "mott_gurney_current_A_m2",
    "mott_gurney_voltage_V",
    "murgatroyd_current_A_m2",
    "murgatroyd_voltage_V",
    "mark_helfrich_current_A_m2",
    "mark_helfrich_voltage_V",
    "sclc_layer_voltage_V",
    "sclc_mean_density_m3",
    "ligand_tunnelling_mobility_m2_Vs",
    "langevin_rate_m3_s",
]


def richardson_constant_A_m2K2(effective_mass_ratio: float = 1.0) -> float:
    """Richardson constant ``A* = 4 pi q m* k^2 / h^3`` [A m^-2 K^-2] (1.20e6 for m* = m0)."""
    m = require_finite_positive("effective_mass_ratio", effective_mass_ratio)
    return 4.0 * np.pi * Q_C * m * ME * KB**2 / H_J_S**3


def thermal_voltage_V(temperature_K: float) -> float:
    """kT/q [V]."""
    return KB * require_finite_positive("temperature_K", temperature_K) / Q_C


def thermionic_saturation_A_m2(
    barrier_eV: float, temperature_K: float = 300.0, effective_mass_ratio: float = 1.0
) -> float:
    """Saturation current ``A* T^2 exp(-max(phi_B, 0)/kT)`` [A/m^2] of a thermionic contact."""
    T = require_finite_positive("temperature_K", temperature_K)
    phi = max(float(barrier_eV), 0.0)
    return richardson_constant_A_m2K2(effective_mass_ratio) * T**2 * np.exp(-phi / thermal_voltage_V(T))


def thermionic_current_A_m2(
    voltage_V, barrier_eV: float, temperature_K: float = 300.0, effective_mass_ratio: float = 1.0
):
    """Thermionic-emission current density [A/m^2] across a barrier at forward voltage ``voltage_V``."""
    js = thermionic_saturation_A_m2(barrier_eV, temperature_K, effective_mass_ratio)
    return js * np.expm1(np.asarray(voltage_V, float) / thermal_voltage_V(temperature_K))


def thermionic_voltage_V(
    current_density_A_m2, barrier_eV: float, temperature_K: float = 300.0, effective_mass_ratio: float = 1.0
):
    """Voltage [V] a thermionic contact needs to pass ``current_density_A_m2`` (inverse of the above)."""
    js = thermionic_saturation_A_m2(barrier_eV, temperature_K, effective_mass_ratio)
    return thermal_voltage_V(temperature_K) * np.log1p(np.asarray(current_density_A_m2, float) / js)


def _eps(eps_r: float) -> float:
    return EPS0 * require_finite_positive("eps_r", eps_r)


def mott_gurney_current_A_m2(voltage_V, thickness_m: float, mobility_m2_Vs: float, eps_r: float):
    """Trap-free single-carrier SCLC ``9/8 eps mu V^2 / d^3`` [A/m^2] (V >= 0)."""
    d = require_finite_positive("thickness_m", thickness_m)
    mu = require_finite_positive("mobility_m2_Vs", mobility_m2_Vs)
    V = np.asarray(voltage_V, float)
    return 9.0 / 8.0 * _eps(eps_r) * mu * V**2 / d**3


def mott_gurney_voltage_V(current_density_A_m2, thickness_m: float, mobility_m2_Vs: float, eps_r: float):
    """Voltage [V] across a trap-free SCLC layer carrying ``current_density_A_m2`` (J >= 0)."""
    d = require_finite_positive("thickness_m", thickness_m)
    mu = require_finite_positive("mobility_m2_Vs", mobility_m2_Vs)
    J = np.asarray(current_density_A_m2, float)
    return np.sqrt(8.0 * J * d**3 / (9.0 * _eps(eps_r) * mu))


def murgatroyd_current_A_m2(voltage_V, thickness_m: float, mobility_m2_Vs: float, eps_r: float, gamma_sqrt_m_V: float):
    """SCLC with Poole-Frenkel mobility, Murgatroyd's form [A/m^2]; ``gamma`` in (m/V)^0.5."""
    V = np.asarray(voltage_V, float)
    mg = mott_gurney_current_A_m2(V, thickness_m, mobility_m2_Vs, eps_r)
    return mg * np.exp(0.891 * gamma_sqrt_m_V * np.sqrt(V / thickness_m))


def murgatroyd_voltage_V(
    current_density_A_m2, thickness_m: float, mobility_m2_Vs: float, eps_r: float, gamma_sqrt_m_V: float
):
    """Voltage [V] across a Murgatroyd SCLC layer carrying ``J`` (vectorised Newton in ln V).

    ``ln J(u) = ln J_MG(e^u) + a e^(u/2)`` with ``u = ln V`` is increasing and convex in ``u``,
    so Newton's method started at the Mott-Gurney voltage (an upper bound for ``gamma >= 0``)
    converges monotonically.
    """
    if gamma_sqrt_m_V < 0:
        raise InputError(f"gamma_sqrt_m_V must be >= 0, got {gamma_sqrt_m_V}")
    J = np.asarray(current_density_A_m2, float)
    v_mg = mott_gurney_voltage_V(J, thickness_m, mobility_m2_Vs, eps_r)
    if gamma_sqrt_m_V == 0:
        return v_mg
    pos = J > 0
    u = np.log(np.where(pos, v_mg, 1.0))
    lnJ = np.log(np.where(pos, J, 1.0))
    a = 0.891 * gamma_sqrt_m_V / np.sqrt(thickness_m)
    c = np.log(9.0 / 8.0 * _eps(eps_r) * mobility_m2_Vs / thickness_m**3)
    for _ in range(60):
        g = c + 2.0 * u + a * np.exp(0.5 * u) - lnJ
        step = g / (2.0 + 0.5 * a * np.exp(0.5 * u))
        u = u - step
        if np.max(np.abs(step)) < 1e-12:
            break
    return np.where(pos, np.exp(u), 0.0)


def _mh_prefactor(thickness_m, mobility_m2_Vs, eps_r, trap_density_m3, trap_temperature_K, temperature_K, dos_m3):
    d = require_finite_positive("thickness_m", thickness_m)
    l = require_finite_positive("trap_temperature_K", trap_temperature_K) / require_finite_positive(
        "temperature_K", temperature_K
    )
    if l <= 1:
        raise InputError(f"trap_temperature_K must exceed temperature_K (l = Tt/T > 1), got l = {l:.3g}")
    Nt = require_finite_positive("trap_density_m3", trap_density_m3)
    N = require_finite_positive("dos_m3", dos_m3)
    mu = require_finite_positive("mobility_m2_Vs", mobility_m2_Vs)
    logK = (
        np.log(N * mu)
        + (1 - l) * np.log(Q_C)
        + l * np.log(_eps(eps_r) * l / (Nt * (l + 1)))
        + (l + 1) * np.log((2 * l + 1) / (l + 1))
        - (2 * l + 1) * np.log(d)
    )
    return logK, l


def mark_helfrich_current_A_m2(
    voltage_V, thickness_m, mobility_m2_Vs, eps_r, trap_density_m3, trap_temperature_K, temperature_K=300.0, dos_m3=1e26
):
    """Trap-limited SCLC (exponential traps, Mark-Helfrich) [A/m^2]; ``dos_m3`` = transport-level DOS."""
    logK, l = _mh_prefactor(
        thickness_m, mobility_m2_Vs, eps_r, trap_density_m3, trap_temperature_K, temperature_K, dos_m3
    )
    V = np.asarray(voltage_V, float)
    return np.exp(logK) * V ** (l + 1)


def mark_helfrich_voltage_V(
    current_density_A_m2,
    thickness_m,
    mobility_m2_Vs,
    eps_r,
    trap_density_m3,
    trap_temperature_K,
    temperature_K=300.0,
    dos_m3=1e26,
):
    """Voltage [V] across a trap-limited SCLC layer carrying ``J`` (inverse of the above)."""
    logK, l = _mh_prefactor(
        thickness_m, mobility_m2_Vs, eps_r, trap_density_m3, trap_temperature_K, temperature_K, dos_m3
    )
    J = np.asarray(current_density_A_m2, float)
    with np.errstate(divide="ignore"):
        return np.exp((np.log(J) - logK) / (l + 1))


def sclc_layer_voltage_V(
    current_density_A_m2,
    thickness_m,
    mobility_m2_Vs,
    eps_r,
    trap_density_m3=0.0,
    trap_temperature_K=1500.0,
    temperature_K=300.0,
    dos_m3=1e26,
):
    """Voltage [V] across a single-carrier SCLC layer: smooth ``max(V_MG, V_MH)`` (MG alone without traps)."""
    v = mott_gurney_voltage_V(current_density_A_m2, thickness_m, mobility_m2_Vs, eps_r)
    if trap_density_m3 == 0:
        return v
    v_mh = mark_helfrich_voltage_V(
        current_density_A_m2,
        thickness_m,
        mobility_m2_Vs,
        eps_r,
        trap_density_m3,
        trap_temperature_K,
        temperature_K,
        dos_m3,
    )
    big = np.maximum(v, v_mh)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(big > 0, np.minimum(v, v_mh) / big, 0.0)
    return big * (1.0 + r**8) ** 0.125


def sclc_mean_density_m3(voltage_V, thickness_m: float, eps_r: float):
    """Mean space-charge carrier density ``3 eps V / (2 q d^2)`` [m^-3] of a Mott-Gurney layer."""
    d = require_finite_positive("thickness_m", thickness_m)
    return 1.5 * _eps(eps_r) * np.asarray(voltage_V, float) / (Q_C * d**2)


def ligand_tunnelling_mobility_m2_Vs(prefactor_m2_Vs: float, ligand_gap_nm, beta_per_angstrom: float = 1.09):
    """QD-film mobility ``mu0 exp(-beta d)`` [m^2/(V s)] for an edge-to-edge ligand gap [nm]."""
    mu0 = require_finite_positive("prefactor_m2_Vs", prefactor_m2_Vs)
    beta = require_finite_positive("beta_per_angstrom", beta_per_angstrom)
    d = np.asarray(ligand_gap_nm, float)
    if (d < 0).any():
        raise InputError(f"ligand_gap_nm must be >= 0, got {ligand_gap_nm}")
    return mu0 * np.exp(-beta * 10.0 * d)


def langevin_rate_m3_s(mobility_sum_m2_Vs: float, eps_r: float) -> float:
    """Langevin recombination coefficient ``q (mu_e + mu_h) / eps`` [m^3/s]."""
    return Q_C * require_finite_positive("mobility_sum_m2_Vs", mobility_sum_m2_Vs) / _eps(eps_r)
