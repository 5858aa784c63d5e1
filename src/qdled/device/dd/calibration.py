"""Calibration of the drift-diffusion device on the NSA-NH4PF6 LED only, its parameters and records.

Two parameters are fitted, both shared by every device, on the NSA-NH4PF6 device's luminance maximum
(4203 cd/m^2 at 5.8 V) computed through the chain exactly as ``qdled device`` runs it
(:func:`qdled.device.chain.simulate_stack_drift_diffusion`: default stack, the chain's film PL and PLQY,
position-resolved optics, the EL of the solved emission zone):

* the prefactor ``mu_0`` of the QD-film hopping mobility ``mu = mu_0 exp(-beta d)``
  (:func:`qdled.device.transport.ligand_tunnelling_mobility_m2_Vs`): the luminance at 5.8 V;
* the thermal resistance ``R_th`` of the Joule heating in the exciton balance (device temperature
  ``T0 + R_th J V``, thermal quenching law of the compact model): the luminance turns over at 5.8 V
  (``L(5.9 V) = L(5.7 V)`` on the chain's 0.1 V grid).

Heating does not act back on transport, so for a given ``mu_0`` the solved device is re-balanced for each trial
``R_th`` without solving again (:meth:`DriftDiffusionResult.with_exciton`); ``R_th`` is the inner root, ``mu_0``
the outer one.

Everything else is a prediction: the J-V-L shape, turn-on voltage, peak EQE and its roll-off, emission zone,
charge balance, the thickness dependences and the control device. Both devices take their dots from the
chain (:func:`dot_parameters` of :func:`qdled.dots.recipe_film`): gap and size, film PLQY and PL lifetime, the
trap density that follows, and the edge-to-edge tunnelling distance = two ligand shells of the film model
(1.0 nm for NSA/PF6, 2.0 nm for OA/OAm). So the control differs from the NSA device only by what its recipe
and ligand shell predict; nothing of it is fitted. Measured (2026-11-30): the predicted control reaches
44 cd/m^2 at 8 V (paper 696 cd/m^2 maximum); the paper's value would need an edge-to-edge distance of 1.52 nm,
0.48 nm less than two intact OA/OAm shells (thinner or interdigitated shells after purification, or a smaller
decay constant through alkyl chains), and even then the peak EQE stays 7.8 % (paper 19.01 %): the control's
efficiency miss comes from its film PLQY (0.52) and charge balance, not from its transport.

What the fit absorbs: the current is limited by electron transfer over the assumed 0.8 eV LUMO step PO-T2T
(3.5 eV) -> TmPyPB (2.7 eV) (``levels.toml``, optical-gap estimates flagged "assumption"); ``mu_0`` and that
offset are degenerate for this target, so the value of ``mu_0`` is conditional on the level table.

Run ``python -m qdled.device.dd.calibration`` to refit (prints the values to freeze in :data:`DD_CALIBRATED`);
``--predict`` adds the predictions (:func:`predictions`: both devices, thickness sweeps of every transport layer).

References
----------
.. [1] Li, Y. et al., Nat. Commun. 15, 5696 (2024): 4203 cd/m^2 at 5.8 V (NSA-NH4PF6 device).
.. [2] Liu, Y. et al., Nano Lett. 10, 1960 (2010): QD-film mobility falls exponentially with the
   ligand length (the ``beta`` used here).
.. [3] Brent, R. P., Algorithms for Minimization without Derivatives, Prentice-Hall (1973): root finding.
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
from qdled.spectral import luminance_from_photon_flux, photon_energy_eV

__all__ = [
    "DD_CALIBRATED",
    "NOTE",
    "calibrate",
    "calibrated_parameters",
    "dd_parameters",
    "dd_records",
    "dot_parameters",
    "luminance_cd_m2",
    "predictions",
    "SWEEP_VOLTAGE_V",
    "THICKNESS_SWEEPS",
]

#: Parameters of the drift-diffusion device fitted to the paper (NSA-NH4PF6 device only), field -> record.
#: Found by :func:`calibrate` with the default stack through the chain; shared by every device.
DD_CALIBRATED: MappingProxyType = MappingProxyType(
    {
        "qd_mobility_prefactor_m2_Vs": Calibrated(
            0.109245,
            "m2/(V s)",
            ("nsa_pf6.max_luminance_cd_m2",),
            "drift-diffusion device through the chain (qdled device, default stack): luminance at the paper's "
            "voltage of maximum luminance equals the paper's maximum (outer root in log mu_0)",
        ),
        "thermal_resistance_K_m2_W": Calibrated(
            0.0361375,
            "K m2/W",
            ("nsa_pf6.voltage_at_max_luminance_V",),
            "Joule heating in the exciton balance that puts the drift-diffusion device's luminance maximum at the "
            "paper's voltage (inner root: L(V + 0.1 V) = L(V - 0.1 V))",
        ),
    }
)

#: What ``qdled device`` (drift-diffusion) says about its own numbers.
NOTE = (
    "drift-diffusion solver (Poisson + Scharfetter-Gummel continuity + exciton balance with Joule heating), coupled "
    "both ways with the optics (position-resolved outcoupling and Purcell factor in; the solved emission zone out "
    "to the EL spectrum). Two shared parameters are calibrated on the NSA-NH4PF6 device only: the QD-film "
    "mobility prefactor and the thermal resistance (its luminance maximum and the voltage of that maximum). "
    "Everything else is predicted: J-V-L shape, turn-on, peak EQE and roll-off, emission zone, charge balance, "
    "thickness dependence, and the control device from its dots, film PLQY and ligand shell (tunnelling distance "
    "= two ligand shells of the film model: nothing of the control is fitted). The compact model "
    "(--model compact) is the fast surrogate, fitted to this solver's outputs"
)


def calibrated_parameters(params: DeviceParameters, values: dict | None = None) -> DeviceParameters:
    """``params`` with the drift-diffusion calibrated values (:data:`DD_CALIBRATED`, or ``values``) in place.

    The same values apply to every device: the QD-mobility prefactor is a property of hopping between CsPbI3
    dots (the ligand shell enters through ``qd_ligand_gap_nm``), the thermal resistance one of the substrate
    and package.
    """
    if not isinstance(params, DeviceParameters):
        raise InputError(f"params must be DeviceParameters, got {type(params).__name__}")
    vals = {k: rec.value for k, rec in DD_CALIBRATED.items()}
    vals.update({} if values is None else values)
    return replace(params, **vals)


def dd_parameters(stack, name: str, values: dict | None = None) -> DeviceParameters:
    """Parameters of device ``name`` built as ``stack`` for the drift-diffusion solver: the stack's layer
    thicknesses, the film PLQY and PL lifetime that the dots stage predicts for the device's recipe
    (:func:`qdled.device.chain.chain_film`, the film whose PL the chain emits) and the calibrated values
    (:data:`DD_CALIBRATED`, updated with ``values``)."""
    from qdled.device.chain import chain_film, parameters_for_stack

    p = replace(parameters_for_stack(stack, name), **dot_parameters(chain_film(name)))
    return calibrated_parameters(p, values)


def dot_parameters(film) -> dict:
    """The QD-film fields of :class:`~qdled.device.parameters.DeviceParameters` that the chain's dot film
    ``film`` (:func:`qdled.dots.recipe_film`) fixes: ``plqy`` and ``pl_lifetime_s`` = the film's PLQY and PL
    lifetime, ``qd_ligand_gap_nm`` = edge-to-edge distance of the dots = two ligand shells
    (:func:`qdled.dots.film_environment.shell_thickness_nm`, the shells that also set the energy-transfer
    distances), ``qd_edge_nm`` = centre distance minus that gap (the ensemble's mean edge), and
    ``qd_gap_eV`` = photon energy of the solution PL peak (the dots' own gap, without the film's transfer and
    dielectric red shift). So the two devices differ in transport only through their ligand shells: nothing of
    the control device is fitted."""
    gap = 2.0 * float(film.shell_nm)
    return {
        "plqy": float(film.film_plqy),
        "pl_lifetime_s": float(film.film_lifetime_ns) * 1e-9,
        "qd_ligand_gap_nm": gap,
        "qd_edge_nm": float(film.centre_distance_nm) - gap,
        "qd_gap_eV": float(photon_energy_eV(film.solution_peak_nm)),
    }


def dd_records(name: str) -> dict:
    """Calibration records of the drift-diffusion device ``name``: :data:`DD_CALIBRATED` (fitted on the NSA
    device, shared) and the operational-ageing constant (:data:`qdled.device.ageing.CALIBRATED`, fitted on the
    NSA device's T50), which :func:`qdled.device.chain.with_operational_lifetime` puts in effect."""
    from qdled.device.ageing import CALIBRATED as AGEING

    return {**DD_CALIBRATED, **AGEING}


def luminance_cd_m2(result, el) -> np.ndarray:
    """Luminance [cd/m^2] at each voltage of a :class:`~qdled.device.dd.DriftDiffusionResult` solved with
    ``eta_out``: photon flux out ``J/q x EQE`` of a Lambertian emitter with spectrum ``el``."""
    eqe = result.external_quantum_efficiency
    if eqe is None:
        raise InputError("the drift-diffusion result has no EQE (solve with eta_out)")
    flux = np.clip(result.current_density_A_m2, 0.0, None) / Q_C * eqe
    return np.asarray(luminance_from_photon_flux(flux, el), float)


def calibrate(stack=None, *, bracket_m2_Vs=(1e-5, 1.0), bracket_K_m2_W=(1e-4, 1.0), rtol: float = 1e-4) -> dict:
    """Fit the QD-mobility prefactor and the thermal resistance on the NSA-NH4PF6 device's luminance maximum.

    Parameters
    ----------
    stack : qdled.io.stack.Stack, optional
        Default :func:`qdled.io.stack.default_stack` (the device as ``qdled device`` runs it).
    bracket_m2_Vs, bracket_K_m2_W : (float, float)
        Search intervals of ``mu_0`` and ``R_th``.
    rtol : float
        Relative tolerance on both.

    Returns
    -------
    dict
        ``qd_mobility_prefactor_m2_Vs``, ``thermal_resistance_K_m2_W`` (fitted), the resulting maximum
        luminance and its voltage through the chain, the targets.

    Raises
    ------
    ConvergenceError
        A target is not bracketed.

    References
    ----------
    Li et al., Nat. Commun. 15, 5696 (2024) (targets); Brent (1973) (root finding).
    """
    from qdled.device.chain import DD_VOLTAGE_V, chain_pl
    from qdled.device.dd import solve_jv
    from qdled.device.dd.coupling import close_loop, position_optics
    from qdled.io.stack import default_stack

    name = "li2024-nsa-pf6"
    stack = default_stack() if stack is None else stack
    target = paper_value("nsa_pf6.max_luminance_cd_m2")
    v_target = paper_value("nsa_pf6.voltage_at_max_luminance_V")
    V = DD_VOLTAGE_V[DD_VOLTAGE_V <= v_target + 0.1 + 1e-9]
    i0 = int(np.argmin(np.abs(V - v_target)))
    if i0 + 1 >= V.size:
        raise InputError(f"the chain's voltage grid does not reach {v_target} V + one step")
    pl = chain_pl(name)
    prof = position_optics(stack, pl)
    state = {}

    def solved(log_mu0):
        p = dd_parameters(stack, name, {"qd_mobility_prefactor_m2_Vs": 10.0**log_mu0})
        r = solve_jv(p, V, purcell=(prof["depth_nm"], prof["purcell"]), eta_out=(prof["depth_nm"], prof["eta_out"]))
        return p, r

    def rebalanced(p, r, rth):
        return r.with_exciton(replace(r.exciton, thermal_resistance_K_m2_W=rth))

    def f_outer(log_mu0):
        p, r = solved(log_mu0)

        # luminance ~ photon flux: the turnover condition does not depend on the EL's photometric factor
        def slope(log_rth):
            rr = rebalanced(p, r, 10.0**log_rth)
            ph = rr.current_density_A_m2 * rr.external_quantum_efficiency
            return np.log(ph[i0 + 1] / ph[i0 - 1])

        # the slope falls from > 0 (no heating) through 0 (the maximum at the target) and, with absurd heating
        # (T > 1000 K) where the quenching saturates, rises again: take the first sign change on a log grid.
        # Outside it the sign still tells the outer search where to go: a maximum before the target even with the
        # least heating means too much current (mu_0 too high), none with the most heating too little.
        grid = np.linspace(np.log10(bracket_K_m2_W[0]), np.log10(bracket_K_m2_W[1]), 33)
        sl = np.array([slope(g) for g in grid])
        if sl[0] < 0:
            return 10.0
        down = np.flatnonzero((sl[:-1] > 0) & (sl[1:] <= 0))
        if down.size == 0:
            return -10.0
        lo, hi = grid[down[0]], grid[down[0] + 1]
        rth = 10.0 ** brentq(slope, lo, hi, xtol=rtol / np.log(10.0))
        rr = rebalanced(p, r, rth)
        res, _ = close_loop(rr, replace(p, thermal_resistance_K_m2_W=rth), stack, pl, dd_records(name))
        state.update(mu0=10.0**log_mu0, rth=rth, L=float(res.luminance_cd_m2[i0]))
        return np.log(state["L"] / target)

    lo, hi = np.log10(bracket_m2_Vs[0]), np.log10(bracket_m2_Vs[1])
    if f_outer(lo) * f_outer(hi) > 0:
        raise ConvergenceError(f"luminance target {target} cd/m2 not bracketed by mu_0 in {bracket_m2_Vs} m2/Vs")
    brentq(f_outer, lo, hi, xtol=rtol / np.log(10.0))
    return {
        "qd_mobility_prefactor_m2_Vs": state["mu0"],
        "thermal_resistance_K_m2_W": state["rth"],
        "luminance_cd_m2": state["L"],
        "target_cd_m2": target,
        "target_voltage_V": v_target,
    }


#: Layer thicknesses [nm] of the drift-diffusion predictions (:func:`predictions`); the stack's own value is added.
THICKNESS_SWEEPS = MappingProxyType(
    {
        "PO-T2T": (5.0, 20.0, 50.0, 80.0),
        "TmPyPB": (3.0, 12.0, 20.0),
        "PTAA": (10.0, 40.0),
        "QD": (20.0, 50.0),
    }
)
#: Voltages [V] of the thickness sweeps: 0-8 V in 0.2 V steps (half the chain's resolution, half the cost).
SWEEP_VOLTAGE_V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.2), 10)


