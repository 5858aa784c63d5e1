"""Light generation in the QD layer: effective radiative efficiency with the Purcell effect and
the efficiency roll-off channels, and EQE(J).

Model
-----
Excitons are generated at ``G = eta_cb J / (q d)`` per volume in a QD layer of thickness ``d``
(``eta_cb`` is the charge-balance factor from :mod:`qdled.device.electrical`). They decay with

* the radiative rate ``F k_r`` (``F`` = Purcell factor, ``k_r = PLQY / tau_PL``),
* the non-radiative rate ``k_nr = (1 - PLQY) / tau_PL`` measured at ambient temperature,
* exciton-exciton (Auger) annihilation when two excitons share a dot: rate ``(n_x/N_QD) / tau_XX``
  (``N_QD`` = dot density, ``tau_XX`` = biexciton Auger lifetime), the per-dot form of the
  bimolecular annihilation term of ref. [1],
* Joule-heating thermal quenching: the device warms by ``dT = R_th J V`` and an activated channel
  ``k_r [exp(-Ea/k (1/T - 1/T_half)) - exp(-Ea/k (1/T0 - 1/T_half))]`` opens (zero at the ambient
  ``T0``, equal to ``k_r`` at ``T_half`` relative to ambient), the thermal roll-off of ref. [1].

Exciton-charge (polaron) quenching, the third channel of ref. [1], enters through ``eta_cb`` (excess
charges that make dots charged and dark). The steady-state exciton density solves
``G = k0 n + n^2 / (N_QD tau_XX)`` (closed form). Then

``q_eff = F k_r / (F k_r + k_nr + k_th + n/(N_QD tau_XX))``, which at low current reduces to
``F q / (1 - q + F q)`` (ref. [2]), and ``EQE = eta_cb q_eff eta_out``.

References
----------
.. [1] Murawski, C., Leo, K. & Gather, M. C., Adv. Mater. 25, 6801 (2013): roll-off by
   exciton-exciton annihilation, exciton-polaron quenching and Joule heating.
.. [2] Purcell, E. M., Phys. Rev. 69, 681 (1946); for emitters in LED microcavities e.g.
   Furno, M. et al., Phys. Rev. B 85, 115205 (2012).
.. [3] Makarov, N. S. et al., Nano Lett. 16, 2349 (2016): biexciton Auger lifetimes of CsPbX3
   nanocrystals, tens of ps for ~4-5 nm dots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_C
from scipy.constants import k as KB

from qdled.errors import InputError, require_finite_positive

__all__ = [
    "purcell_quantum_yield",
    "RollOff",
    "effective_quantum_yield",
    "external_quantum_efficiency",
    "thermal_quench_ratio",
]


def purcell_quantum_yield(plqy: float, purcell_factor: float) -> float:
    """Radiative efficiency in the cavity ``F q / (1 - q + F q)``."""
    q = _fraction("plqy", plqy)
    F = require_finite_positive("purcell_factor", purcell_factor)
    return F * q / (1.0 - q + F * q)


def _fraction(name: str, v: float) -> float:
    v = require_finite_positive(name, v)
    if v > 1:
        raise InputError(f"{name} must be in (0, 1], got {v}")
    return v


@dataclass(frozen=True)
class RollOff:
    """Parameters of the roll-off channels (see module docstring).

    ``pl_lifetime_s``: PL lifetime of the QD film [s]; ``auger_lifetime_s``: biexciton Auger lifetime
    [s]; ``dot_density_m3``: dots per m^3; ``thermal_resistance_K_m2_W``: device temperature rise per
    dissipated electrical power density; ``quench_activation_eV`` and ``quench_half_temperature_K``:
    activated thermal quenching; ``ambient_K``: ambient temperature.
    """

    pl_lifetime_s: float
    auger_lifetime_s: float
    dot_density_m3: float
    thermal_resistance_K_m2_W: float
    quench_activation_eV: float
    quench_half_temperature_K: float
    ambient_K: float = 300.0


def thermal_quench_ratio(temperature_K, *, activation_eV: float, half_temperature_K: float, ambient_K: float):
    """Rate of the activated thermal quenching channel in units of ``k_r`` (see the module docstring): zero at
    ``ambient_K``, one at ``half_temperature_K`` relative to ambient."""
    a = activation_eV * Q_C / KB
    T = np.asarray(temperature_K, float)
    return np.exp(-a * (1.0 / T - 1.0 / half_temperature_K)) - np.exp(-a * (1.0 / ambient_K - 1.0 / half_temperature_K))


def effective_quantum_yield(
    current_density_A_m2,
    voltage_V,
    *,
    plqy: float,
    purcell_factor: float,
    charge_balance,
    thickness_m: float,
    rolloff: RollOff,
):
    """Effective radiative efficiency ``q_eff(J)`` in the cavity (array like ``J``)."""
    q = _fraction("plqy", plqy)
    F = require_finite_positive("purcell_factor", purcell_factor)
    d = require_finite_positive("thickness_m", thickness_m)
    J = np.asarray(current_density_A_m2, float)
    if (J < 0).any():
        raise InputError("current_density_A_m2 must be >= 0")
    tau = rolloff.pl_lifetime_s
    kr, knr = q / tau, (1.0 - q) / tau
    T = rolloff.ambient_K + rolloff.thermal_resistance_K_m2_W * J * np.asarray(voltage_V, float)
    k0 = (
        F * kr
        + knr
        + kr
        * thermal_quench_ratio(
            T,
            activation_eV=rolloff.quench_activation_eV,
            half_temperature_K=rolloff.quench_half_temperature_K,
            ambient_K=rolloff.ambient_K,
        )
    )
    G = np.asarray(charge_balance, float) * J / (Q_C * d)
    a = 1.0 / (rolloff.dot_density_m3 * rolloff.auger_lifetime_s)
    n = 2.0 * G / (k0 + np.sqrt(k0**2 + 4.0 * a * G))
    return F * kr / (k0 + a * n)


def external_quantum_efficiency(charge_balance, q_eff, eta_out: float):
    """``EQE = eta_cb q_eff eta_out`` (fractions)."""
    eta = _fraction("eta_out", eta_out)
    return np.asarray(charge_balance, float) * np.asarray(q_eff, float) * eta
