"""Calibration of the compact surrogate against the drift-diffusion device.

The compact series model (:mod:`qdled.device.electrical`, :func:`qdled.device.simulate_device`) is the fast
surrogate of the drift-diffusion solver (:mod:`qdled.device.dd`), which is the device model of ``qdled device``
and ``qdled reproduce``. Its few effective parameters are fitted to the solver's outputs through the chain
(:func:`qdled.device.chain.simulate_stack_drift_diffusion`, default stack; :func:`dd_targets`):

* NSA-NH4PF6 device: the maximum luminance and its voltage -> ``qd_mobility_prefactor_m2_Vs`` and
  ``thermal_resistance_K_m2_W`` (2 equations, 2 unknowns). The solver is calibrated to the paper at exactly these
  two numbers (:mod:`qdled.device.dd.calibration`), so their records name the paper's values
  (:data:`qdled.device.parameters.CALIBRATED`); its peak EQE -> ``plqy`` (an effective exciton yield: the
  solver loses current to trap-assisted recombination and outcouples from its own emission zone, which the
  compact model does not resolve), alternated with the first two;
* control (OA/OAm): the solver's maximum luminance over 0-8 V -> ``qd_ligand_gap_nm``; its peak EQE -> ``plqy``
  (the mobility prefactor and thermal resistance are shared with the NSA device).

The solver's control device is a prediction (its ligand shell, dots and film from the chain, nothing fitted),
so these three surrogate records (:data:`qdled.device.parameters.SURROGATE`) name drift-diffusion outputs, not
paper values: the compact model's control numbers are predictions too. Optical inputs
(:func:`calibration_inputs`) are exactly what the chain computes for the default stack
(:func:`qdled.device.chain.stack_optics`); ``tests/test_device_simulate.py`` checks that the two stay one.
The compact T50 records are the paper's values taken directly (its stretched-exponential lifetime law); the
chain's T50 comes from :mod:`qdled.device.ageing`.

Run ``python -m qdled.device.calibration`` to redo the fit (~1 min); the frozen values live in the records of
:mod:`qdled.device.parameters`.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, least_squares

from qdled.device.parameters import DeviceParameters, device_parameters
from qdled.device.simulate import DEFAULT_VOLTAGE_V, simulate_device

__all__ = ["calibrate", "calibration_inputs", "dd_targets"]


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


def dd_targets() -> dict[str, dict[str, float]]:
    """The drift-diffusion outputs the surrogate is fitted to: device -> ``max_luminance_cd_m2``,
    ``voltage_at_max_luminance_V`` and ``peak_eqe`` of :func:`qdled.device.chain.simulate_stack_drift_diffusion`
    on the default stack (0-8 V in 0.1 V steps)."""
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.device.parameters import DEVICE_NAMES
    from qdled.io.stack import default_stack

    out = {}
    for name in DEVICE_NAMES:
        fom = simulate_stack_drift_diffusion(default_stack(), name).result.figures_of_merit()
        out[name] = {k: float(fom[k]) for k in ("max_luminance_cd_m2", "voltage_at_max_luminance_V", "peak_eqe")}
    return out


def _run(p: DeviceParameters, V=None, **kw):
    inp = {k: v for k, v in calibration_inputs(p.name).items() if k != "source"}
    inp.update(kw)
    return simulate_device(p, voltage_V=V, **inp)


def _fit_level(p: DeviceParameters, L_target: float, V_target: float) -> DeviceParameters:
    dv = 0.05

    def res(x):
        q = replace(p, qd_mobility_prefactor_m2_Vs=np.exp(x[0]), thermal_resistance_K_m2_W=np.exp(x[1]))
        L = _run(q, np.array([V_target - dv, V_target, V_target + dv])).luminance_cd_m2
        return [np.log(L[1] / L_target), (L[2] - L[0]) / (2 * dv * L[1])]

    x = least_squares(res, [np.log(p.qd_mobility_prefactor_m2_Vs), np.log(p.thermal_resistance_K_m2_W)], xtol=1e-10).x
    return replace(p, qd_mobility_prefactor_m2_Vs=float(np.exp(x[0])), thermal_resistance_K_m2_W=float(np.exp(x[1])))


def _fit_plqy(p: DeviceParameters, eqe_target: float) -> DeviceParameters:
    q = brentq(lambda q: np.nanmax(_run(replace(p, plqy=q)).eqe) - eqe_target, 0.05, 1.0, xtol=1e-6)
    return replace(p, plqy=float(q))


def calibrate(targets: dict | None = None) -> dict[str, DeviceParameters]:
    """Refit the surrogate's parameters of both devices to the drift-diffusion outputs ``targets`` (default
    :func:`dd_targets`); returns ``{name: DeviceParameters}``."""
    targets = dd_targets() if targets is None else targets
    t_nsa, t_ctrl = targets["li2024-nsa-pf6"], targets["li2024-control"]
    nsa = device_parameters("li2024-nsa-pf6")
    for _ in range(4):  # luminance = J x EQE: the level fit and the yield interact; alternate
        nsa = _fit_level(nsa, t_nsa["max_luminance_cd_m2"], t_nsa["voltage_at_max_luminance_V"])
        nsa = _fit_plqy(nsa, t_nsa["peak_eqe"])
    shared = {k: getattr(nsa, k) for k in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W")}
    ctrl = replace(device_parameters("li2024-control"), **shared)
    for _ in range(4):  # ligand gap (current) and yield interact weakly; alternate
        gap = brentq(
            lambda g, ctrl=ctrl: np.log(
                max(np.nanmax(_run(replace(ctrl, qd_ligand_gap_nm=g), DEFAULT_VOLTAGE_V).luminance_cd_m2), 1e-300)
                / t_ctrl["max_luminance_cd_m2"]
            ),
            nsa.qd_ligand_gap_nm,
            nsa.qd_ligand_gap_nm + 3.0,
            xtol=1e-6,
        )
        ctrl = _fit_plqy(replace(ctrl, qd_ligand_gap_nm=gap), t_ctrl["peak_eqe"])
    return {nsa.name: nsa, ctrl.name: ctrl}


if __name__ == "__main__":  # pragma: no cover - maintenance script
    t = dd_targets()
    print(t)
    for name, p in calibrate(t).items():
        print(
            name,
            {
                k: getattr(p, k)
                for k in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W", "qd_ligand_gap_nm", "plqy")
            },
        )
