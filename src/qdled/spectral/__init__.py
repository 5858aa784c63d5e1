"""Spectra at the bottom of the house (beside :mod:`qdled.materials`): the one spectrum type, its peak and width,
line shapes, colour, photometry and photon energy.

Every stage uses this package (dots -> optics -> device -> report, and the lab analysis); it imports nothing from
them.

* :mod:`.spectrum` -- :class:`Spectrum` (validated wavelength grid + spectral power), ``peak_nm``, ``fwhm_nm``
* :mod:`.lineshapes` -- :func:`gaussian` (a Spectrum), :func:`voigt` (single-emitter lines), FWHM_PER_SIGMA
* :mod:`.colorimetry` -- CIE 1931 :func:`cie_xyz` / :func:`cie_xy`, :func:`uv_prime`, :func:`dominant_wavelength_nm`,
  :func:`excitation_purity`, REC2020_RED_XY
* :mod:`.photometry` -- V(lambda), :func:`luminous_efficacy`, :func:`photons_per_joule`, luminance <-> photon flux,
  :func:`turn_on_voltage`
* :mod:`.units` -- HC_EV_NM (h c / e), :func:`photon_energy_eV`, :func:`photon_wavelength_nm`
"""

from qdled.spectral.colorimetry import (
    REC2020_RED_XY,
    WHITE_POINTS,
    cie_xy,
    cie_xyz,
    dominant_wavelength_nm,
    excitation_purity,
    spectral_locus_xy,
    uv_prime,
)
from qdled.spectral.lineshapes import FWHM_PER_SIGMA, VISIBLE_GRID_NM, gaussian, voigt
from qdled.spectral.photometry import (
    KM_LM_PER_W,
    TURN_ON_LUMINANCE_CD_M2,
    luminance_from_photon_flux,
    luminous_efficacy,
    photon_flux_from_luminance,
    photons_per_joule,
    turn_on_voltage,
    v_lambda,
)
from qdled.spectral.spectrum import Spectrum
from qdled.spectral.units import HC_EV_NM, HC_J_M, photon_energy_eV, photon_wavelength_nm

__all__ = [
    "FWHM_PER_SIGMA",
    "HC_EV_NM",
    "HC_J_M",
    "KM_LM_PER_W",
    "REC2020_RED_XY",
    "TURN_ON_LUMINANCE_CD_M2",
    "VISIBLE_GRID_NM",
    "WHITE_POINTS",
    "Spectrum",
    "cie_xy",
    "cie_xyz",
    "dominant_wavelength_nm",
    "excitation_purity",
    "gaussian",
    "luminance_from_photon_flux",
    "luminous_efficacy",
    "photon_energy_eV",
    "photon_flux_from_luminance",
    "photon_wavelength_nm",
    "photons_per_joule",
    "spectral_locus_xy",
    "turn_on_voltage",
    "uv_prime",
    "v_lambda",
    "voigt",
]