def predictions(stack=None, sweeps=THICKNESS_SWEEPS, solved: dict | None = None) -> dict:
    """Predictions of the calibrated drift-diffusion device (nothing here is fitted).

    Returns ``{"devices": {name: figures}, "sweeps": {layer: [rows]}}``: for both devices the peak EQE, maximum
    luminance and its voltage, the EQE, current density and emission zone (nm into the QD film from the PTAA side)
    at the maximum, turn-on voltage, outcoupling of the solved zone and EL peak; for the NSA-NH4PF6 device the same
    against the thickness of each layer of ``sweeps`` (layer -> thicknesses [nm]; the stack's own thickness is
    added), all solved on :data:`SWEEP_VOLTAGE_V` (electrical and optical effects together). ``solved``:
    devices already solved on ``stack`` (name -> DriftDiffusionDevice), reused.
    """
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    stack = default_stack() if stack is None else stack

    def figures(st, name, d=None, voltage_V=None):
        if d is None:
            kw = {} if voltage_V is None else {"voltage_V": voltage_V}
            d = simulate_stack_drift_diffusion(st, name, **kw)
        fom, out = d.result.figures_of_merit(), d.summary()
        k = int(np.nanargmax(d.result.luminance_cd_m2))
        return {
            "peak_eqe": fom["peak_eqe"],
            "max_luminance_cd_m2": fom["max_luminance_cd_m2"],
            "voltage_at_max_luminance_V": fom["voltage_at_max_luminance_V"],
            "luminance_turns_over": out["luminance_turns_over"],
            "turn_on_voltage_V": fom["turn_on_voltage_V"],
            "current_density_mA_cm2": float(d.result.current_density_mA_cm2[k]),
            "eqe_at_max_luminance": float(d.result.eqe[k]),
            "emission_zone_in_qd_nm": out["emission_zone_in_qd_nm_at_max_luminance"],
            "eta_out": out["optics"]["eta_out"],
            "el_peak_nm": fom["el_peak_nm"],
        }

    solved = {} if solved is None else solved
    devices = {name: figures(stack, name, solved.get(name)) for name in ("li2024-nsa-pf6", "li2024-control")}
    # the stack as given, on the sweeps' voltage grid (the maximum is read on the same grid at every thickness)
    own_row = figures(stack, "li2024-nsa-pf6", voltage_V=SWEEP_VOLTAGE_V) if sweeps else None
    out_sweeps = {}
    for layer, values in sweeps.items():
        own = stack.layer(layer).thickness_nm
        rows = []
        for t in sorted({float(v) for v in values} | {own}):
            row = (
                own_row
                if t == own
                else figures(
                    stack.with_values({f"{layer}.thickness_nm": t}), "li2024-nsa-pf6", voltage_V=SWEEP_VOLTAGE_V
                )
            )
            rows.append({"thickness_nm": t, **row})
        out_sweeps[layer] = rows
    return {"devices": devices, "sweeps": out_sweeps}


def main(argv=None) -> None:  # pragma: no cover - maintenance script
    """Refit and print the values to freeze in :data:`DD_CALIBRATED`; ``--predict`` also prints the predictions."""
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
