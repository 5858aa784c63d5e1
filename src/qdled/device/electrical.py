"""Electrical model of the LED: series-connected hole and electron branches with a bipolar
recombination zone in the QD layer, solved for J-V and the charge balance.

Model (stated assumptions)
--------------------------
The device is parametrised by its current density ``J`` (no leakage: the wide-gap TmPyPB and PTAA
block holes and electrons respectively, so hole and electron currents are both ``J`` in steady
state). The applied voltage is the sum of the voltage drops of the series elements carrying ``J``::

    V(J) = V_rec(J) + V_h(J) + V_e(J) + J R_s

* ``V_h``: hole branch = thermionic injection PEDOT:PSS -> PTAA, SCLC in PTAA (Poole-Frenkel,
  Murgatroyd), thermionic step PTAA -> QD, trap-limited SCLC (Mark-Helfrich, traps fill into
  Mott-Gurney) of holes across half of the QD film with the ligand-tunnelling mobility.
* ``V_e``: electron branch = LiF/Al -> PO-T2T (ohmic: downhill), SCLC in PO-T2T, thermionic step
  PO-T2T -> TmPyPB (0.8 eV uphill), SCLC in TmPyPB, TmPyPB -> QD (downhill), trap-limited SCLC of
  electrons across the other half of the QD film.
* ``V_rec``: quasi-Fermi-level splitting that drives Langevin recombination of the injected current in
  the QD layer, ``J = q d k_L N_c N_v exp(-Eg/kT) (exp(qV_rec/kT) - 1)`` with ``N_c = N_v = 2 N_QD``
  (two spin states per dot) and ``k_L = q (mu_e + mu_h)/eps`` -- the zero-dimensional (flat
  quasi-Fermi level) form of bimolecular recombination; it sets the low-voltage exponential
  region and the turn-on close to ``Eg/q``.
* Charge balance ``eta_cb``: excess carriers of one sign in the QD layer charge dots; an exciton on a
  charged dot is quenched (trion Auger; relative yield ``trion_relative_yield``). The mean densities
  of electrons and holes are the space charge of their SCLC halves of the QD film,
  ``3 eps V/(2 q d^2)`` (Mott-Gurney estimate, also used in the trap-limited regime), and
  ``eta_cb = 1 - min(|n - p| / N_QD, 1) (1 - trion_relative_yield)``.

Every term is an explicit, increasing function of ``J``, so ``V(J)`` is monotonic and the whole
J-V curve is evaluated on a logarithmic ``J`` grid at once (vectorised; no root finding except the
vectorised Newton step of the Murgatroyd inverse) and interpolated onto the requested voltages.

Limits: no drift-diffusion (no band bending, no built-in field, no diffusion currents below flat band,
no carrier leakage); carrier densities from SCLC estimates; energetic disorder only through the
Poole-Frenkel factor and the exponential trap tail; the recombination zone is the whole QD layer.

References
----------
See :mod:`qdled.device.transport` for the transport laws; Langevin recombination in a 0-D
device model e.g. Kirchartz, T., Pieters, B. E., Taretto, K. & Rau, U., Phys. Rev. B 80, 035334 (2009).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_C

from qdled.device import transport as tr
from qdled.device.levels import LayerLevels, energy_levels
from qdled.device.parameters import DeviceParameters

__all__ = [
    "ElectricalResult",
    "dot_density_m3",
    "trap_density_m3",
    "qd_mobilities_m2_Vs",
    "injection_barriers_eV",
    "solve_electrical",
    "CURRENT_GRID_A_M2",
]

#: Default current-density grid [A/m^2] on which V(J) is evaluated (1e-8 to 1e5 A/m^2).
CURRENT_GRID_A_M2 = np.logspace(-8, 5, 800)


@dataclass(frozen=True)
class ElectricalResult:
    """V(J) and its parts on a current grid [A/m^2, V]; ``electron_density_m3``/``hole_density_m3``
    in the QD layer; ``charge_balance`` in [0, 1]."""

    current_density_A_m2: np.ndarray
    voltage_V: np.ndarray
    recombination_voltage_V: np.ndarray
    hole_branch_voltage_V: np.ndarray
    electron_branch_voltage_V: np.ndarray
    electron_density_m3: np.ndarray
    hole_density_m3: np.ndarray
    charge_balance: np.ndarray


def dot_density_m3(p: DeviceParameters) -> float:
    """Dots per m^3 of a simple-cubic film of cubes (edge + ligand gap period)."""
    return 1.0 / ((p.qd_edge_nm + p.qd_ligand_gap_nm) * 1e-9) ** 3


def trap_density_m3(p: DeviceParameters) -> float:
    """Trap density of the QD film [m^-3]: ``p.qd_trap_density_m3`` if given, else one trap per dark
    dot, ``(1 - PLQY) N_QD`` (a dot with a surface trap is non-emissive and holds a trapped carrier)."""
    return p.qd_trap_density_m3 if p.qd_trap_density_m3 is not None else (1.0 - p.plqy) * dot_density_m3(p)


def injection_barriers_eV(levels: dict[str, LayerLevels]) -> dict[str, float]:
    """Uphill steps [eV] (negative = downhill, treated as ohmic) along each carrier's path."""
    return {
        "PEDOT:PSS->PTAA (h)": levels["PTAA"].homo_eV - levels["PEDOT:PSS"].wf_eV,
        "PTAA->QD (h)": levels["QD"].homo_eV - levels["PTAA"].homo_eV,
        "LiF/Al->PO-T2T (e)": levels["LiF/Al"].wf_eV - levels["PO-T2T"].lumo_eV,
        "PO-T2T->TmPyPB (e)": levels["PO-T2T"].lumo_eV - levels["TmPyPB"].lumo_eV,
        "TmPyPB->QD (e)": levels["TmPyPB"].lumo_eV - levels["QD"].lumo_eV,
    }


