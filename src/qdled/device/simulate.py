"""One-call device simulation: J-V-L, EQE(J), efficiencies, colour and lifetime of an LED.

:func:`simulate_device` composes the kernels of :mod:`qdled.device` (electrical model, emission and
roll-off, lifetime) with optical inputs -- the outcoupling efficiency ``eta_out``, the Purcell factor, the
PLQY and the (cavity-filtered) EL spectrum, a :class:`qdled.spectral.Spectrum` -- so that it does not depend
on the optics or dots stages; :mod:`qdled.device.chain`, the CLI and the report supply those inputs.

Photometry, colour, EL peak and width are :mod:`qdled.spectral`'s (CIE 1924 photopic V(lambda),
Km = 683 lm/W, Lambertian emission; CIE 1931 2 deg chromaticity).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.constants import e as Q_C

from qdled.device.electrical import dot_density_m3, solve_electrical
from qdled.device.emission import RollOff, effective_quantum_yield, external_quantum_efficiency, purcell_quantum_yield
from qdled.device.lifetime import decay_time_constant_min, scale_lifetime, time_to_fraction_min
from qdled.device.parameters import CALIBRATED, DEVICE_SAMPLE, DeviceParameters, calibrated_outputs
from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import paper_values, status
from qdled.spectral import Spectrum, cie_xy, luminance_from_photon_flux, turn_on_voltage

__all__ = [
    "DEFAULT_VOLTAGE_V",
    "LIFETIME_L0_CD_M2",
    "DeviceResult",
    "device_result_from_curves",
    "paper_comparison",
    "simulate_device",
]

#: Default voltage sweep [V] (0 to 8 V in 20 mV steps).
DEFAULT_VOLTAGE_V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.02), 10)
#: Initial luminance [cd/m^2] at which the model reports T50 and T95 (``t50_min_at_1000_cd_m2``).
LIFETIME_L0_CD_M2 = 1000.0


@dataclass(frozen=True)
class DeviceResult:
    """Simulated device. Arrays over ``voltage_V``: ``current_density_mA_cm2``, ``luminance_cd_m2``,
    ``eqe`` (fraction), ``current_efficiency_cd_A``, ``power_efficacy_lm_W``, ``charge_balance``,
    ``q_eff``; scalar figures of merit in :meth:`figures_of_merit`."""

    name: str
    voltage_V: np.ndarray
    current_density_mA_cm2: np.ndarray
    luminance_cd_m2: np.ndarray
    eqe: np.ndarray
    current_efficiency_cd_A: np.ndarray
    power_efficacy_lm_W: np.ndarray
    charge_balance: np.ndarray
    q_eff: np.ndarray
    eqe_ceiling: float
    el_peak_nm: float
    el_fwhm_nm: float
    cie_x: float
    cie_y: float
    t50_min_at_1000_cd_m2: float
    t95_min_at_1000_cd_m2: float
    lifetime_reference_cd_m2: float = LIFETIME_L0_CD_M2
    inputs: dict = field(default_factory=dict)
    records: object = None  # calibration records (field -> Calibrated); None: the compact model's CALIBRATED[name]

    @property
    def calibration_records(self) -> dict:
        """Provenance records of the parameters fitted for this result's model and device."""
        return dict(CALIBRATED.get(self.name, {}) if self.records is None else self.records)

    def figures_of_merit(self) -> dict:
        """Scalar results (JSON-ready); ``calibrated`` holds the provenance records of the fitted parameters
        (:data:`qdled.device.CALIBRATED`), ``calibrated_outputs``/``predicted_outputs`` split the figures of
        merit by whether a record was fitted to their paper value."""
        i_eqe = int(np.nanargmax(self.eqe))
        i_l = int(np.nanargmax(self.luminance_cd_m2))
        out = {
            "device": self.name,
            "peak_eqe": float(self.eqe[i_eqe]),
            "current_density_at_peak_eqe_mA_cm2": float(self.current_density_mA_cm2[i_eqe]),
            "max_luminance_cd_m2": float(self.luminance_cd_m2[i_l]),
            "voltage_at_max_luminance_V": float(self.voltage_V[i_l]),
            "turn_on_voltage_V": turn_on_voltage(self.voltage_V, self.luminance_cd_m2),
            "max_current_efficiency_cd_A": float(np.nanmax(self.current_efficiency_cd_A)),
            "max_power_efficacy_lm_W": float(np.nanmax(self.power_efficacy_lm_W)),
            "eqe_ceiling": self.eqe_ceiling,
            "el_peak_nm": self.el_peak_nm,
            "el_fwhm_nm": self.el_fwhm_nm,
            "cie_x": self.cie_x,
            "cie_y": self.cie_y,
            "t50_min_at_1000_cd_m2": self.t50_min_at_1000_cd_m2,
            "t95_min_at_1000_cd_m2": self.t95_min_at_1000_cd_m2,
        }
        numeric = [k for k, v in out.items() if isinstance(v, float) and k != "eqe_ceiling"]
        recs = self.calibration_records
        fitted = calibrated_outputs(self.name, numeric, self.lifetime_reference_cd_m2, recs.values())
        out["calibrated"] = {k: r.to_dict() for k, r in recs.items()}
        out["calibrated_outputs"] = fitted
        out["predicted_outputs"] = [k for k in numeric if k not in fitted]
        out["inputs"] = self.inputs
        return out


