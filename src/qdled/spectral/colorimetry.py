"""Colour of a spectrum: CIE 1931 XYZ and xy, CIE 1976 u'v', dominant wavelength and excitation purity.

Tristimulus values are integrated on the spectrum's own (possibly non-uniform) grid with the CIE 1931 2 degree
colour-matching functions from colour-science, linearly interpolated onto that grid and zero outside
360-830 nm (trapezoid rule). ``colour.sd_to_XYZ`` would first resample the spectrum onto the CMF grid, which
smears narrow lines and needs a regular grid; the result agrees with it on a regular grid (tests). Dominant
wavelength and purity are colour-science's, with the CMFs aligned to a 0.1 nm grid (0.1 nm resolution) and the
equal-energy illuminant E (x = y = 1/3) as the default white point (D65 optional).

References
----------
CIE 015:2018, Colorimetry, 4th ed. (CIE 1931 observer, u'v', dominant wavelength, purity).
Recommendation ITU-R BT.2020-2 (2015): red primary (x, y) = (0.708, 0.292).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdled.errors import InputError
from qdled.spectral.spectrum import Spectrum

__all__ = [
    "REC2020_RED_XY",
    "WHITE_POINTS",
    "cie1931_cmfs",
    "cie_xy",
    "cie_xyz",
    "dominant_wavelength_nm",
    "excitation_purity",
    "spectral_locus_xy",
    "uv_prime",
]

#: Rec. ITU-R BT.2020 red primary, CIE 1931 (x, y).
REC2020_RED_XY = (0.708, 0.292)
#: Achromatic points for dominant wavelength and purity, CIE 1931 (x, y).
WHITE_POINTS = {"E": (1 / 3, 1 / 3), "D65": (0.3127, 0.3290)}


@lru_cache(maxsize=1)
def cie1931_cmfs():
    """The CIE 1931 2 degree colour-matching functions (``colour.MultiSpectralDistributions``)."""
    import colour

    return colour.MSDS_CMFS["CIE 1931 2 Degree Standard Observer"]


@lru_cache(maxsize=1)
def _cmfs_fine():
    import colour

    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        return cie1931_cmfs().copy().align(colour.SpectralShape(360, 830, 0.1))


def cie_xyz(spectrum: Spectrum) -> np.ndarray:
    """CIE 1931 2 degree tristimulus values (X, Y, Z) of a spectral power distribution (relative: the units of
    ``intensity`` x nm); zero weight outside 360-830 nm."""
    cmfs = cie1931_cmfs()
    wl, s = spectrum
    bar = np.stack([np.interp(wl, cmfs.wavelengths, cmfs.values[:, k], left=0.0, right=0.0) for k in range(3)])
    return np.trapezoid(bar * s, wl, axis=1)


def cie_xy(spectrum: Spectrum) -> tuple[float, float]:
    """CIE 1931 (x, y) chromaticity of a spectral power distribution (2 degree observer)."""
    X, Y, Z = cie_xyz(spectrum)
    total = X + Y + Z
    if total <= 0:
        raise InputError("spectrum has no weight within 360-830 nm; cannot compute chromaticity")
    return float(X / total), float(Y / total)


def uv_prime(x: float, y: float) -> tuple[float, float]:
    """CIE 1976 UCS (u', v') of a CIE 1931 (x, y) (CIE 015:2018)."""
    import colour

    u, v = colour.xy_to_Luv_uv(np.array([x, y]))
    return float(u), float(v)


def _white(white_point: str) -> np.ndarray:
    if white_point not in WHITE_POINTS:
        raise InputError(f"white_point must be one of {sorted(WHITE_POINTS)}, got {white_point!r}")
    return np.array(WHITE_POINTS[white_point])


def dominant_wavelength_nm(x: float, y: float, white_point: str = "E") -> float:
    """Dominant wavelength [nm] of the chromaticity (x, y) against ``white_point`` ("E" or "D65"); negative
    (complementary wavelength) for purples, as colour-science returns it."""
    import colour

    white = _white(white_point)
    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        dom, _, _ = colour.dominant_wavelength(np.array([x, y]), white, _cmfs_fine())
    return float(dom)


def excitation_purity(x: float, y: float, white_point: str = "E") -> float:
    """Excitation (colour) purity of the chromaticity (x, y) against ``white_point`` ("E" or "D65")."""
    import colour

    white = _white(white_point)
    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        return float(colour.excitation_purity(np.array([x, y]), white, _cmfs_fine()))


def spectral_locus_xy() -> np.ndarray:
    """The spectral locus, (n, 2) CIE 1931 xy of the monochromatic stimuli 360-830 nm (for plots)."""
    values = cie1931_cmfs().values
    return values[:, :2] / values.sum(axis=1, keepdims=True)
