"""The device of a stack: its layer thicknesses into the electrical model, its optics into the light.

:func:`stack_optics` runs :func:`qdled.optics.el_spectrum` on the stack with a PL spectrum (default
:func:`chain_pl`: the film PL that the synthesis and dots stages predict for the device's recipe, the same
spectrum ``qdled reproduce`` hands on) and returns the optical inputs of
:func:`qdled.device.simulate_device` (spectrally averaged outcoupling, Purcell factor, cavity-filtered EL);
:func:`simulate_stack` feeds them to the model with the parameter set of the named device. The calibration
(:mod:`qdled.device.calibration`) uses the same optics of the default stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qdled.device.parameters import DEVICE_SAMPLE, DeviceParameters, device_parameters
from qdled.device.simulate import DeviceResult, simulate_device
from qdled.errors import InputError
from qdled.io.paper import paper_value
from qdled.spectral import Spectrum

__all__ = [
    "ELECTRICAL_LAYERS",
    "StackDevice",
    "chain_pl",
    "parameters_for_stack",
    "simulate_stack",
    "simulate_stack_drift_diffusion",
    "stack_optics",
]

#: Layers whose thickness the electrical model takes from the stack.
ELECTRICAL_LAYERS = ("PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T")


@dataclass(frozen=True)
class StackDevice:
    """A simulated device with the parameters and optics it was run with."""

    result: DeviceResult
    params: DeviceParameters
    el: object  # qdled.optics.CavityEmission


@lru_cache(maxsize=None)
def chain_pl(name: str) -> Spectrum:
    """The emission of the dot film of device ``name`` as the chain predicts it: the device's recipe (built-in
    recipes carry the device names) through :mod:`qdled.synthesis` and the film model
    (:func:`qdled.dots.recipe_film`: energy transfer, dielectric environment, reabsorption), on
    :data:`qdled.dots.HANDOFF_GRID_NM`. Computed once per process (the spectrum is read-only)."""
    from qdled.dots import HANDOFF_GRID_NM, recipe_film

    if name not in DEVICE_SAMPLE:
        raise InputError(f"unknown device {name!r}; known: {', '.join(DEVICE_SAMPLE)}")
    return recipe_film(name).film_pl_on(HANDOFF_GRID_NM)


def parameters_for_stack(stack, name: str) -> DeviceParameters:
    """Parameter set ``name`` with the thicknesses of the stack's electrically modelled layers."""
    names = {layer.name for layer in stack.layers}
    return device_parameters(name).with_thicknesses(
        {n: stack.layer(n).thickness_nm for n in ELECTRICAL_LAYERS if n in names}
    )


def stack_optics(stack, name: str, pl: Spectrum | None = None):
    """Optics of device ``name`` built as ``stack`` emitting ``pl`` (default :func:`chain_pl`).

    Returns ``(optics, emission)``: ``optics`` the keyword arguments ``eta_out``, ``purcell_factor`` and ``el``
    of :func:`qdled.device.simulate_device`, ``emission`` the :class:`qdled.optics.CavityEmission` they came
    from.
    """
    from qdled.optics import el_spectrum

    em = el_spectrum(stack, chain_pl(name) if pl is None else pl)
    return {"eta_out": em.eta_out, "purcell_factor": em.purcell["mixed"], "el": em.el}, em


def simulate_stack(stack, name: str, pl: Spectrum | None = None) -> StackDevice:
    """Simulate device ``name`` built as ``stack``, emitting the PL spectrum ``pl`` (default :func:`chain_pl`)."""
    params = parameters_for_stack(stack, name)
    optics, em = stack_optics(stack, name, pl)
    return StackDevice(simulate_device(params, **optics), params, em)


#: Voltages [V] of a drift-diffusion J-V sweep from the chain (0-8 V, as the compact model's default grid).
DD_VOLTAGE_V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.1), 10)


def simulate_stack_drift_diffusion(stack, name: str, pl: Spectrum | None = None, voltage_V=DD_VOLTAGE_V):
    """Device ``name`` built as ``stack`` by the drift-diffusion solver (:func:`qdled.device.dd.solve_jv`),
    with the stack's spectrally averaged outcoupling and Purcell factor (:func:`stack_optics`) and the
    drift-diffusion calibration (:mod:`qdled.device.dd.calibration`: the QD-mobility prefactor, fitted to the
    NSA-NH4PF6 device's luminance at 5.8 V).

    Returns ``(result, summary)``: the :class:`qdled.device.dd.DriftDiffusionResult` and its JSON-ready
    figures of merit (with luminance from the cavity-filtered EL), the optics used, the calibrated parameters and
    a ``note`` on what is calibrated and what is predicted.
    """
    from qdled.device.dd import solve_jv
    from qdled.device.dd.calibration import DD_CALIBRATED, calibrated_parameters, luminance_summary

    params = calibrated_parameters(parameters_for_stack(stack, name))
    optics, em = stack_optics(stack, name, pl)
    r = solve_jv(params, voltage_V, purcell=optics["purcell_factor"], eta_out=optics["eta_out"])
    out = {"name": name, "model": "drift-diffusion", **r.figures_of_merit(), **luminance_summary(r, em.el)}
    out["optics"] = {"eta_out": float(optics["eta_out"]), "purcell_factor": float(optics["purcell_factor"])}
    out["calibrated"] = {
        k: {"value": rec.value, "unit": rec.unit, "fitted_to": list(rec.fitted_to)} for k, rec in DD_CALIBRATED.items()
    }
    out["note"] = (
        "drift-diffusion solver (Poisson + Scharfetter-Gummel continuity + exciton balance); one parameter, the "
        "QD-film mobility prefactor, is calibrated on the NSA-NH4PF6 device only (its luminance "
        f"{paper_value('nsa_pf6.max_luminance_cd_m2'):g} cd/m2 at "
        f"{paper_value('nsa_pf6.voltage_at_max_luminance_V'):g} V "
        "with this chain's optics and EL); everything else is predicted: J-V-L shape, turn-on, EQE, emission "
        "zone, thickness dependence and the control device (from its ligand shell, PLQY and lifetime). The model "
        "has no heating, so the luminance does not turn over at 5.8 V (see luminance_turns_over); the compact "
        "model stays the default of qdled device"
    )
    return r, out
