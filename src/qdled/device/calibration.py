"""Calibration of the device parameters listed in :data:`qdled.device.parameters.CALIBRATED`.

Targets (Li et al., Nat. Commun. 15, 5696 (2024)), with the default optical inputs of
:func:`calibration_inputs` (``eta_out`` = 0.274, Purcell factor 1, EL = Gaussian: the paper's measured
628 nm / 33 nm for the NSA device; for the control, whose EL is not given in the text, its PL
639 nm / 42 nm shifted by the same +5 nm / +1 nm):

* NSA-NH4PF6 device: luminance 4203 cd/m^2 at 5.8 V and the luminance maximum at 5.8 V
  -> ``qd_mobility_prefactor_m2_Vs`` and ``thermal_resistance_K_m2_W`` (2 equations, 2 unknowns);
* control (OA/OAm): maximum luminance 696 cd/m^2 over the 0-8 V sweep -> ``qd_ligand_gap_nm``;
  the ratio of peak EQEs 19.01/26.04 -> ``plqy`` (a ratio, so independent of ``eta_out``);
* lifetimes: T50 = 729 min at 1000 cd/m^2 and 43 min at 500 cd/m^2 are taken directly.

Everything else the device model outputs (J-V shape, turn-on voltages, EQE roll-off, the control's
voltage of maximum luminance, the NSA peak EQE given ``eta_out`` and PLQY, colour, the control T50
at 1000 cd/m^2) is a prediction. Run ``python -m qdled.device.calibration`` to redo the fit; the
frozen values live in :mod:`qdled.device.parameters`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.optimize import brentq, least_squares

from qdled.device.parameters import DeviceParameters, device_parameters
from qdled.device.simulate import DEFAULT_VOLTAGE_V, gaussian_spectrum, simulate_device

__all__ = ["CALIBRATION_ETA_OUT", "EL_DEFAULT", "calibration_inputs", "calibrate"]

#: Outcoupling efficiency used for calibration: the value of
#: ``qdled.optics.el_spectrum(default_stack()).eta_out`` for the paper's stack (computed 2026-11-26).
CALIBRATION_ETA_OUT = 0.274

#: Default EL spectra (peak nm, FWHM nm): paper's measured EL (NSA); PL + 5 nm / + 1 nm (control, assumption).
EL_DEFAULT = {"li2024-nsa-pf6": (628.0, 33.0), "li2024-control": (644.0, 43.0)}


def calibration_inputs(name: str) -> dict:
    """Optical inputs used by the calibration: ``eta_out``, ``purcell_factor``, EL arrays, and a label."""
    peak, fwhm = EL_DEFAULT[name]
    wl, s = gaussian_spectrum(peak, fwhm)
    return {
        "eta_out": CALIBRATION_ETA_OUT,
        "purcell_factor": 1.0,
        "el_wavelength_nm": wl,
        "el_intensity": s,
        "source": f"calibration inputs: EL Gaussian {peak:g} nm / FWHM {fwhm:g} nm, "
        f"eta_out {CALIBRATION_ETA_OUT}, Purcell 1",
    }


_TARGETS = {"nsa_L": 4203.0, "nsa_V": 5.8, "control_Lmax": 696.0, "eqe_ratio": 0.1901 / 0.2604}


def _run(p: DeviceParameters, V=None, **kw):
    inp = {k: v for k, v in calibration_inputs(p.name).items() if k != "source"}
    inp.update(kw)
    return simulate_device(p, voltage_V=V, **inp)


def _fit_nsa(p: DeviceParameters) -> DeviceParameters:
    V0, dv = _TARGETS["nsa_V"], 0.05

    def res(x):
        q = replace(p, qd_mobility_prefactor_m2_Vs=np.exp(x[0]), thermal_resistance_K_m2_W=np.exp(x[1]))
        L = _run(q, np.array([V0 - dv, V0, V0 + dv])).luminance_cd_m2
        return [np.log(L[1] / _TARGETS["nsa_L"]), (L[2] - L[0]) / (2 * dv * L[1])]

    x = least_squares(res, [np.log(p.qd_mobility_prefactor_m2_Vs), np.log(p.thermal_resistance_K_m2_W)], xtol=1e-10).x
    return replace(p, qd_mobility_prefactor_m2_Vs=float(np.exp(x[0])), thermal_resistance_K_m2_W=float(np.exp(x[1])))


def calibrate() -> dict[str, DeviceParameters]:
    """Refit the calibrated parameters of both devices; returns ``{name: DeviceParameters}``."""
    nsa = _fit_nsa(device_parameters("li2024-nsa-pf6"))
    ctrl0 = device_parameters("li2024-control")
    shared = {k: getattr(nsa, k) for k in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W")}
    ctrl = replace(ctrl0, **shared)

    def peak_eqe(p):
        return np.nanmax(_run(p).eqe)

    target_eqe = _TARGETS["eqe_ratio"] * peak_eqe(nsa)
    for _ in range(3):  # PLQY and ligand gap interact weakly; alternate a few times
        gap = brentq(
            lambda g, ctrl=ctrl: np.log(
                np.nanmax(_run(replace(ctrl, qd_ligand_gap_nm=g), DEFAULT_VOLTAGE_V).luminance_cd_m2)
                / _TARGETS["control_Lmax"]
            ),
            nsa.qd_ligand_gap_nm,
            nsa.qd_ligand_gap_nm + 2.0,
            xtol=1e-6,
        )
        ctrl = replace(ctrl, qd_ligand_gap_nm=gap)
        q = brentq(lambda q, ctrl=ctrl: peak_eqe(replace(ctrl, plqy=q)) - target_eqe, 0.05, 0.999, xtol=1e-6)
        ctrl = replace(ctrl, plqy=q)
    return {nsa.name: nsa, ctrl.name: ctrl}


if __name__ == "__main__":  # pragma: no cover - maintenance script
    for name, p in calibrate().items():
        print(
            name,
            {
                k: getattr(p, k)
                for k in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W", "qd_ligand_gap_nm", "plqy")
            },
        )
