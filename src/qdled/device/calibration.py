"""Calibration of the device parameters recorded in :data:`qdled.device.parameters.CALIBRATED`.

Optical inputs (:func:`calibration_inputs`): exactly what the chain computes for the default stack
(:func:`qdled.device.chain.stack_optics` of :func:`qdled.io.stack.default_stack`): spectrally averaged
``eta_out``, Purcell factor and cavity-filtered EL of the PL the chain predicts for each batch
(:func:`qdled.device.chain.chain_pl`, the same spectrum ``qdled reproduce`` uses). So ``qdled device``
on the default stack reproduces the calibration targets; ``tests/test_device_simulate.py`` checks that the two
stay one.

Targets (Li et al., Nat. Commun. 15, 5696 (2024); values from :mod:`qdled.io.paper`):

* NSA-NH4PF6 device: the maximum luminance at the voltage of maximum luminance, and the luminance maximum at
  that voltage -> ``qd_mobility_prefactor_m2_Vs`` and ``thermal_resistance_K_m2_W`` (2 equations, 2 unknowns);
* control (OA/OAm): maximum luminance over the 0-8 V sweep -> ``qd_ligand_gap_nm``; its peak EQE -> ``plqy``
  (so the control's film PLQY also absorbs any error of the predicted ``eta_out``, which the NSA device's
  predicted peak EQE shows);
* lifetimes: both T50 are taken directly (at the paper's initial luminances).

Everything else the device model outputs (J-V shape, turn-on voltages, EQE roll-off, the control's
voltage of maximum luminance, the NSA peak EQE given ``eta_out`` and PLQY, colour, the control T50
at 1000 cd/m^2) is a prediction. Run ``python -m qdled.device.calibration`` to redo the fit; the
frozen values live in the records of :mod:`qdled.device.parameters`.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, least_squares

from qdled.device.parameters import DeviceParameters, device_parameters
from qdled.device.simulate import DEFAULT_VOLTAGE_V, simulate_device
from qdled.io.paper import paper_value

__all__ = ["calibrate", "calibration_inputs"]


@lru_cache(maxsize=None)
def _default_stack_optics(name: str):
    from qdled.device.chain import stack_optics
    from qdled.io.stack import default_stack

    device_parameters(name)  # an unknown device name fails here, with the list of known ones
    return stack_optics(default_stack(), name)[0]


def calibration_inputs(name: str) -> dict:
    """Optical inputs of the calibration of device ``name``: the keyword arguments ``eta_out``,
    ``purcell_factor`` and ``el`` of :func:`qdled.device.simulate_device` (the chain's optics of the default
    stack, computed once per process) and a ``source`` label."""
    optics = dict(_default_stack_optics(name))
    optics["source"] = (
        f"calibration inputs: optics of the default stack for the chain's film PL (eta_out {optics['eta_out']:.4g}, "
        f"Purcell {optics['purcell_factor']:.4g}, EL peak {optics['el'].peak_nm:.1f} nm)"
    )
    return optics


def _targets() -> dict[str, float]:
    return {
        "nsa_L": paper_value("nsa_pf6.max_luminance_cd_m2"),
        "nsa_V": paper_value("nsa_pf6.voltage_at_max_luminance_V"),
        "control_Lmax": paper_value("control.max_luminance_cd_m2"),
        "control_eqe": paper_value("control.peak_eqe"),
    }


def _run(p: DeviceParameters, V=None, **kw):
    inp = {k: v for k, v in calibration_inputs(p.name).items() if k != "source"}
    inp.update(kw)
    return simulate_device(p, voltage_V=V, **inp)


def _fit_nsa(p: DeviceParameters) -> DeviceParameters:
    targets = _targets()
    V0, dv = targets["nsa_V"], 0.05

    def res(x):
        q = replace(p, qd_mobility_prefactor_m2_Vs=np.exp(x[0]), thermal_resistance_K_m2_W=np.exp(x[1]))
        L = _run(q, np.array([V0 - dv, V0, V0 + dv])).luminance_cd_m2
        return [np.log(L[1] / targets["nsa_L"]), (L[2] - L[0]) / (2 * dv * L[1])]

    x = least_squares(res, [np.log(p.qd_mobility_prefactor_m2_Vs), np.log(p.thermal_resistance_K_m2_W)], xtol=1e-10).x
    return replace(p, qd_mobility_prefactor_m2_Vs=float(np.exp(x[0])), thermal_resistance_K_m2_W=float(np.exp(x[1])))


def calibrate() -> dict[str, DeviceParameters]:
    """Refit the calibrated parameters of both devices; returns ``{name: DeviceParameters}``."""
    targets = _targets()
    nsa = _fit_nsa(device_parameters("li2024-nsa-pf6"))
    ctrl0 = device_parameters("li2024-control")
    shared = {k: getattr(nsa, k) for k in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W")}
    ctrl = replace(ctrl0, **shared)

    def peak_eqe(p):
        return np.nanmax(_run(p).eqe)

    target_eqe = targets["control_eqe"]
    for _ in range(3):  # PLQY and ligand gap interact weakly; alternate a few times
        gap = brentq(
            lambda g, ctrl=ctrl: np.log(
                np.nanmax(_run(replace(ctrl, qd_ligand_gap_nm=g), DEFAULT_VOLTAGE_V).luminance_cd_m2)
                / targets["control_Lmax"]
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
