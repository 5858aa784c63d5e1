"""The one spectrum type of the package, and the one peak and FWHM finder.

A :class:`Spectrum` is a wavelength grid [nm] with a spectral quantity on it: spectral power per unit
wavelength for emission (PL, EL; any scale), or absorbance for absorption. Every stage hands spectra on as
this type (dots -> optics -> device -> report, and the lab analysis), so the checks below are made once, when a
spectrum is built, and the peak and width of a spectrum mean the same everywhere.

Validation (:class:`qdled.errors.InputError` naming the fault):

* ``wavelength_nm``: 1-D, at least 3 samples, finite, > 0, strictly increasing;
* ``intensity``: same shape, finite, with a positive maximum. Negative samples are allowed: a measured,
  dark-subtracted spectrum carries zero-mean noise, and clipping it would bias integrals (photometry,
  colour). Stages that need a physical (non-negative) power say so themselves.

Both arrays are stored as read-only copies.

Peak and FWHM (the ``peak_nm`` and ``fwhm_nm`` properties, computed once per spectrum):

* peak: vertex of a parabola fitted to the contiguous top 20 % around the maximum (robust to channel noise,
  unbiased for symmetric peaks; a 3-point parabola on a noisy maximum is not);
* FWHM: the maximum and the half-maximum crossings from parabolas in ln(intensity) through three samples --
  exact for a Gaussian (linear interpolation overestimated a 33 nm Gaussian's FWHM by ~1 % on a 5 nm grid),
  falling back to linear interpolation where an intensity is not positive. NaN if the peak is cut by an end of
  the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qdled.errors import InputError
from qdled.spectral.units import photon_energy_eV

__all__ = ["Spectrum"]


@dataclass(frozen=True, eq=False)
class Spectrum:
    """A spectrum: ``wavelength_nm`` (strictly increasing grid) and ``intensity`` (see the module docstring).

    Unpacks as ``wavelength_nm, intensity = spectrum``.
    """

    wavelength_nm: np.ndarray
    intensity: np.ndarray

    def __post_init__(self):
        wl = np.array(self.wavelength_nm, dtype=float)
        s = np.array(self.intensity, dtype=float)
        if wl.ndim != 1 or wl.shape != s.shape or wl.size < 3:
            raise InputError(
                f"a spectrum needs 1-D wavelength_nm and intensity of equal length >= 3, got shapes {wl.shape} "
                f"and {s.shape}"
            )
        if not (np.isfinite(wl).all() and np.isfinite(s).all()):
            raise InputError("spectrum wavelength_nm and intensity must be finite")
        if wl[0] <= 0 or (np.diff(wl) <= 0).any():
            raise InputError("spectrum wavelength_nm must be > 0 and increase strictly")
        if s.max() <= 0:
            raise InputError(f"spectrum intensity must have a positive maximum, got max {s.max():g}")
        wl.setflags(write=False)
        s.setflags(write=False)
        object.__setattr__(self, "wavelength_nm", wl)
        object.__setattr__(self, "intensity", s)

    def __iter__(self):
        return iter((self.wavelength_nm, self.intensity))

    @cached_property
    def peak_nm(self) -> float:
        """Peak wavelength [nm] (see the module docstring)."""
        return _peak_nm(self.wavelength_nm, self.intensity)

    @cached_property
    def fwhm_nm(self) -> float:
        """Full width at half maximum [nm] (see the module docstring); NaN if the peak is cut by an end of the grid."""
        return _fwhm_nm(self.wavelength_nm, self.intensity)

    @property
    def peak_eV(self) -> float:
        """Photon energy of ``peak_nm`` (the maximum per unit wavelength; for a spectral density the maximum per
        unit energy differs slightly: ~2 meV for a 95 meV line)."""
        return photon_energy_eV(self.peak_nm)

    @property
    def centroid_nm(self) -> float:
        """Intensity-weighted mean wavelength [nm] (negative samples count as zero)."""
        w = np.clip(self.intensity, 0.0, None)
        return float(np.trapezoid(w * self.wavelength_nm, self.wavelength_nm) / np.trapezoid(w, self.wavelength_nm))

    def normalised(self) -> Spectrum:
        """The same spectrum scaled to a maximum of 1."""
        return Spectrum(self.wavelength_nm, self.intensity / self.intensity.max())

    def scaled(self, factor) -> Spectrum:
        """The spectrum times ``factor`` (a number or an array on the grid, e.g. a spectral transmission)."""
        return Spectrum(self.wavelength_nm, self.intensity * np.asarray(factor, dtype=float))


def _peak_nm(wavelength_nm, intensity) -> float:
    """Peak position [nm]: vertex of a parabola fitted to the contiguous top 20 % around the maximum (the grid
    point of the maximum if fewer than three samples are there or the vertex falls outside them)."""
    wl, s = np.asarray(wavelength_nm, dtype=float), np.asarray(intensity, dtype=float)
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


def _log_parabola(x: np.ndarray, y: np.ndarray):
    """Coefficients of ln y = c2 x^2 + c1 x + c0 through three positive samples (None otherwise)."""
    if np.any(y <= 0):
        return None
    return np.polyfit(x - x[1], np.log(y), 2)


def _fwhm_nm(wavelength_nm, intensity) -> float:
    """Full width at half maximum [nm] of the main peak; NaN if the peak is cut by an end of the data.

    The maximum and the half-maximum crossings come from parabolas in ln(intensity) through three samples
    (exact for a Gaussian), falling back to linear interpolation where an intensity is not positive.
    """
    wl, s = np.asarray(wavelength_nm, dtype=float), np.asarray(intensity, dtype=float)
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
