"""Emission spectrum -> peak, FWHM, centroid and colour (CIE 1931 xy, CIE 1976 u'v',
dominant wavelength, purity, distance to the Rec. ITU-R BT.2020 red primary).

Tristimulus integration is done here on the measured (possibly non-uniform) wavelength
grid with the CIE 1931 2 degree colour-matching functions from colour-science, linearly
interpolated onto that grid (trapezoid rule). ``colour.sd_to_XYZ`` would first resample the
spectrum onto the CMF grid, which smears narrow lines and requires a regular grid; the
result is checked against ``colour.sd_to_XYZ`` in the tests. Dominant wavelength and purity
use colour-science with the **equal-energy illuminant E** (x = y = 1/3) as the white point
by default (D65 optional); the CMFs are aligned to a 0.1 nm grid so the dominant
wavelength has 0.1 nm resolution.

References
----------
CIE 015:2018, Colorimetry, 4th ed. (CIE 1931 observer, u'v', dominant wavelength, purity).
Recommendation ITU-R BT.2020-2 (2015): red primary (x, y) = (0.708, 0.292).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from qdled.errors import InputError

__all__ = [
    "REC2020_RED_XY",
    "SpectrumResult",
    "analyze_spectrum",
    "spectrum_to_XYZ",
    "spectrum_to_xy",
    "fwhm_nm",
    "peak_nm",
    "plot_spectrum",
]

#: Rec. ITU-R BT.2020 red primary, CIE 1931 (x, y).
REC2020_RED_XY = (0.708, 0.292)
_WHITE_XY = {"E": (1 / 3, 1 / 3), "D65": (0.3127, 0.3290)}


@lru_cache(maxsize=1)
def _cmfs():
    import colour

    return colour.MSDS_CMFS["CIE 1931 2 Degree Standard Observer"]


@lru_cache(maxsize=1)
def _cmfs_fine():
    import colour

    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        return _cmfs().copy().align(colour.SpectralShape(360, 830, 0.1))


def _check_spectrum(wavelength_nm, intensity) -> tuple[np.ndarray, np.ndarray]:
    wl = np.asarray(wavelength_nm, dtype=float)
    s = np.asarray(intensity, dtype=float)
    if wl.ndim != 1 or wl.shape != s.shape or wl.size < 3:
        raise InputError(f"wavelength_nm and intensity must be 1-D of equal length >= 3, got {wl.shape} and {s.shape}")
    if not (np.isfinite(wl).all() and np.isfinite(s).all()):
        raise InputError("wavelength_nm and intensity must be finite")
    if (np.diff(wl) <= 0).any():
        raise InputError("wavelength_nm must increase strictly")
    if s.max() <= 0:
        raise InputError(f"intensity must have a positive maximum, got max {s.max():g}")
    return wl, s


def spectrum_to_XYZ(wavelength_nm, intensity) -> np.ndarray:
    """CIE 1931 2 deg tristimulus values (X, Y, Z) of a spectrum (relative, same units as
    intensity x nm); zero outside 360-830 nm.

    Parameters
    ----------
    wavelength_nm : array_like, strictly increasing, nm
    intensity : array_like, spectral radiance/power per nm (any scale)
    """
    wl, s = _check_spectrum(wavelength_nm, intensity)
    cmfs = _cmfs()
    bar = np.stack([np.interp(wl, cmfs.wavelengths, cmfs.values[:, k], left=0.0, right=0.0) for k in range(3)])
    return np.trapezoid(bar * s, wl, axis=1)


def spectrum_to_xy(wavelength_nm, intensity) -> tuple[float, float]:
    """CIE 1931 (x, y) chromaticity of an emission spectrum (2 deg observer).

    This is the function the device stage and the report reuse.
    """
    X, Y, Z = spectrum_to_XYZ(wavelength_nm, intensity)
    total = X + Y + Z
    if total <= 0:
        raise InputError("spectrum has no weight within 360-830 nm; cannot compute chromaticity")
    return float(X / total), float(Y / total)


def _log_parabola(x: np.ndarray, y: np.ndarray):
    """Coefficients of ln y = c2 x^2 + c1 x + c0 through three positive samples (None otherwise)."""
    if np.any(y <= 0):
        return None
    return np.polyfit(x - x[1], np.log(y), 2)


def fwhm_nm(wavelength_nm, intensity) -> float:
    """Full width at half maximum of the main peak (nm); NaN if the peak is cut by the end of the data.

    The maximum and the half-maximum crossings come from parabolas in ln(intensity) through three samples
    (exact for a Gaussian; linear interpolation overestimated a 33 nm Gaussian's FWHM by ~1 % on a 5 nm grid),
    falling back to linear interpolation where an intensity is not positive.
    """
    wl, s = _check_spectrum(wavelength_nm, intensity)
    i = int(np.argmax(s))
    top = s[i]
    if 0 < i < s.size - 1:
        c = _log_parabola(wl[i - 1 : i + 2], s[i - 1 : i + 2])
        if c is not None and c[0] < 0:
            top = max(top, float(np.exp(c[2] - c[1] ** 2 / (4 * c[0]))))
    half = top / 2
    below_left = np.nonzero(s[:i] < half)[0]
    below_right = np.nonzero(s[i:] < half)[0]
    if below_left.size == 0 or below_right.size == 0:
        return float("nan")

    def crossing(j: int) -> float:  # half maximum between samples j and j + 1
        linear = wl[j] + (half - s[j]) * (wl[j + 1] - wl[j]) / (s[j + 1] - s[j])
        k = min(max(j, 1), s.size - 2)  # three samples around the interval
        c = _log_parabola(wl[k - 1 : k + 2], s[k - 1 : k + 2])
        if c is None:
            return float(linear)
        roots = np.roots([c[0], c[1], c[2] - np.log(half)])
        roots = roots[np.isreal(roots)].real + wl[k]
        roots = roots[(roots >= wl[j]) & (roots <= wl[j + 1])]
        return float(roots[0]) if roots.size == 1 else float(linear)

    return crossing(int(i + below_right[0] - 1)) - crossing(int(below_left[-1]))


@dataclass(frozen=True)
class SpectrumResult:
    """Figures of merit of one emission spectrum (wavelengths in nm)."""

    peak_nm: float
    fwhm_nm: float
    centroid_nm: float
    cie_x: float
    cie_y: float
    cie_u_prime: float
    cie_v_prime: float
    dominant_wavelength_nm: float
    colour_purity: float
    white_point: str
    distance_to_rec2020_red: float

    def to_dict(self) -> dict:
        return asdict(self)


def peak_nm(wl: np.ndarray, s: np.ndarray) -> float:
    """Peak position [nm] of a spectrum ``s`` on the wavelength grid ``wl``: vertex of a parabola fitted to
    the contiguous top 20 % around the maximum (robust to channel noise, unbiased for symmetric peaks)."""
    i = int(np.argmax(s))
    low = s < 0.8 * s[i]
    left = np.nonzero(low[:i])[0]
    right = np.nonzero(low[i:])[0]
    a = left[-1] + 1 if left.size else 0
    b = i + right[0] if right.size else s.size
    if b - a < 3:
        a, b = max(0, i - 1), min(s.size, i + 2)
    if b - a < 3:
        return float(wl[i])
    coeff = np.polyfit(wl[a:b] - wl[i], s[a:b], 2)
    vertex = -coeff[1] / (2 * coeff[0]) if coeff[0] < 0 else np.inf
    return float(wl[i] + vertex) if wl[a] <= wl[i] + vertex <= wl[b - 1] else float(wl[i])


def analyze_spectrum(wavelength_nm, intensity, white_point: str = "E") -> SpectrumResult:
    """Peak (parabola through the top 20 %), interpolated FWHM, centroid and colour of a spectrum.

    Parameters
    ----------
    wavelength_nm, intensity : array_like
        Spectrum; wavelength strictly increasing (nm).
    white_point : {"E", "D65"}
        Achromatic point for dominant wavelength and excitation purity (default equal-energy E).

    Returns
    -------
    SpectrumResult

    References
    ----------
    CIE 015:2018 Colorimetry; ITU-R BT.2020-2.
    """
    import colour

    if white_point not in _WHITE_XY:
        raise InputError(f"white_point must be one of {sorted(_WHITE_XY)}, got {white_point!r}")
    wl, s = _check_spectrum(wavelength_nm, intensity)
    x, y = spectrum_to_xy(wl, s)
    xy = np.array([x, y])
    xy_n = np.array(_WHITE_XY[white_point])
    cmfs = _cmfs_fine()
    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        dom, _, _ = colour.dominant_wavelength(xy, xy_n, cmfs)
        purity = colour.excitation_purity(xy, xy_n, cmfs)
    u, v = colour.xy_to_Luv_uv(xy)
    weight = np.clip(s, 0, None)
    centroid = float(np.trapezoid(weight * wl, wl) / np.trapezoid(weight, wl))
    return SpectrumResult(
        peak_nm=peak_nm(wl, s),
        fwhm_nm=fwhm_nm(wl, s),
        centroid_nm=centroid,
        cie_x=x,
        cie_y=y,
        cie_u_prime=float(u),
        cie_v_prime=float(v),
        dominant_wavelength_nm=float(dom),
        colour_purity=float(purity),
        white_point=white_point,
        distance_to_rec2020_red=float(np.hypot(x - REC2020_RED_XY[0], y - REC2020_RED_XY[1])),
    )


def plot_spectrum(wavelength_nm, intensity, result: SpectrumResult):
    """Figure: normalised spectrum with peak and FWHM, and the CIE 1931 diagram point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wl, s = np.asarray(wavelength_nm, float), np.asarray(intensity, float)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    ax.plot(wl, s / s.max(), "k-")
    ax.axvline(result.peak_nm, color="r", ls="--", label=f"peak {result.peak_nm:.1f} nm")
    if np.isfinite(result.fwhm_nm):
        ax.axhline(0.5, color="0.6", ls=":", label=f"FWHM {result.fwhm_nm:.1f} nm")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("normalised intensity")
    ax.legend()
    cmfs = _cmfs()
    xyz = cmfs.values
    locus = xyz[:, :2] / xyz.sum(axis=1, keepdims=True)
    bx.plot(locus[:, 0], locus[:, 1], "k-", lw=1)
    bx.plot([locus[0, 0], locus[-1, 0]], [locus[0, 1], locus[-1, 1]], "k-", lw=1)
    bx.plot(*REC2020_RED_XY, "s", mfc="none", color="b", label="Rec.2020 red")
    bx.plot(result.cie_x, result.cie_y, "ro", label=f"({result.cie_x:.3f}, {result.cie_y:.3f})")
    bx.set_xlabel("CIE x")
    bx.set_ylabel("CIE y")
    bx.set_aspect("equal")
    bx.legend(loc="upper right")
    fig.tight_layout()
    return fig
