"""One-call device simulation: J-V-L, EQE(J), efficiencies, colour and lifetime of an LED.

:func:`simulate_device` composes the kernels of :mod:`qdled.device` (electrical model, emission and
roll-off, lifetime) with plain-number optical inputs -- the outcoupling efficiency ``eta_out``, the
Purcell factor, the PLQY and the (cavity-filtered) EL spectrum -- so that it does not depend on the
optics or dots stages; the CLI and the report supply those inputs.

Photometry and colour reuse :mod:`qdled.analysis` (CIE 1924 photopic V(lambda), Km = 683 lm/W,
Lambertian emission; CIE 1931 2 deg chromaticity).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.constants import e as Q_C

from qdled.analysis.jvl import luminance_from_photon_flux, turn_on_voltage
from qdled.analysis.lifetime import scale_lifetime
from qdled.analysis.spectrum import fwhm_nm, peak_nm, spectrum_to_xy
from qdled.device.electrical import dot_density_m3, solve_electrical
from qdled.device.emission import RollOff, effective_quantum_yield, external_quantum_efficiency, purcell_quantum_yield
from qdled.device.lifetime import decay_time_constant_min, time_to_fraction_min
from qdled.device.parameters import CALIBRATED, CALIBRATED_OUTPUTS, DeviceParameters
from qdled.errors import InputError, require_finite_positive

__all__ = ["DeviceResult", "simulate_device", "gaussian_spectrum", "paper_comparison", "DEFAULT_VOLTAGE_V"]

#: Default voltage sweep [V] (0 to 8 V in 20 mV steps).
DEFAULT_VOLTAGE_V = np.round(np.arange(0.0, 8.0 + 1e-9, 0.02), 10)


def gaussian_spectrum(peak_nm: float, fwhm: float, wavelength_nm=None) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian spectral power distribution (peak 1) on a 380-780 nm, 0.5 nm grid."""
    p = require_finite_positive("peak_nm", peak_nm)
    w = require_finite_positive("fwhm", fwhm)
    wl = np.arange(380.0, 780.01, 0.5) if wavelength_nm is None else np.asarray(wavelength_nm, float)
    return wl, np.exp(-4.0 * np.log(2.0) * ((wl - p) / w) ** 2)


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
    inputs: dict = field(default_factory=dict)

    def figures_of_merit(self) -> dict:
        """Scalar results (JSON-ready); ``calibrated`` lists fitted parameters and their targets,
        ``calibrated_outputs``/``predicted_outputs`` split the figures of merit."""
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
        fitted = CALIBRATED_OUTPUTS.get(self.name, ())
        numeric = [k for k, v in out.items() if isinstance(v, float) and k != "eqe_ceiling"]
        out["calibrated"] = sorted(f"{k[1]}: {v}" for k, v in CALIBRATED.items() if k[0] == self.name)
        out["calibrated_outputs"] = [k for k in numeric if k in fitted]
        out["predicted_outputs"] = [k for k in numeric if k not in fitted]
        out["inputs"] = self.inputs
        return out