def simulate_device(
    params: DeviceParameters,
    *,
    eta_out: float,
    purcell_factor: float = 1.0,
    plqy: float | None = None,
    el: Spectrum,
    voltage_V=None,
) -> DeviceResult:
    """Simulate the LED ``params`` over ``voltage_V`` [V].

    Parameters
    ----------
    params : DeviceParameters
        Layer properties (:func:`qdled.device.device_parameters`).
    eta_out : float
        Fraction of the photons generated in the QD layer that leave into air (from optics).
    purcell_factor : float
        Radiative-rate enhancement of the emitter in the cavity (from optics; 1 = none).
    plqy : float, optional
        PL quantum yield of the QD film (default ``params.plqy``); replaces ``params.plqy`` everywhere.
    el : Spectrum
        EL spectrum leaving the device (spectral power, any scale), e.g. cavity-filtered PL.
    voltage_V : array, optional
        Voltages [V] (default 0-8 V in 20 mV steps); must be increasing.
    """
    eta = require_finite_positive("eta_out", eta_out)
    if eta > 1:
        raise InputError(f"eta_out must be in (0, 1], got {eta_out}")
    F = require_finite_positive("purcell_factor", purcell_factor)
    if plqy is not None:  # the film PLQY also sets the trap density of the electrical model
        params = replace(params, plqy=float(plqy))
    q = params.plqy
    V = DEFAULT_VOLTAGE_V if voltage_V is None else np.asarray(voltage_V, float)
    if V.ndim != 1 or V.size < 2 or not np.all(np.isfinite(V)) or (np.diff(V) <= 0).any():
        raise InputError("voltage_V must be a 1-D increasing array of at least 2 finite values")
    if not isinstance(el, Spectrum):
        raise InputError(f"el must be a qdled.spectral.Spectrum, got {type(el).__name__}")

    elec = solve_electrical(params)
    rolloff = RollOff(
        params.pl_lifetime_s,
        params.auger_lifetime_s,
        dot_density_m3(params),
        params.thermal_resistance_K_m2_W,
        params.quench_activation_eV,
        params.quench_half_temperature_K,
        params.temperature_K,
    )
    J_grid = elec.current_density_A_m2
    qe = effective_quantum_yield(
        J_grid,
        elec.voltage_V,
        plqy=q,
        purcell_factor=F,
        charge_balance=elec.charge_balance,
        thickness_m=params.thickness_m("QD"),
        rolloff=rolloff,
    )
    eqe_grid = external_quantum_efficiency(elec.charge_balance, qe, eta)

    # J(V) of the diode branch: interpolate ln J on the monotonic V(J) (0 below the grid; above it is refused);
    # the shunt (leakage) current V/R_sh flows in parallel and gives no light.
    if V[-1] > elec.voltage_V[-1]:
        raise InputError(
            f"voltage_V reaches {V[-1]:g} V, beyond the modelled current range "
            f"(up to {J_grid[-1] / 10:g} mA/cm2 at {elec.voltage_V[-1]:.3g} V)"
        )
    lnJ = np.interp(V, elec.voltage_V, np.log(J_grid), left=-np.inf, right=np.nan)
    J_diode = np.exp(lnJ)
    photons = np.interp(lnJ, np.log(J_grid), eqe_grid * J_grid / Q_C, left=0.0, right=np.nan)
    J = J_diode + np.clip(V, 0.0, None) / params.shunt_resistance_ohm_m2
    cb = np.interp(lnJ, np.log(J_grid), elec.charge_balance, left=1.0, right=np.nan)
    qv = np.interp(lnJ, np.log(J_grid), qe, left=qe[0], right=np.nan)
    return device_result_from_curves(
        params,
        V,
        J,
        photons,
        el,
        charge_balance=cb,
        q_eff=qv,
        eqe_ceiling=float(eta * purcell_quantum_yield(q, F)),
        inputs={"eta_out": eta, "purcell_factor": F, "plqy": q},
    )


