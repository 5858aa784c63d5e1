"""PLQY of stored CsPbI3 nanocrystals vs storage time: ligand desorption and trap creation.

Model
-----
* Each bound ligand species i desorbs first order with the Arrhenius rate k_d,i = nu exp(-E_b,i / kT)
  (no re-adsorption: dilute storage solution), theta_i(t) = theta_i(0) exp(-k_d,i t), theta_i(0) from the
  competitive Langmuir isotherm (:func:`qdled.dots.photophysics.ligand_coverages`). These kinetics are shared
  with the operational ageing of the LED (:mod:`qdled.device.ageing`, where the temperature follows the
  device's Joule heating): :func:`desorption_rate_per_s` (the rate law), :func:`coverage_rates_per_s` (its
  right-hand side for a time-dependent temperature) and :func:`desorbed_coverages` (its closed form at constant
  temperature).
* Ligand-independent trap creation (e.g. surface oxidation/hydration in air) adds k_create * t to k_nr.
* k_nr(t) = k_trap0 (1 - theta(t)) + k_nr,intrinsic + k_create t;  PLQY(t) = k_r / (k_r + k_nr(t)).

The attempt frequency nu and k_create are calibrated to the paper's ageing data (Li et al. 2024, Fig. 2d:
the OA/OAm PLQY falls to 0, read here as <= 1 %; the NSA-NH4PF6 dots keep most of theirs), see
:data:`qdled.dots.CALIBRATED`. The decomposition / fusion of OA/OAm dots that the paper observes is not modelled
beyond the loss of PLQY.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import constants as _c

from qdled.dots.calibration import CALIBRATED
from qdled.dots.photophysics import (
    REFERENCE_EDGE_NM,
    _binding,
    ligand_coverages,
    nonradiative_rate,
    radiative_rate,
)
from qdled.errors import InputError, require_finite_positive

__all__ = ["AgeingResult", "ageing", "coverage_rates_per_s", "desorbed_coverages", "desorption_rate_per_s"]

_KB_EV = _c.k / _c.e
_DAY_S = 86400.0


@dataclass(frozen=True)
class AgeingResult:
    """PLQY and total ligand coverage vs storage time."""

    time_days: np.ndarray
    plqy: np.ndarray
    theta: np.ndarray
    plqy_initial: float

    @property
    def relative_plqy(self) -> np.ndarray:
        """PLQY(t) / PLQY(t = 0)."""
        return self.plqy / self.plqy_initial

    def __iter__(self):
        return iter((self.time_days, self.plqy))


def desorption_rate_per_s(
    binding_energy_eV, *, temperature_K: float = 298.15, attempt_frequency_per_s: float | None = None
):
    """First-order desorption rate ``k_d = nu exp(-E_b / kT)`` [1/s] (Arrhenius / Polanyi-Wigner rate of a
    ligand bound by ``E_b``; ``nu`` defaults to the calibrated attempt frequency, :data:`qdled.dots.CALIBRATED`).

    ``temperature_K`` may be an array (broadcast with ``binding_energy_eV``).

    References
    ----------
    .. [1] Redhead, P. A., Vacuum 12, 203 (1962): first-order thermal desorption, k = nu exp(-E / kT).
    """
    nu = CALIBRATED["attempt_frequency_per_s"].value if attempt_frequency_per_s is None else attempt_frequency_per_s
    return nu * np.exp(-np.asarray(binding_energy_eV, dtype=float) / (_KB_EV * np.asarray(temperature_K, dtype=float)))


def coverage_rates_per_s(
    theta: dict[str, float],
    binding_energy_eV: dict[str, float],
    *,
    temperature_K: float,
    attempt_frequency_per_s: float | None = None,
) -> dict[str, float]:
    """``d theta_i / dt = -k_d,i(T) theta_i`` [1/s] for each ligand of ``theta`` (first-order desorption without
    re-adsorption, :func:`desorption_rate_per_s`): the right-hand side to integrate when the temperature changes
    with time (the LED under current)."""
    temp = require_finite_positive("temperature_K", temperature_K)
    return {
        name: -float(
            desorption_rate_per_s(
                binding_energy_eV[name], temperature_K=temp, attempt_frequency_per_s=attempt_frequency_per_s
            )
        )
        * float(th)
        for name, th in theta.items()
    }


def desorbed_coverages(
    theta0: dict[str, float],
    binding_energy_eV: dict[str, float],
    time_s,
    *,
    temperature_K: float = 298.15,
    attempt_frequency_per_s: float | None = None,
) -> dict[str, np.ndarray]:
    """Coverages ``theta_i(t) = theta_i(0) exp(-k_d,i t)`` at constant temperature (the closed form of
    :func:`coverage_rates_per_s`), ``time_s`` [s] >= 0 (scalar or array)."""
    t = np.asarray(time_s, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError(f"time_s must be finite and >= 0, got {time_s!r}")
    temp = require_finite_positive("temperature_K", temperature_K)
    return {
        name: th0
        * np.exp(
            -desorption_rate_per_s(
                binding_energy_eV[name], temperature_K=temp, attempt_frequency_per_s=attempt_frequency_per_s
            )
            * t
        )
        for name, th0 in theta0.items()
    }


def ageing(
    time_days,
    ligands="NSA-NH4PF6",
    *,
    edge_nm: float | None = None,
    binding_energy_eV: dict[str, float] | None = None,
    temperature_K: float = 298.15,
    attempt_frequency_per_s: float | None = None,
    trap_creation_per_s_per_day: float | None = None,
) -> AgeingResult:
    """PLQY vs storage time [days] of dots with the given ligands (a route name "OA/OAm" / "NSA-NH4PF6" or a
    list of ligand names; binding energies default to the paper's DFT values).

    ``edge_nm`` defaults to the paper's TEM edge of the NSA-NH4PF6 dots, or for the "OA/OAm" route to the
    calibrated control size
    (``CALIBRATED["control_edge_nm"]``).

    Returns
    -------
    AgeingResult
        ``time_days``, ``plqy``, total coverage ``theta``; ``relative_plqy`` = PLQY / PLQY at day 0
        (fresh dots, whatever the first time of the grid).
    """
    t_days = np.atleast_1d(np.asarray(time_days, dtype=float))
    if not np.all(np.isfinite(t_days)) or np.any(t_days < 0):
        raise InputError(f"time_days must be finite and >= 0, got {time_days!r}")
    temp = require_finite_positive("temperature_K", temperature_K)
    energies = _binding(ligands, binding_energy_eV)
    theta0 = ligand_coverages(tuple(energies), binding_energy_eV=energies, temperature_K=temp)
    per_ligand = desorbed_coverages(
        theta0, energies, t_days * _DAY_S, temperature_K=temp, attempt_frequency_per_s=attempt_frequency_per_s
    )
    theta = np.zeros_like(t_days) + sum(per_ligand.values())
    k_create = (
        CALIBRATED["trap_creation_per_s_per_day"].value
        if trap_creation_per_s_per_day is None
        else trap_creation_per_s_per_day
    )
    if edge_nm is None:
        edge_nm = CALIBRATED["control_edge_nm"].value if ligands == "OA/OAm" else REFERENCE_EDGE_NM
    k_r = float(radiative_rate(edge_nm))
    k_nr = nonradiative_rate(np.clip(theta, 0.0, 1.0)) + k_create * t_days
    qy0 = k_r / (k_r + float(nonradiative_rate(min(sum(theta0.values()), 1.0))))
    return AgeingResult(t_days, k_r / (k_r + k_nr), theta, qy0)