def qd_mobilities_m2_Vs(p: DeviceParameters) -> tuple[float, float]:
    """(electron, hole) mobilities of the QD film [m^2/(V s)] from the ligand-shell tunnelling law."""
    mu_e = float(
        tr.ligand_tunnelling_mobility_m2_Vs(
            p.qd_mobility_prefactor_m2_Vs, p.qd_ligand_gap_nm, p.tunnelling_beta_per_angstrom
        )
    )
    return mu_e, mu_e * p.qd_hole_to_electron_mobility


def solve_electrical(p: DeviceParameters, current_density_A_m2=None) -> ElectricalResult:
    """Voltage, recombination split and charge balance of device ``p`` on a J grid [A/m^2]."""
    J = CURRENT_GRID_A_M2 if current_density_A_m2 is None else np.asarray(current_density_A_m2, float)
    T = p.temperature_K
    lv = energy_levels(p.qd_gap_eV)
    bar = injection_barriers_eV(lv)
    mu_e, mu_h = qd_mobilities_m2_Vs(p)
    n_qd = dot_density_m3(p)
    d_half = 0.5 * p.thickness_m("QD")
    trap = dict(
        trap_density_m3=trap_density_m3(p), trap_temperature_K=p.qd_trap_temperature_K, temperature_K=T, dos_m3=2 * n_qd
    )
    gamma, eps_o = p.poole_frenkel_gamma_sqrt_m_V, p.organic_eps_r

    v_qd_h = tr.sclc_layer_voltage_V(J, d_half, mu_h, p.qd_eps_r, **trap)
    v_qd_e = tr.sclc_layer_voltage_V(J, d_half, mu_e, p.qd_eps_r, **trap)
    v_h = (
        tr.thermionic_voltage_V(J, bar["PEDOT:PSS->PTAA (h)"], T)
        + tr.murgatroyd_voltage_V(J, p.thickness_m("PTAA"), p.ptaa_mobility_m2_Vs, eps_o, gamma)
        + tr.thermionic_voltage_V(J, bar["PTAA->QD (h)"], T)
        + v_qd_h
    )
    v_e = (
        tr.thermionic_voltage_V(J, bar["LiF/Al->PO-T2T (e)"], T)
        + tr.murgatroyd_voltage_V(J, p.thickness_m("PO-T2T"), p.pot2t_mobility_m2_Vs, eps_o, gamma)
        + tr.thermionic_voltage_V(J, bar["PO-T2T->TmPyPB (e)"], T)
        + tr.murgatroyd_voltage_V(J, p.thickness_m("TmPyPB"), p.tmpypb_mobility_m2_Vs, eps_o, gamma)
        + tr.thermionic_voltage_V(J, bar["TmPyPB->QD (e)"], T)
        + v_qd_e
    )
    vt = tr.thermal_voltage_V(T)
    k_l = tr.langevin_rate_m3_s(mu_e + mu_h, p.qd_eps_r)
    ln_j00 = np.log(Q_C * p.thickness_m("QD") * k_l * (2 * n_qd) ** 2) - p.qd_gap_eV / vt
    with np.errstate(divide="ignore"):
        v_rec = vt * np.logaddexp(0.0, np.log(J) - ln_j00)
    n = tr.sclc_mean_density_m3(v_qd_e, d_half, p.qd_eps_r)
    h = tr.sclc_mean_density_m3(v_qd_h, d_half, p.qd_eps_r)
    charged = np.minimum(np.abs(n - h) / n_qd, 1.0)
    eta_cb = 1.0 - charged * (1.0 - p.trion_relative_yield)
    V = v_rec + v_h + v_e + J * p.series_resistance_ohm_m2
    return ElectricalResult(J, V, v_rec, v_h, v_e, n, h, eta_cb)
