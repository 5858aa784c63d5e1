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
from qdled.spectral import Spectrum

__all__ = [
    "ELECTRICAL_LAYERS",
    "StackDevice",
    "chain_film",
    "chain_pl",
    "parameters_for_stack",
    "simulate_stack",
    "simulate_stack_drift_diffusion",
    "stack_optics",
    "with_operational_lifetime",
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
def chain_film(name: str):
    """The dot film of device ``name`` as the chain predicts it: the device's recipe (built-in recipes carry the
    device names) through :mod:`qdled.synthesis` and the film model (:func:`qdled.dots.recipe_film`: energy
    transfer, dielectric environment, reabsorption). Computed once per process (the result is frozen)."""
    from qdled.dots import recipe_film

    if name not in DEVICE_SAMPLE:
        raise InputError(f"unknown device {name!r}; known: {', '.join(DEVICE_SAMPLE)}")
    return recipe_film(name)


@lru_cache(maxsize=None)
def chain_pl(name: str) -> Spectrum:
    """The emission of :func:`chain_film` of device ``name`` on :data:`qdled.dots.HANDOFF_GRID_NM` (the spectrum
    the chain hands to the optics). Computed once per process (the spectrum is read-only)."""
    from qdled.dots import HANDOFF_GRID_NM

    return chain_film(name).film_pl_on(HANDOFF_GRID_NM)


@lru_cache(maxsize=64)
def _chain_position_optics(stack, name: str) -> dict:
    from qdled.device.dd.coupling import position_optics

    return position_optics(stack, chain_pl(name))


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


#: Voltages [V] of a drift-diffusion J-V sweep from the chain (0-8 V in 0.1 V steps).
DD_VOLTAGE_V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.1), 10)


@dataclass(frozen=True)
class DriftDiffusionDevice:
    """A device solved by drift-diffusion through the chain: ``dd`` the solver's
    :class:`qdled.device.dd.DriftDiffusionResult`, ``result`` its :class:`DeviceResult` (the compact model's
    figures of merit and JSON keys), ``params`` the parameters solved, ``emission`` the
    :class:`qdled.optics.CavityEmission` of the solver's own emission zone (at the voltage of maximum luminance),
    ``optics`` the position-resolved outcoupling and Purcell factor fed to the solver."""

    dd: object
    result: DeviceResult
    params: DeviceParameters
    emission: object
    optics: dict

    def summary(self) -> dict:
        """JSON-ready: the figures of merit of :meth:`DeviceResult.figures_of_merit` (same keys as the compact
        model), plus the drift-diffusion curves and profiles (emission zone, charge balance, exciton fraction,
        IQE, built-in voltage), the position-resolved optics, the temperature and a ``note``."""
        from qdled.device.dd.calibration import NOTE

        r, res = self.dd, self.result
        out = res.figures_of_merit()
        out["model"] = "drift-diffusion"
        out.update({f"dd_{k}" if k == "peak_eqe" else k: v for k, v in r.figures_of_merit().items()})
        out.pop("dd_peak_eqe")
        k = int(np.nanargmax(res.luminance_cd_m2))
        qd0 = float(r.interfaces_nm[list(r.layer_names).index("QD") - 1]) if r.layer_names[0] != "QD" else 0.0
        zone = r.emission_zone_nm()
        out["luminance_cd_m2"] = [float(v) for v in res.luminance_cd_m2]
        out["eqe"] = [None if not np.isfinite(v) else float(v) for v in res.eqe]
        out["temperature_K"] = [float(v) for v in r.temperature_K]
        out["luminance_turns_over"] = bool(k < res.voltage_V.size - 1)
        out["emission_zone_in_qd_nm_at_max_luminance"] = None if not np.isfinite(zone[k]) else float(zone[k] - qd0)
        out["charge_balance_at_max_luminance"] = float(r.exciton_fraction[k])
        out["optics"] = {
            "eta_out": float(self.emission.eta_out),
            "purcell_factor": float(self.emission.purcell["mixed"]),
            "position_resolved": {key: [float(v) for v in val] for key, val in self.optics.items()},
        }
        out["note"] = NOTE
        return out


def simulate_stack_drift_diffusion(
    stack, name: str, pl: Spectrum | None = None, voltage_V=DD_VOLTAGE_V, values: dict | None = None
) -> DriftDiffusionDevice:
    """Device ``name`` built as ``stack``, solved by drift-diffusion (:func:`qdled.device.dd.solve_jv`) and
    coupled both ways with the optics (:mod:`qdled.device.dd.coupling`): the stack's position-resolved
    outcoupling and Purcell factor for the film PL ``pl`` (default :func:`chain_pl`) enter the exciton balance,
    and the solved emission zone gives the EL spectrum. Parameters: :func:`qdled.device.dd.calibration.dd_parameters`
    (the chain's film PLQY and PL lifetime; the drift-diffusion calibration, or ``values``).
    """
    from qdled.device.dd import solve_jv
    from qdled.device.dd.calibration import dd_parameters, dd_records
    from qdled.device.dd.coupling import close_loop, position_optics

    params = dd_parameters(stack, name, values)
    # the chain's own PL: the profiles of a stack are computed once per process (read-only arrays)
    prof = _chain_position_optics(stack, name) if pl is None else position_optics(stack, pl)
    pl = chain_pl(name) if pl is None else pl
    r = solve_jv(
        params,
        voltage_V,
        purcell=(prof["depth_nm"], prof["purcell"]),
        eta_out=(prof["depth_nm"], prof["eta_out"]),
    )
    res, em = close_loop(r, params, stack, pl, dd_records(name))
    return DriftDiffusionDevice(r, res, params, em, prof)


def with_operational_lifetime(
    result: DeviceResult, stack, name: str, compact: StackDevice | None = None
) -> tuple[DeviceResult, dict]:
    """``result`` with T50/T95 at 1000 cd/m^2 from the degradation simulation of device ``name`` built as
    ``stack`` (:func:`qdled.device.ageing.operational_lifetime`, on the compact model of the same stack,
    ``compact`` = :func:`simulate_stack` if already computed: the ODE needs thousands of device evaluations), and
    its records: the ageing model's calibrated constant replaces the T50 taken from the paper. Returns
    ``(result, lifetime)``, ``lifetime`` the JSON-ready ageing result."""
    from dataclasses import replace

    from qdled.device.ageing import CALIBRATED as AGEING
    from qdled.device.ageing import operational_lifetime

    life = operational_lifetime(simulate_stack(stack, name) if compact is None else compact)
    recs = {k: r for k, r in result.calibration_records.items() if k != "t50_min"}
    recs.update(AGEING)
    nan = float("nan")
    res = replace(
        result,
        t50_min_at_1000_cd_m2=nan if life["t50_min_at_1000_cd_m2"] is None else life["t50_min_at_1000_cd_m2"],
        t95_min_at_1000_cd_m2=nan if life["t95_min_at_1000_cd_m2"] is None else life["t95_min_at_1000_cd_m2"],
        records=recs,
    )
    return res, life