def device_result_from_curves(
    params: DeviceParameters,
    voltage_V,
    current_density_A_m2,
    photon_flux_m2_s,
    el: Spectrum,
    *,
    charge_balance,
    q_eff,
    eqe_ceiling: float,
    inputs: dict,
    records=None,
) -> DeviceResult:
    """A :class:`DeviceResult` from a device model's curves (any model: the compact one here, the
    drift-diffusion one in :mod:`qdled.device.dd.coupling`): EQE = photons out per electron, luminance of a
    Lambertian emitter with spectrum ``el`` (:func:`qdled.spectral.luminance_from_photon_flux`), current efficiency
    ``L/J``, power efficacy ``pi L/(J V)``, CIE of ``el``, and the lifetime law of ``params`` (T50, T95 at
    :data:`LIFETIME_L0_CD_M2`). Arrays over ``voltage_V``; ``photon_flux_m2_s`` = photons leaving per area and
    time."""
    V = np.asarray(voltage_V, float)
    J = np.asarray(current_density_A_m2, float)
    photons = np.asarray(photon_flux_m2_s, float)
    L = np.asarray(luminance_from_photon_flux(photons, el), float)
    with np.errstate(invalid="ignore", divide="ignore"):
        eqe = np.where(J > 0, photons * Q_C / J, np.nan)
        ce = np.where(J > 0, L / J, np.nan)
        pe = np.where((J > 0) & (V > 0), np.pi * L / (J * V), np.nan)
    x, y = cie_xy(el)
    t50 = scale_lifetime(
        params.t50_min, params.lifetime_reference_cd_m2, LIFETIME_L0_CD_M2, params.acceleration_exponent
    )
    tau = decay_time_constant_min(t50, params.lifetime_beta)
    return DeviceResult(
        name=params.name,
        voltage_V=V,
        current_density_mA_cm2=J * 0.1,
        luminance_cd_m2=L,
        eqe=eqe,
        current_efficiency_cd_A=ce,
        power_efficacy_lm_W=pe,
        charge_balance=np.asarray(charge_balance, float),
        q_eff=np.asarray(q_eff, float),
        eqe_ceiling=float(eqe_ceiling),
        el_peak_nm=el.peak_nm,
        el_fwhm_nm=el.fwhm_nm,
        cie_x=x,
        cie_y=y,
        t50_min_at_1000_cd_m2=float(t50),
        t95_min_at_1000_cd_m2=float(time_to_fraction_min(0.95, tau, params.lifetime_beta)),
        lifetime_reference_cd_m2=params.lifetime_reference_cd_m2,
        inputs=inputs,
        records=records,
    )


_COMPARED = (
    "peak_eqe",
    "max_luminance_cd_m2",
    "voltage_at_max_luminance_V",
    "el_peak_nm",
    "el_fwhm_nm",
    "cie_x",
    "cie_y",
)


def paper_comparison(
    result: DeviceResult,
    lifetime_reference_cd_m2: float,
    acceleration_exponent: float,
    el_is_input: bool = False,
    lifetime: dict | None = None,
) -> dict:
    """Model vs paper for the numbers the paper states: ``key -> {"model", "paper", "unit", "status"}``.

    ``status`` is derived from the device's provenance records (:data:`qdled.device.CALIBRATED`):
    ``"calibrated"`` where a record was fitted to the paper value, ``"input"`` for EL peak/FWHM/CIE when the EL
    spectrum given to :func:`simulate_device` was itself an input (``el_is_input``), else ``"predicted"``.
    T50 is compared at the paper's own L0 (``lifetime_reference_cd_m2``): from ``lifetime`` (the degradation
    simulation of :func:`qdled.device.ageing.operational_lifetime`, run at that L0) when given, else converting
    the model's value at :data:`LIFETIME_L0_CD_M2` with ``L0^n T = const``.
    """
    sample = DEVICE_SAMPLE.get(result.name)
    if sample is None:
        return {}
    paper = paper_values()
    records = result.calibration_records.values()
    fom = result.figures_of_merit()
    out = {}
    for key in _COMPARED:
        pv = paper.get(f"{sample}.{key}")
        if pv is not None:
            st = status(pv.key, records)
            if el_is_input and key in ("el_peak_nm", "el_fwhm_nm", "cie_x", "cie_y"):
                st = "input"
            out[key] = {"model": fom[key], "paper": pv.value, "unit": pv.unit, "status": st}
    pv = paper.get(f"{sample}.t50_min")
    if pv is not None and lifetime is not None and lifetime.get("paper"):
        lp = lifetime["paper"]
        out[f"t50_min_at_{lp['l0_cd_m2']:g}_cd_m2"] = {
            "model": float("nan") if lp["model_t50_min"] is None else lp["model_t50_min"],
            "paper": pv.value,
            "unit": pv.unit,
            "status": status(pv.key, records),
        }
    elif pv is not None:
        t50 = scale_lifetime(
            result.t50_min_at_1000_cd_m2, LIFETIME_L0_CD_M2, lifetime_reference_cd_m2, acceleration_exponent
        )
        out[f"t50_min_at_{lifetime_reference_cd_m2:g}_cd_m2"] = {
            "model": t50,
            "paper": pv.value,
            "unit": pv.unit,
            "status": status(pv.key, records),
        }
    return out
