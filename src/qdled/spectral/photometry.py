"""Photometry of a spectrum: photopic V(lambda), luminous efficacy, photons per joule, luminance <-> photon flux,
and the luminance threshold that defines an LED's turn-on voltage.

A Lambertian emitter of luminance ``L`` (cd/m^2) has a luminous exitance ``pi L`` (lm/m^2); with the spectrum
shape ``s``, ``K = Km int(s V) / int(s)`` lm/W (``Km = 683 lm/W``, CIE 1924 photopic V(lambda) from
colour-science) converts it to radiant exitance and ``int(s lambda / hc) / int(s)`` to a photon flux into the
forward hemisphere. Negative samples of a measured spectrum are kept (zero-mean noise): clipping them biases
``K`` low (-1.1 % at 2 % noise).

References
----------
CIE 015:2018; Km = 683 lm/W (SI definition of the candela, BIPM SI Brochure 9th ed., 2019).
Greenham, N. C., Friend, R. H. & Bradley, D. D. C., Adv. Mater. 6, 491 (1994) (Lambertian LED photometry).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdled.errors import InputError
from qdled.spectral.spectrum import Spectrum
from qdled.spectral.units import HC_J_M

__all__ = [
    "KM_LM_PER_W",
    "TURN_ON_LUMINANCE_CD_M2",
    "luminance_from_photon_flux",
    "luminous_efficacy",
    "photon_flux_from_luminance",
    "photons_per_joule",
    "turn_on_voltage",
    "v_lambda",
]

#: Maximum luminous efficacy for photopic vision (lm/W), SI definition of the candela.
KM_LM_PER_W = 683.0
#: Luminance [cd/m^2] whose first crossing defines the turn-on voltage of an LED (model and lab alike).
TURN_ON_LUMINANCE_CD_M2 = 1.0


@lru_cache(maxsize=1)
def v_lambda():
    """CIE 1924 photopic luminous efficiency function V(lambda) (``colour.SpectralDistribution``)."""
    import colour

    return colour.colorimetry.SDS_LEFS_PHOTOPIC["CIE 1924 Photopic Standard Observer"]


def _power(spectrum: Spectrum) -> float:
    total = float(np.trapezoid(spectrum.intensity, spectrum.wavelength_nm))
    if total <= 0:
        raise InputError("spectrum has no positive integral; photometry undefined")
    return total


def luminous_efficacy(spectrum: Spectrum) -> float:
    """Luminous efficacy of radiation ``K = Km int(s V) / int(s)`` [lm/W] of a spectrum shape."""
    v = v_lambda()
    wl, s = spectrum
    vl = np.interp(wl, v.wavelengths, v.values, left=0.0, right=0.0)
    return float(KM_LM_PER_W * np.trapezoid(s * vl, wl) / _power(spectrum))


def photons_per_joule(spectrum: Spectrum) -> float:
    """Mean number of photons per joule of radiant energy, ``int(s lambda / hc) / int(s)`` [1/J]."""
    wl, s = spectrum
    return float(np.trapezoid(s * wl * 1e-9, wl) / _power(spectrum) / HC_J_M)


def photon_flux_from_luminance(luminance_cd_m2, spectrum: Spectrum):
    """Photon flux density [photons s^-1 m^-2] into the forward hemisphere of a Lambertian emitter of luminance
    ``luminance_cd_m2`` with the given spectrum shape: ``pi L / K`` times photons per joule."""
    K = luminous_efficacy(spectrum)
    if K <= 0:
        raise InputError("spectrum lies outside the visible range (V(lambda) = 0); luminance undefined")
    return np.pi * np.asarray(luminance_cd_m2, dtype=float) / K * photons_per_joule(spectrum)


def luminance_from_photon_flux(photon_flux_m2_s, spectrum: Spectrum):
    """Inverse of :func:`photon_flux_from_luminance`: luminance [cd/m^2] of a Lambertian emitter sending
    ``photon_flux_m2_s`` photons s^-1 m^-2 into the forward hemisphere."""
    N = np.asarray(photon_flux_m2_s, dtype=float)
    return N / photons_per_joule(spectrum) * luminous_efficacy(spectrum) / np.pi


def turn_on_voltage(voltage_V, luminance_cd_m2, threshold_cd_m2: float = TURN_ON_LUMINANCE_CD_M2) -> float:
    """Voltage [V] at which the luminance first reaches ``threshold_cd_m2`` (default 1 cd/m^2), interpolated in
    log10(L) between the bracketing points; NaN if never reached."""
    V = np.asarray(voltage_V, dtype=float)
    L = np.asarray(luminance_cd_m2, dtype=float)
    above = np.nonzero(L >= threshold_cd_m2)[0]
    if above.size == 0:
        return float("nan")
    k = above[0]
    if k == 0:
        return float(V[0])
    if L[k - 1] > 0:
        x0, x1, xt = np.log10(L[k - 1]), np.log10(L[k]), np.log10(threshold_cd_m2)
    else:
        x0, x1, xt = L[k - 1], L[k], threshold_cd_m2
    return float(V[k - 1] + (xt - x0) * (V[k] - V[k - 1]) / (x1 - x0))
