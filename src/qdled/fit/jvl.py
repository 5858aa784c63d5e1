"""Transport and recombination parameters from a measured J-V-L sweep, through a forward device model.

The forward model is any callable ``model(values, voltage_V) -> {"current_density_mA_cm2": ..,
"luminance_cd_m2": ..}`` with a ``parameters`` mapping ``name -> ParameterSpec`` (start, physical range,
unit); :func:`compact_model` wraps the compact series model of :func:`qdled.device.simulate_device` and
:func:`drift_diffusion_model` the drift-diffusion solver of :mod:`qdled.device.dd`.

Default free parameters of the compact model (chosen because each moves a different part of the J-V-L, so
all three are identifiable from one sweep; see the tests):

* ``log10_qd_mobility_prefactor`` -- log10 of the QD-film mobility prefactor ``mu0`` [m^2/(V s)] of the
  ligand-tunnelling law ``mu0 exp(-beta d)``: the current level in the space-charge-limited regime;
* ``plqy`` -- the film PLQY, the recombination-related factor: sets the radiative share of recombination
  (luminance and EQE level) and, through one trap per dark dot, the trap-limited current near turn-on;
* ``qd_hole_to_electron_mobility`` -- hole/electron mobility ratio in the QD film: the charge balance, hence
  the EQE and its roll-off.

The ligand gap ``qd_ligand_gap_nm`` can be freed as well, but it enters the current almost only through
``mu0 exp(-beta d)``: fitted together with ``mu0`` the pair is reported as degenerate.

Residuals are natural logarithms (J-V-L data span decades; the noise of current and luminance meters is close
to relative): ``ln J_model - ln J_data`` and ``ln L_model - ln L_data`` at points above the floors.

References
----------
.. [1] Li, Y. et al., Nat. Commun. 15, 5696 (2024) (the device and its J-V-L).
.. [2] See :mod:`qdled.device.electrical` and :mod:`qdled.device.transport` for the model's laws.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from qdled.errors import ConvergenceError, InputError
from qdled.fit._common import check_1d, minimize
from qdled.fit.result import FitResult, summarise

#: default free parameters of :func:`compact_model`
DEFAULT_VARY = ("log10_qd_mobility_prefactor", "plqy", "qd_hole_to_electron_mobility")
#: residual assigned to every point when the forward model refuses the parameters (outside its range) or its
#: solver fails (:class:`qdled.errors.ConvergenceError`): the optimiser steps back
_PENALTY = 1e3


@dataclass(frozen=True)
class ParameterSpec:
    """Start value, physical range and unit of a forward-model parameter."""

    start: float
    bounds: tuple[float, float]
    unit: str = ""


@dataclass(frozen=True)
class CompactJVL:
    """Forward J-V-L model: :func:`qdled.device.simulate_device` with fixed optical inputs.

    Call with ``(values, voltage_V)``; ``values`` maps names of :attr:`parameters` to numbers (others keep the
    base parameter set's values). Returns ``{"current_density_mA_cm2", "luminance_cd_m2", "eqe"}``.
    """

    base: object  # qdled.device.DeviceParameters
    optics: dict
    parameters: dict = field(default_factory=dict)

    def device_parameters(self, values: dict):
        """The base parameter set with ``values`` applied."""
        kw = {}
        for name, v in values.items():
            if name == "log10_qd_mobility_prefactor":
                kw["qd_mobility_prefactor_m2_Vs"] = 10.0 ** float(v)
            elif name in self.parameters:
                kw[name] = float(v)
            else:
                raise InputError(f"unknown parameter {name!r}; known: {', '.join(self.parameters)}")
        return replace(self.base, **kw)

    def __call__(self, values: dict, voltage_V) -> dict:
        from qdled.device import simulate_device

        res = simulate_device(self.device_parameters(values), voltage_V=np.asarray(voltage_V, float), **self.optics)
        return {
            "current_density_mA_cm2": res.current_density_mA_cm2,
            "luminance_cd_m2": res.luminance_cd_m2,
            "eqe": res.eqe,
        }


def compact_model(device: str = "li2024-nsa-pf6", stack=None) -> CompactJVL:
    """The compact device model of ``device`` as a forward model for :func:`fit_jvl`.

    Parameters
    ----------
    device : "li2024-nsa-pf6" or "li2024-control"
        Parameter set (:func:`qdled.device.device_parameters`); its values are the starting point.
    stack : qdled.io.stack.Stack, optional
        If given, layer thicknesses come from it and the optics (outcoupling, Purcell factor, EL spectrum)
        from :func:`qdled.optics.el_spectrum` with the chain's PL of that batch
        (:func:`qdled.device.chain.chain_pl`); else the calibration's
        optical inputs (:func:`qdled.device.calibration.calibration_inputs`).
    """
    from qdled.device import device_parameters

    if stack is None:
        from qdled.device.calibration import calibration_inputs

        base = device_parameters(device)
        optics = {k: v for k, v in calibration_inputs(device).items() if k != "source"}
    else:
        from qdled.device.chain import parameters_for_stack, stack_optics

        base = parameters_for_stack(stack, device)
        optics = stack_optics(stack, device)[0]
    specs = {
        "log10_qd_mobility_prefactor": ParameterSpec(
            float(np.log10(base.qd_mobility_prefactor_m2_Vs)), (-13.0, -4.0), "log10(m^2/(V s))"
        ),
        "plqy": ParameterSpec(base.plqy, (0.02, 1.0), ""),
        "qd_hole_to_electron_mobility": ParameterSpec(base.qd_hole_to_electron_mobility, (0.01, 10.0), ""),
        "qd_ligand_gap_nm": ParameterSpec(base.qd_ligand_gap_nm, (0.0, 2.0), "nm"),
        "qd_trap_temperature_K": ParameterSpec(base.qd_trap_temperature_K, (400.0, 4000.0), "K"),
    }
    return CompactJVL(base, optics, specs)


@dataclass(frozen=True)
class DriftDiffusionJVL(CompactJVL):
    """Forward J-V-L model: the drift-diffusion solver (:func:`qdled.device.dd.solve_jv`) with the stack's
    position-resolved optics (``optics``: ``depth_nm``, ``eta_out``, ``purcell`` of
    :func:`qdled.device.dd.coupling.position_optics`) and a fixed EL spectrum ``el`` for the luminance (the
    chain's, of the solved emission zone at the start values); same interface as :class:`CompactJVL`.
    ``log10_qd_mobility_prefactor`` is the drift-diffusion model's own prefactor
    (:mod:`qdled.device.dd.calibration`). About 0.1-0.5 s per evaluation: a fit takes tens of seconds."""

    el: object = None  # qdled.spectral.Spectrum

    def __call__(self, values: dict, voltage_V) -> dict:
        from qdled.device.dd import solve_jv
        from qdled.device.dd.calibration import luminance_cd_m2

        V = np.asarray(voltage_V, float)
        o = self.optics
        r = solve_jv(
            self.device_parameters(values),
            V,
            purcell=(o["depth_nm"], o["purcell"]),
            eta_out=(o["depth_nm"], o["eta_out"]),
        )
        return {
            "current_density_mA_cm2": r.current_density_A_m2 * 0.1,
            "luminance_cd_m2": luminance_cd_m2(r, self.el),
            "eqe": r.external_quantum_efficiency,
        }


def drift_diffusion_model(device: str = "li2024-nsa-pf6", stack=None) -> DriftDiffusionJVL:
    """The drift-diffusion device model of ``device`` built as ``stack`` (default the paper's), exactly as the
    chain solves it (:func:`qdled.device.chain.simulate_stack_drift_diffusion`: calibrated values, the dots
    stage's film PLQY and lifetime, position-resolved optics), as a forward model for :func:`fit_jvl`."""
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    stack = default_stack() if stack is None else stack
    dev = simulate_stack_drift_diffusion(stack, device)
    base = dev.params
    specs = {
        "log10_qd_mobility_prefactor": ParameterSpec(
            float(np.log10(base.qd_mobility_prefactor_m2_Vs)), (-9.0, 0.0), "log10(m^2/(V s))"
        ),
        "plqy": ParameterSpec(base.plqy, (0.02, 1.0), ""),
        "qd_hole_to_electron_mobility": ParameterSpec(base.qd_hole_to_electron_mobility, (0.01, 10.0), ""),
    }
    return DriftDiffusionJVL(base, dict(dev.optics), specs, el=dev.emission.el)


def fit_jvl(
    voltage_V,
    current_density_mA_cm2,
    luminance_cd_m2=None,
    *,
    model=None,
    vary=DEFAULT_VARY,
    start: dict | None = None,
    relative_sigma: tuple[float, float] | None = None,
    floors: tuple[float, float] = (1e-4, 0.1),
) -> FitResult:
    """Fit forward-model parameters to a J-V(-L) sweep.

    Parameters
    ----------
    voltage_V, current_density_mA_cm2 : arrays (n,)
        Forward-bias sweep [V, mA/cm^2].
    luminance_cd_m2 : array (n,), optional
        Luminance [cd/m^2]; without it only the current is fitted (the PLQY is then not identifiable).
    model : forward model, optional
        See the module docstring; default :func:`compact_model` of the paper's NSA-NH4PF6 device.
    vary : sequence of str
        Free parameters (names of ``model.parameters``).
    start : dict, optional
        Starting values (default the model's).
    relative_sigma : (sigma_J, sigma_L), optional
        Relative standard errors of current and luminance; default equal and unknown (scale from the residuals).
    floors : (J_floor, L_floor)
        Points with J [mA/cm^2] or L [cd/m^2] below these are not fitted (noise floor of the meters).

    Returns
    -------
    FitResult
        ``parameters``: the ``vary`` parameters; ``curves``: voltage, data and model J and L.
    """
    import lmfit

    model = compact_model() if model is None else model
    V = check_1d("voltage_V", voltage_V)
    n = V.size
    J = check_1d("current_density_mA_cm2", current_density_mA_cm2, n)
    L = None if luminance_cd_m2 is None else check_1d("luminance_cd_m2", luminance_cd_m2, n)
    if n < 5 or np.any(np.diff(V) <= 0):
        raise InputError("J-V-L sweep needs >= 5 points with strictly increasing voltage_V")
    unknown = [v for v in vary if v not in model.parameters]
    if unknown:
        raise InputError(f"unknown parameter(s) {unknown}; the model has {', '.join(model.parameters)}")
    use_j = J > floors[0]
    use_l = np.zeros(n, dtype=bool) if L is None else L > floors[1]
    if use_j.sum() + use_l.sum() <= len(vary) + 1:
        raise InputError("too few points above the current/luminance floors to fit")
    s_j, s_l = (1.0, 1.0) if relative_sigma is None else (float(relative_sigma[0]), float(relative_sigma[1]))
    ln_data = np.concatenate([np.log(J[use_j]), np.log(L[use_l]) if L is not None else []])
    sig = np.concatenate([np.full(use_j.sum(), s_j), np.full(use_l.sum(), s_l)])

    def model_of(p):
        values = {k: p[k].value for k in vary}
        try:
            out = model(values, V)
        except (InputError, ConvergenceError):  # outside the model's range, or a solver that did not converge
            return np.full(ln_data.size, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            parts = [np.log(out["current_density_mA_cm2"][use_j])]
            if L is not None:
                parts.append(np.log(out["luminance_cd_m2"][use_l]))
        return np.concatenate(parts)

    def residual(p, w):
        r = (model_of(p) - ln_data) * w
        return np.where(np.isfinite(r), r, _PENALTY)

    params = lmfit.Parameters()
    for name in vary:
        spec = model.parameters[name]
        v0 = spec.start if not start or name not in start else float(start[name])
        params.add(name, v0, min=spec.bounds[0], max=spec.bounds[1])
    res, _ = minimize(residual, params, sig, ln_data, model_of)
    physical = {k: (model.parameters[k].unit, model.parameters[k].bounds) for k in vary}
    best = model({k: res.params[k].value for k in vary}, V)
    notes = [
        "residuals: ln J" + (" and ln L" if L is not None else " only"),
        "noise: "
        + (
            "equal relative errors, scale from the residuals"
            if relative_sigma is None
            else f"relative errors J {s_j:g}, L {s_l:g}"
        ),
        f"forward model: {type(model).__name__}",
    ]
    curves = {
        "voltage_V": V,
        "current_density_mA_cm2": J,
        "luminance_cd_m2": L,
        "model_current_density_mA_cm2": best["current_density_mA_cm2"],
        "model_luminance_cd_m2": best["luminance_cd_m2"],
    }
    return summarise("jvl", res, physical, notes=notes, curves=curves)


__all__ = ["fit_jvl", "compact_model", "CompactJVL", "ParameterSpec", "DEFAULT_VARY"]
