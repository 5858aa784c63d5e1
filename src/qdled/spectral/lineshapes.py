"""Line shapes: a Gaussian emission spectrum on a wavelength grid, and the Voigt profile of a single emitter.

References
----------
Olivero, J. J. & Longbothum, R. L., J. Quant. Spectrosc. Radiat. Transfer 17, 233 (1977) (Voigt widths);
the profile itself is :func:`scipy.special.voigt_profile`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import voigt_profile as _voigt

from qdled.errors import InputError, require_finite_positive
from qdled.spectral.spectrum import Spectrum

__all__ = ["FWHM_PER_SIGMA", "VISIBLE_GRID_NM", "gaussian", "voigt"]

#: FWHM of a Gaussian in units of its standard deviation, 2 sqrt(2 ln 2).
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
#: Default grid of :func:`gaussian`: 380-780 nm in 0.5 nm steps (the visible range of the photometry).
VISIBLE_GRID_NM = np.round(np.arange(380.0, 780.0 + 1e-9, 0.5), 10)


def gaussian(peak_nm: float, fwhm_nm: float, wavelength_nm=None) -> Spectrum:
    """A Gaussian spectrum of maximum 1 centred at ``peak_nm`` with FWHM ``fwhm_nm`` (in wavelength), on
    ``wavelength_nm`` (default :data:`VISIBLE_GRID_NM`)."""
    p = require_finite_positive("peak_nm", peak_nm)
    w = require_finite_positive("fwhm_nm", fwhm_nm)
    wl = VISIBLE_GRID_NM if wavelength_nm is None else np.asarray(wavelength_nm, dtype=float)
    return Spectrum(wl, np.exp(-0.5 * ((wl - p) / (w / FWHM_PER_SIGMA)) ** 2))


def voigt(x, centres, gaussian_fwhm: float, lorentzian_fwhm: float = 0.0) -> np.ndarray:
    """Area-normalised Voigt lines on ``x`` (any unit, e.g. eV) at each of ``centres``.

    Returns an array of shape ``(len(centres), len(x))`` (a 1-D ``x`` with scalar ``centres``: ``(1, len(x))``).
    A zero Lorentzian width gives Gaussians, a zero Gaussian width Lorentzians; not both.
    """
    g = require_finite_positive("gaussian_fwhm", gaussian_fwhm, allow_zero=True)
    lor = require_finite_positive("lorentzian_fwhm", lorentzian_fwhm, allow_zero=True)
    if g == 0 and lor == 0:
        raise InputError("gaussian_fwhm and lorentzian_fwhm cannot both be 0")
    x = np.asarray(x, dtype=float)
    c = np.atleast_1d(np.asarray(centres, dtype=float))
    return _voigt(x[None, :] - c[:, None], g / FWHM_PER_SIGMA, 0.5 * lor)
