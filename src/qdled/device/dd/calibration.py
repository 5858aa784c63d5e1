"""Calibration of the drift-diffusion device on the NSA-NH4PF6 LED only, and its luminance.

One transport parameter is fitted: the prefactor ``mu_0`` of the QD-film hopping mobility
``mu = mu_0 exp(-beta d)`` (:func:`qdled.device.transport.ligand_tunnelling_mobility_m2_Vs`), shared by both
devices. It is fixed by the NSA-NH4PF6 device's luminance at the paper's voltage of maximum luminance,
``L(5.8 V) = 4203 cd/m^2``, computed through the chain exactly as ``qdled device --model drift-diffusion`` runs
it (default stack, the chain's film PL through :func:`qdled.optics.el_spectrum`: spectrally averaged outcoupling and
Purcell factor, cavity-filtered EL for the photometry). Everything else is a prediction: the whole J-V-L curve,
turn-on voltage, peak EQE, emission zone, the thickness dependences, and the control device, which differs only by
its ligand shell (tunnelling distance ``qd_ligand_gap_nm``), dots (gap), PLQY, PL lifetime and the trap density
that follows from them -- the values of :func:`qdled.device.parameters.device_parameters` (note: the control's
``qd_ligand_gap_nm`` and ``plqy`` there were fitted to the control by the *compact* model; the drift-diffusion
model takes them as inputs and fits nothing on the control).

Luminance: photons out per area and time are ``J/q x EQE`` (EQE from the solver's photon-generation profile
weighted with the outcoupling); :func:`qdled.spectral.luminance_from_photon_flux` turns them into the luminance
of a Lambertian emitter with the chain's EL spectrum (as the compact model does in
:func:`qdled.device.simulate_device`).

What the fit absorbs: at 5.8 V the current is limited by electron transfer over the assumed 0.8 eV LUMO step
PO-T2T (3.5 eV) -> TmPyPB (2.7 eV) (``levels.toml``, both values optical-gap estimates flagged "assumption"):
the 6 nm TmPyPB takes ~2.7 V of the electron quasi-Fermi level, the QD film ~1.2 V (holes). ``mu_0`` and that
offset are degenerate for this single target: with a 0.3 eV step (TmPyPB LUMO 3.2 eV) the same luminance needs
``mu_0`` ~1e-8 m^2/(V s), five orders of magnitude lower. The value below (QD-film mobility 2.4e-6 m^2/(V s) =
0.024 cm^2/(V s) for the NSA shell) is therefore conditional on the level table.

The paper's luminance *maximum* at 5.8 V (a turnover) is not reproduced: the drift-diffusion model has no
heating or degradation, so its luminance keeps rising to the end of the 0-8 V grid; the fit matches the luminance
*value* at 5.8 V, and the outputs say that the curve does not turn over.

Run ``python -m qdled.device.dd.calibration`` to refit (prints the value to freeze in :data:`DD_CALIBRATED`);
``--predict`` adds the predictions (:func:`predictions`: both devices, PO-T2T 5-80 nm).

References
----------
.. [1] Li, Y. et al., Nat. Commun. 15, 5696 (2024): 4203 cd/m^2 at 5.8 V (NSA-NH4PF6 device).
.. [2] Liu, Y. et al., Nano Lett. 10, 1960 (2010): QD-film mobility falls exponentially with the
   ligand length (the ``beta`` used here).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
from scipy.constants import e as Q_C
from scipy.optimize import brentq

from qdled.device.parameters import DeviceParameters
from qdled.errors import ConvergenceError, InputError
from qdled.io.paper import Calibrated, paper_value
from qdled.spectral import luminance_from_photon_flux, turn_on_voltage

__all__ = [
    "DD_CALIBRATED",
    "calibrate",
    "calibrated_parameters",
    "luminance_cd_m2",
    "luminance_summary",
    "predictions",
]

#: Parameters of the drift-diffusion device fitted to the paper (NSA-NH4PF6 device only), field -> record.
#: Found by :func:`calibrate` with the default stack and the chain's optics.
DD_CALIBRATED: MappingProxyType = MappingProxyType(
    {
        "qd_mobility_prefactor_m2_Vs": Calibrated(
            1.648e-3,
            "m2/(V s)",
            ("nsa_pf6.max_luminance_cd_m2", "nsa_pf6.voltage_at_max_luminance_V"),
            "drift-diffusion device (qdled.device.dd, default stack, chain optics and EL): luminance at the "
            "paper's voltage of maximum luminance equals the paper's maximum luminance (root finding in log mu_0; "
            "the model does not turn over there)",
        ),
    }
)


def calibrated_parameters(params: DeviceParameters, values: dict | None = None) -> DeviceParameters:
    """``params`` with the drift-diffusion calibrated values (:data:`DD_CALIBRATED`, or ``values``) in place.

    The same values apply to every device: the QD-mobility prefactor is a property of hopping between CsPbI3
    dots, the ligand shell enters through ``qd_ligand_gap_nm``.
    """
    if not isinstance(params, DeviceParameters):
        raise InputError(f"params must be DeviceParameters, got {type(params).__name__}")
    vals = {k: rec.value for k, rec in DD_CALIBRATED.items()} if values is None else dict(values)
    return replace(params, **vals)


def luminance_cd_m2(result, el) -> np.ndarray:
    """Luminance [cd/m^2] at each voltage of a :class:`~qdled.device.dd.DriftDiffusionResult` solved with
    ``eta_out``: photon flux out ``J/q x EQE`` of a Lambertian emitter with spectrum ``el``."""
    eqe = result.external_quantum_efficiency
    if eqe is None:
        raise InputError("the drift-diffusion result has no EQE (solve with eta_out)")
    flux = np.clip(result.current_density_A_m2, 0.0, None) / Q_C * eqe
    return np.asarray(luminance_from_photon_flux(flux, el), float)


def luminance_summary(result, el) -> dict:
    """JSON-ready luminance figures of merit: ``luminance_cd_m2`` (per voltage), ``max_luminance_cd_m2``,
    ``voltage_at_max_luminance_V``, ``luminance_turns_over`` (False if the maximum is the last grid point),
    ``turn_on_voltage_V`` (first 1 cd/m^2; None if never reached)."""
    L = luminance_cd_m2(result, el)
    V = np.asarray(result.voltage_V, float)
    k = int(np.argmax(L))
    ton = turn_on_voltage(V, L)
    return {
        "luminance_cd_m2": [float(v) for v in L],
        "max_luminance_cd_m2": float(L[k]),
        "voltage_at_max_luminance_V": float(V[k]),
        "luminance_turns_over": bool(k < V.size - 1 and V[k] < V.max()),
        "turn_on_voltage_V": None if not np.isfinite(ton) else float(ton),
    }


def _luminance_at(stack, name: str, mu0: float, voltage_V: float, optics, el) -> float:
    from qdled.device.chain import parameters_for_stack
    from qdled.device.dd import solve_jv

    p = calibrated_parameters(parameters_for_stack(stack, name), {"qd_mobility_prefactor_m2_Vs": mu0})
    r = solve_jv(p, [0.0, voltage_V], purcell=optics["purcell_factor"], eta_out=optics["eta_out"])
    return float(luminance_cd_m2(r, el)[-1])


def calibrate(stack=None, *, bracket_m2_Vs=(1e-6, 1e-1), rtol: float = 1e-4) -> dict:
    """Fit the QD-mobility prefactor so that the NSA-NH4PF6 device gives the paper's luminance at 5.8 V.

    Parameters
    ----------
    stack : qdled.io.stack.Stack, optional
        Default :func:`qdled.io.stack.default_stack` (the device as ``qdled device`` runs it).
    bracket_m2_Vs : (float, float)
        Search interval of ``mu_0``.
    rtol : float
        Relative tolerance on ``mu_0``.

    Returns
    -------
    dict
        ``qd_mobility_prefactor_m2_Vs`` (fitted), ``qd_mobility_m2_Vs`` (the NSA film's ``mu_n``),
        ``luminance_cd_m2`` at the target voltage, the target and the optics used.

    Raises
    ------
    ConvergenceError
        The target is not bracketed (the luminance cannot reach it within the interval).

    References
    ----------
    Li et al., Nat. Commun. 15, 5696 (2024) (target); Brent, Algorithms for Minimization without Derivatives
    (1973) (root finding).
    """
    from qdled.device import transport as tr
    from qdled.device.chain import parameters_for_stack, stack_optics
    from qdled.io.stack import default_stack

    name = "li2024-nsa-pf6"
    stack = default_stack() if stack is None else stack
    target = paper_value("nsa_pf6.max_luminance_cd_m2")
    v_target = paper_value("nsa_pf6.voltage_at_max_luminance_V")
    optics, em = stack_optics(stack, name)

    def f(log_mu0):
        return np.log(_luminance_at(stack, name, 10.0**log_mu0, v_target, optics, em.el) / target)

    lo, hi = np.log10(bracket_m2_Vs[0]), np.log10(bracket_m2_Vs[1])
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        raise ConvergenceError(f"luminance target {target} cd/m2 not bracketed by mu_0 in {bracket_m2_Vs} m2/Vs")
    x = brentq(f, lo, hi, xtol=rtol / np.log(10.0))
    mu0 = float(10.0**x)
    p = parameters_for_stack(stack, name)
    return {
        "qd_mobility_prefactor_m2_Vs": mu0,
        "qd_mobility_m2_Vs": float(
            tr.ligand_tunnelling_mobility_m2_Vs(mu0, p.qd_ligand_gap_nm, p.tunnelling_beta_per_angstrom)
        ),
        "luminance_cd_m2": _luminance_at(stack, name, mu0, v_target, optics, em.el),
        "target_cd_m2": target,
        "target_voltage_V": v_target,
        "eta_out": float(optics["eta_out"]),
        "purcell_factor": float(optics["purcell_factor"]),
    }


def predictions(stack=None, pot2t_nm=(5.0, 10.0, 20.0, 37.0, 50.0, 65.0, 80.0), voltage_V: float = 5.8) -> dict:
    """Predictions of the calibrated drift-diffusion device (nothing here is fitted).

    Returns ``{"devices": {name: figures}, "pot2t_sweep": [rows]}``: for both devices the peak EQE, maximum
    luminance over 0-8 V and its voltage (with ``luminance_turns_over``), the luminance, current density, EQE and
    emission-zone centroid (nm from the QD/PTAA interface) at ``voltage_V`` and the turn-on voltage; for the
    NSA-NH4PF6 device, current density, EQE and luminance at ``voltage_V`` against the PO-T2T thickness.
    """
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    stack = default_stack() if stack is None else stack

    def figures(st, name):
        r, out = simulate_stack_drift_diffusion(st, name)
        i = r.at(voltage_V)
        qd_start = float(r.interfaces_nm[0])
        return {
            "peak_eqe": out["peak_eqe"],
            "max_luminance_cd_m2": out["max_luminance_cd_m2"],
            "voltage_at_max_luminance_V": out["voltage_at_max_luminance_V"],
            "luminance_turns_over": out["luminance_turns_over"],
            "turn_on_voltage_V": out["turn_on_voltage_V"],
            "luminance_cd_m2": out["luminance_cd_m2"][i],
            "current_density_mA_cm2": out["current_density_mA_cm2"][i],
            "eqe": out["external_quantum_efficiency"][i],
            "emission_zone_in_qd_nm": None
            if out["emission_zone_nm"][i] is None
            else out["emission_zone_nm"][i] - qd_start,
            "eta_out": out["optics"]["eta_out"],
        }

    devices = {name: figures(stack, name) for name in ("li2024-nsa-pf6", "li2024-control")}
    own = stack.layer("PO-T2T").thickness_nm
    sweep = []
    for t in pot2t_nm:
        row = (
            devices["li2024-nsa-pf6"]  # the stack as given: solved above
            if float(t) == own
            else figures(stack.with_values({"PO-T2T.thickness_nm": float(t)}), "li2024-nsa-pf6")
        )
        sweep.append({"pot2t_nm": float(t), **row})
    return {"voltage_V": float(voltage_V), "devices": devices, "pot2t_sweep": sweep}


def main(argv=None) -> None:  # pragma: no cover - maintenance script
    """Refit and print the value to freeze in :data:`DD_CALIBRATED`; ``--predict`` also prints the predictions."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    out = calibrate()
    for k, v in out.items():
        print(f"{k} = {v:.6g}")
    if "--predict" in args:
        import json

        print(json.dumps(predictions(), indent=1))


if __name__ == "__main__":  # pragma: no cover - maintenance script
    main()
