"""J-V-L sweep -> current density, luminance, EQE, current efficiency, power efficacy,
turn-on voltage.

Two routes to the light output:

* **photodiode** -- a calibrated Si photodiode of radius ``r`` on the device axis at distance
  ``d`` collects, from a Lambertian emitter much smaller than ``d``, the fraction
  ``sin^2(theta) = r^2 / (r^2 + d^2)`` of the power emitted into the forward hemisphere.
  The photocurrent divided by the spectrum-weighted responsivity gives the collected
  optical power, hence the emitted power, photon rate and luminous flux.
* **luminance** -- a luminance meter reading ``L`` (cd/m^2) of a Lambertian emitter means a
  luminous exitance ``pi L`` (lm/m^2); with the normalised EL spectrum ``s`` and the
  CIE 1924 photopic V(lambda) (colour-science), ``K = Km * int(s V) / int(s)`` lm/W with
  ``Km = 683 lm/W`` converts to radiant exitance, and ``int(s lambda / hc) / int(s)`` to a
  photon rate.

Both assume a Lambertian angular pattern (as the paper's measurement does) and count
forward-hemisphere photons only (EQE into air). Turn-on voltage is defined as the
(interpolated) voltage at which the luminance first reaches 1 cd/m^2.

Guards against nonsense figures: the efficiencies (peak EQE, cd/A, lm/W) are taken only from
forward-bias rows whose luminance reaches a floor (default 1 cd/m^2, the turn-on definition):
below it the luminance reading is noise and the ratio L/J can be anything (a real OLED sweep gave
"2268 %" from sub-turn-on rows). The floor and the rows used are reported; with no row above it the
figures are null with the reason. An EQE above 100 %, or a power efficacy above the luminous
efficacy of radiation of the spectrum (a wall-plug efficiency above 1), is flagged in ``warnings``.

References
----------
Li, Y. et al., Nat. Commun. 15, 5696 (2024): active area 4 mm^2, Lambertian assumption,
Keithley 2400 + calibrated Si detector.
Greenham, N. C., Friend, R. H. & Bradley, D. D. C., Adv. Mater. 6, 491 (1994): EQE from
photodiode measurements of Lambertian emitters.
CIE 015:2018; Km = 683 lm/W (SI definition of the candela, BIPM SI Brochure 9th ed., 2019).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.constants import e as Q_C

from qdled import spectral
from qdled.errors import InputError, require_finite_positive
from qdled.spectral import KM_LM_PER_W, TURN_ON_LUMINANCE_CD_M2, Spectrum, turn_on_voltage

__all__ = [
    "KM_LM_PER_W",
    "TURN_ON_LUMINANCE_CD_M2",
    "LUMINANCE_FLOOR_CD_M2",
    "JVLResult",
    "luminous_efficacy_of_radiation",
    "photons_per_joule",
    "photon_flux_from_luminance",
    "luminance_from_photon_flux",
    "eqe_from_luminance",
    "eqe_from_photocurrent",
    "lambertian_collection_fraction",
    "turn_on_voltage",
    "analyze_jvl",
    "plot_jvl",
]

#: Default luminance floor (cd/m^2) below which rows do not enter the efficiency figures.
LUMINANCE_FLOOR_CD_M2 = 1.0


# Photometry is qdled.spectral's (one copy for the device model and the lab); these take a lab's arrays.


def luminous_efficacy_of_radiation(wavelength_nm, intensity) -> float:
    """Luminous efficacy of radiation ``K = Km int(s V) / int(s)`` (lm/W) of a measured spectrum shape
    (:func:`qdled.spectral.luminous_efficacy`)."""
    return spectral.luminous_efficacy(Spectrum(wavelength_nm, intensity))


def photons_per_joule(wavelength_nm, intensity) -> float:
    """Mean number of photons per joule of radiant energy of a measured spectrum (1/J)
    (:func:`qdled.spectral.photons_per_joule`)."""
    return spectral.photons_per_joule(Spectrum(wavelength_nm, intensity))


def photon_flux_from_luminance(luminance_cd_m2, wavelength_nm, intensity):
    """Photon flux density (photons s^-1 m^-2) into the forward hemisphere of a Lambertian emitter of luminance
    ``luminance_cd_m2`` with the measured spectrum shape (:func:`qdled.spectral.photon_flux_from_luminance`)."""
    return spectral.photon_flux_from_luminance(luminance_cd_m2, Spectrum(wavelength_nm, intensity))


def luminance_from_photon_flux(photon_flux_m2_s, wavelength_nm, intensity):
    """Inverse of :func:`photon_flux_from_luminance` (:func:`qdled.spectral.luminance_from_photon_flux`)."""
    return spectral.luminance_from_photon_flux(photon_flux_m2_s, Spectrum(wavelength_nm, intensity))


def _safe_ratio(a, b):
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)


def eqe_from_luminance(current_density_mA_cm2, luminance_cd_m2, wavelength_nm, intensity):
    """External quantum efficiency (fraction, forward hemisphere) from current density
    (mA/cm^2) and luminance (cd/m^2) of a Lambertian emitter; NaN where J <= 0."""
    N = photon_flux_from_luminance(luminance_cd_m2, wavelength_nm, intensity)
    electrons = np.asarray(current_density_mA_cm2, float) * 10.0 / Q_C  # mA/cm^2 -> A/m^2 -> e/s/m^2
    return _safe_ratio(N, electrons)


def lambertian_collection_fraction(distance_mm: float, detector_radius_mm: float) -> float:
    """Fraction ``r^2/(r^2+d^2)`` of a small Lambertian emitter's forward-hemisphere output
    collected by an on-axis disc detector of radius ``r`` at distance ``d``."""
    d = require_finite_positive("distance_mm", distance_mm)
    r = require_finite_positive("detector_radius_mm", detector_radius_mm)
    return r * r / (r * r + d * d)


def eqe_from_photocurrent(
    photocurrent_A,
    current_mA,
    wavelength_nm,
    intensity,
    responsivity_A_per_W,
    distance_mm: float,
    detector_radius_mm: float,
    responsivity_wavelength_nm=None,
):
    """EQE (fraction) and emitted optical power (W) from a photodiode reading.

    Parameters
    ----------
    photocurrent_A, current_mA : array_like
        Photodiode current (A) and device current (mA).
    wavelength_nm, intensity : array_like
        EL spectrum shape.
    responsivity_A_per_W : float or array_like
        Photodiode responsivity; a scalar, or values at ``responsivity_wavelength_nm``.
    distance_mm, detector_radius_mm : float
        On-axis detector distance and active radius.

    Returns
    -------
    eqe : ndarray (fraction, NaN where current <= 0); power_W : ndarray (forward hemisphere)
    """
    spec = Spectrum(wavelength_nm, intensity)
    wl, s = spec
    if responsivity_wavelength_nm is None:
        R = require_finite_positive("responsivity_A_per_W", responsivity_A_per_W)
        r_eff = R
    else:
        rw = np.asarray(responsivity_wavelength_nm, float)
        rv = np.asarray(responsivity_A_per_W, float)
        if rw[0] > wl[s > 0][0] or rw[-1] < wl[s > 0][-1]:
            raise InputError(
                f"responsivity covers {rw[0]:g}-{rw[-1]:g} nm but the EL spectrum extends "
                f"{wl[s > 0][0]:g}-{wl[s > 0][-1]:g} nm"
            )
        r_eff = float(np.trapezoid(s * np.interp(wl, rw, rv), wl) / np.trapezoid(s, wl))
        if r_eff <= 0:
            raise InputError("spectrum-weighted responsivity is zero")
    power_W = (
        np.asarray(photocurrent_A, float) / r_eff / lambertian_collection_fraction(distance_mm, detector_radius_mm)
    )
    photons = power_W * spectral.photons_per_joule(spec)
    electrons = np.asarray(current_mA, float) * 1e-3 / Q_C
    return _safe_ratio(photons, electrons), power_W


@dataclass(frozen=True)
class JVLResult:
    """Figures of merit of one J-V-L sweep; ``curves`` holds per-point arrays (not in JSON)."""

    method: str
    area_mm2: float
    peak_eqe_percent: float
    voltage_at_peak_eqe_V: float
    current_density_at_peak_eqe_mA_cm2: float
    luminance_at_peak_eqe_cd_m2: float
    max_luminance_cd_m2: float
    voltage_at_max_luminance_V: float
    turn_on_voltage_V: float
    max_current_efficiency_cd_A: float
    max_power_efficacy_lm_W: float
    luminous_efficacy_of_radiation_lm_W: float
    luminance_floor_cd_m2: float = LUMINANCE_FLOOR_CD_M2
    rows_used: tuple[int, ...] = ()
    voltage_range_used_V: tuple[float, float] | None = None
    null_reason: str | None = None
    warnings: tuple[str, ...] = ()
    curves: dict = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("curves")
        d["rows_used"] = list(self.rows_used)
        d["voltage_range_used_V"] = list(self.voltage_range_used_V) if self.voltage_range_used_V else None
        d["warnings"] = list(self.warnings)
        return d


def _nanargmax(x: np.ndarray) -> int | None:
    ok = np.isfinite(x)
    if not ok.any():
        return None
    return int(np.nanargmax(np.where(ok, x, -np.inf)))


def analyze_jvl(
    voltage_V,
    current_mA,
    wavelength_nm,
    intensity,
    *,
    luminance_cd_m2=None,
    photocurrent_A=None,
    area_mm2: float = 4.0,
    distance_mm: float | None = None,
    detector_radius_mm: float | None = None,
    responsivity_A_per_W=None,
    responsivity_wavelength_nm=None,
    luminance_floor_cd_m2: float = LUMINANCE_FLOOR_CD_M2,
) -> JVLResult:
    """Analyse a J-V-L sweep (give either ``luminance_cd_m2`` or ``photocurrent_A``).

    Parameters
    ----------
    voltage_V, current_mA : array_like
        Sweep (device current in mA).
    wavelength_nm, intensity : array_like
        EL spectrum (shape only).
    luminance_cd_m2 : array_like, optional
        Luminance-meter route.
    photocurrent_A : array_like, optional
        Photodiode route; needs ``distance_mm``, ``detector_radius_mm`` and ``responsivity_A_per_W``.
    area_mm2 : float
        Active area (default 4 mm^2, the paper's).
    luminance_floor_cd_m2 : float
        Rows below this luminance (or not in forward bias) do not enter peak EQE, cd/A and lm/W.

    Returns
    -------
    JVLResult
        ``rows_used`` lists the 0-based sweep rows the efficiency figures were taken from;
        ``null_reason`` says why they are null; ``warnings`` flags impossible values.
    """
    area = require_finite_positive("area_mm2", area_mm2)
    floor = require_finite_positive("luminance_floor_cd_m2", luminance_floor_cd_m2, allow_zero=True)
    V = np.asarray(voltage_V, float)
    I = np.asarray(current_mA, float)
    if V.shape != I.shape or V.ndim != 1:
        raise InputError(f"voltage_V and current_mA must be 1-D of equal length, got {V.shape} and {I.shape}")
    J = I / (area / 100.0)  # mA/cm^2
    K = luminous_efficacy_of_radiation(wavelength_nm, intensity)
    if (luminance_cd_m2 is None) == (photocurrent_A is None):
        raise InputError("give exactly one of luminance_cd_m2 or photocurrent_A")
    if luminance_cd_m2 is not None:
        method = "luminance"
        L = np.asarray(luminance_cd_m2, float)
        if L.shape != V.shape:
            raise InputError(f"luminance_cd_m2 must have the length of voltage_V ({V.size}), got shape {L.shape}")
        eqe = eqe_from_luminance(J, L, wavelength_nm, intensity)
    else:
        method = "photocurrent"
        if distance_mm is None or detector_radius_mm is None or responsivity_A_per_W is None:
            raise InputError(
                "photocurrent route needs distance_mm, detector_radius_mm and a responsivity (A/W or a file)"
            )
        if np.shape(photocurrent_A) != V.shape:
            raise InputError(
                f"photocurrent_A must have the length of voltage_V ({V.size}), got shape {np.shape(photocurrent_A)}"
            )
        eqe, power_W = eqe_from_photocurrent(
            photocurrent_A,
            I,
            wavelength_nm,
            intensity,
            responsivity_A_per_W,
            distance_mm,
            detector_radius_mm,
            responsivity_wavelength_nm,
        )
        L = power_W * K / (np.pi * area * 1e-6)  # Lambertian: M_v = pi L
    ce = _safe_ratio(L, J * 10.0)  # cd/A, J in A/m^2
    pe = _safe_ratio(np.pi * L, J * 10.0 * V)  # lm/W
    forward = (V > 0) & (J > 0)
    used = forward & np.isfinite(L) & (L >= floor)
    reason = None
    if not forward.any():
        reason = (
            "no forward-bias rows (voltage > 0 with current > 0): the sweep covers only reverse bias or zero "
            "current, so no efficiency can be reported"
        )
    elif not used.any():
        reason = (
            f"luminance never reaches the floor of {floor:g} cd/m^2 in forward bias (maximum "
            f"{np.nanmax(np.where(forward, L, np.nan)):.3g} cd/m^2): below it the reading is noise"
        )
    eqe_u, ce_u, pe_u = (np.where(used, x, np.nan) for x in (eqe, ce, pe))
    k_eqe = _nanargmax(eqe_u)
    k_l = _nanargmax(L)
    nan = float("nan")
    warn = []
    if k_eqe is not None and eqe[k_eqe] > 1.0:
        warn.append(
            f"EQE {eqe[k_eqe] * 100:.3g} % exceeds 100 % at {V[k_eqe]:g} V: check the active area, the "
            "luminance or photodiode calibration and the EL spectrum"
        )
    if np.isfinite(pe_u).any() and np.nanmax(pe_u) > K:
        warn.append(
            f"power efficacy {np.nanmax(pe_u):.3g} lm/W exceeds the luminous efficacy of the EL spectrum "
            f"({K:.3g} lm/W), i.e. more light than electrical power: check the units of current and luminance"
        )
    rows = np.nonzero(used)[0]
    return JVLResult(
        method=method,
        area_mm2=area,
        peak_eqe_percent=float(eqe[k_eqe] * 100) if k_eqe is not None else nan,
        voltage_at_peak_eqe_V=float(V[k_eqe]) if k_eqe is not None else nan,
        current_density_at_peak_eqe_mA_cm2=float(J[k_eqe]) if k_eqe is not None else nan,
        luminance_at_peak_eqe_cd_m2=float(L[k_eqe]) if k_eqe is not None else nan,
        max_luminance_cd_m2=float(L[k_l]) if k_l is not None else nan,
        voltage_at_max_luminance_V=float(V[k_l]) if k_l is not None else nan,
        turn_on_voltage_V=turn_on_voltage(V, L),
        max_current_efficiency_cd_A=float(np.nanmax(ce_u)) if np.isfinite(ce_u).any() else nan,
        max_power_efficacy_lm_W=float(np.nanmax(pe_u)) if np.isfinite(pe_u).any() else nan,
        luminous_efficacy_of_radiation_lm_W=K,
        luminance_floor_cd_m2=floor,
        rows_used=tuple(int(r) for r in rows),
        voltage_range_used_V=(float(V[rows].min()), float(V[rows].max())) if rows.size else None,
        null_reason=reason,
        warnings=tuple(warn),
        curves={
            "voltage_V": V,
            "current_density_mA_cm2": J,
            "luminance_cd_m2": L,
            "eqe_percent": eqe * 100,
            "current_efficiency_cd_A": ce,
            "power_efficacy_lm_W": pe,
        },
    )


def plot_jvl(result: JVLResult):
    """Figure: J-V and L-V (log) and EQE-J."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = result.curves
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    pos_j = c["current_density_mA_cm2"] > 0
    ax.semilogy(c["voltage_V"][pos_j], c["current_density_mA_cm2"][pos_j], "b.-", label="J")
    ax.set_xlabel("voltage (V)")
    ax.set_ylabel("J (mA cm$^{-2}$)", color="b")
    ax2 = ax.twinx()
    pos_l = c["luminance_cd_m2"] > 0
    ax2.semilogy(c["voltage_V"][pos_l], c["luminance_cd_m2"][pos_l], "r.-", label="L")
    ax2.set_ylabel("L (cd m$^{-2}$)", color="r")
    if np.isfinite(result.turn_on_voltage_V):
        ax.axvline(result.turn_on_voltage_V, color="0.5", ls=":")
    ok = pos_j & np.isfinite(c["eqe_percent"])
    bx.semilogx(c["current_density_mA_cm2"][ok], c["eqe_percent"][ok], "k.-")
    bx.set_xlabel("J (mA cm$^{-2}$)")
    bx.set_ylabel("EQE (%)")
    bx.set_title(f"peak EQE {result.peak_eqe_percent:.2f} %")
    fig.tight_layout()
    return fig