def simulate_device(
    params: DeviceParameters,
    *,
    eta_out: float,
    purcell_factor: float = 1.0,
    plqy: float | None = None,
    el_wavelength_nm,
    el_intensity,
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
    el_wavelength_nm, el_intensity : array
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
    wl, s = np.asarray(el_wavelength_nm, float), np.asarray(el_intensity, float)

    el = solve_electrical(params)
    rolloff = RollOff(
        params.pl_lifetime_s,
        params.auger_lifetime_s,
        dot_density_m3(params),
        params.thermal_resistance_K_m2_W,
        params.quench_activation_eV,
        params.quench_half_temperature_K,
        params.temperature_K,
    )
    J_grid = el.current_density_A_m2
    qe = effective_quantum_yield(
        J_grid,
        el.voltage_V,
        plqy=q,
        purcell_factor=F,
        charge_balance=el.charge_balance,
        thickness_m=params.thickness_m("QD"),
        rolloff=rolloff,
    )
    eqe_grid = external_quantum_efficiency(el.charge_balance, qe, eta)

    # J(V) of the diode branch: interpolate ln J on the monotonic V(J) (0 below the grid; above it is refused);
    # the shunt (leakage) current V/R_sh flows in parallel and gives no light.
    if V[-1] > el.voltage_V[-1]:
        raise InputError(
            f"voltage_V reaches {V[-1]:g} V, beyond the modelled current range "
            f"(up to {J_grid[-1] / 10:g} mA/cm2 at {el.voltage_V[-1]:.3g} V)"
        )
    lnJ = np.interp(V, el.voltage_V, np.log(J_grid), left=-np.inf, right=np.nan)
    J_diode = np.exp(lnJ)
    photons = np.interp(lnJ, np.log(J_grid), eqe_grid * J_grid / Q_C, left=0.0, right=np.nan)
    J = J_diode + np.clip(V, 0.0, None) / params.shunt_resistance_ohm_m2
    with np.errstate(invalid="ignore", divide="ignore"):
        eqe = np.where(J > 0, photons * Q_C / J, np.nan)
    cb = np.interp(lnJ, np.log(J_grid), el.charge_balance, left=1.0, right=np.nan)
    qv = np.interp(lnJ, np.log(J_grid), qe, left=qe[0], right=np.nan)
    L = luminance_from_photon_flux(photons, wl, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        ce = np.where(J > 0, L / J, np.nan)
        pe = np.where(J > 0, np.pi * L / (J * V), np.nan)

    x, y = spectrum_to_xy(wl, s)
    t50_ref = params.t50_min
    t50 = scale_lifetime(t50_ref, params.lifetime_reference_cd_m2, 1000.0, params.acceleration_exponent)
    tau = decay_time_constant_min(t50, params.lifetime_beta)
    return DeviceResult(
        name=params.name,
        voltage_V=V,
        current_density_mA_cm2=J * 0.1,
        luminance_cd_m2=L,
        eqe=eqe,
        current_efficiency_cd_A=ce,
        power_efficacy_lm_W=pe,
        charge_balance=cb,
        q_eff=qv,
        eqe_ceiling=float(eta * purcell_quantum_yield(q, F)),
        el_peak_nm=peak_nm(wl, s),
        el_fwhm_nm=fwhm_nm(wl, s),
        cie_x=x,
        cie_y=y,
        t50_min_at_1000_cd_m2=float(t50),
        t95_min_at_1000_cd_m2=float(time_to_fraction_min(0.95, tau, params.lifetime_beta)),
        inputs={"eta_out": eta, "purcell_factor": F, "plqy": q},
    )


_PAPER_SAMPLE = {"li2024-nsa-pf6": "nsa_pf6", "li2024-control": "control"}
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
    result: DeviceResult, lifetime_reference_cd_m2: float, acceleration_exponent: float, el_is_input: bool = False
) -> dict:
    """Model vs paper for the numbers the paper states: ``key -> {"model", "paper", "unit", "status"}``.

    ``status`` is ``"calibrated"`` for calibration targets, ``"input"`` for EL peak/FWHM/CIE when the EL
    spectrum given to :func:`simulate_device` was the paper's own (``el_is_input``), else ``"predicted"``.
    T50 is compared at the paper's own L0 (``lifetime_reference_cd_m2``), converting the model's 1000 cd/m^2 value with
    ``L0^n T = const``.
    """
    from qdled.io.paper import paper_values

    sample = _PAPER_SAMPLE.get(result.name)
    if sample is None:
        return {}
    paper = paper_values()
    fom = result.figures_of_merit()
    out = {}
    for key in _COMPARED:
        pv = paper.get(f"{sample}.{key}")
        if pv is not None:
            status = "calibrated" if key in fom["calibrated_outputs"] else "predicted"
            if el_is_input and key in ("el_peak_nm", "el_fwhm_nm", "cie_x", "cie_y"):
                status = "input"
            out[key] = {"model": fom[key], "paper": pv.value, "unit": pv.unit, "status": status}
    pv = paper.get(f"{sample}.t50_min")
    if pv is not None:
        t50 = scale_lifetime(result.t50_min_at_1000_cd_m2, 1000.0, lifetime_reference_cd_m2, acceleration_exponent)
        out[f"t50_min_at_{lifetime_reference_cd_m2:g}_cd_m2"] = {
            "model": t50,
            "paper": pv.value,
            "unit": pv.unit,
            "status": "calibrated",
        }
    return out
