"""A measured emission spectrum -> peak, FWHM, centroid and colour (CIE 1931 xy, CIE 1976 u'v', dominant
wavelength, purity, distance to the Rec. ITU-R BT.2020 red primary).

The figures are those of :mod:`qdled.spectral` (the one peak/FWHM finder and colorimetry of the package); this
module collects them for a lab's spectrum and draws it.

Two guards for measured spectra. A **dark offset** (a spectrum that does not return to zero: dark counts not
subtracted, or emission cut by the window) is estimated as the median of the 5 % of samples at the lower end of
the grid; when it exceeds 1 % of the peak height and its own noise it is reported with a warning (it widens the
FWHM and whitens the colour), and ``subtract_baseline=True`` removes it before any figure is computed. **Colour
outside the visible**: peak, FWHM and centroid are given for any wavelength range; the CIE figures are null,
with ``cie_null_reason``, when less than 1 % of the power lies in 380-780 nm (a near-infrared emitter's
chromaticity would be that of its noise or far tail).

References
----------
CIE 015:2018, Colorimetry, 4th ed.; Recommendation ITU-R BT.2020-2 (2015).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from qdled.errors import InputError
from qdled.spectral import (
    REC2020_RED_XY,
    WHITE_POINTS,
    Spectrum,
    cie_xy,
    dominant_wavelength_nm,
    excitation_purity,
    spectral_locus_xy,
    uv_prime,
)

__all__ = ["SpectrumResult", "analyze_spectrum", "estimate_dark_offset", "plot_spectrum"]


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
    wavelength_range_nm: tuple[float, float] = (float("nan"), float("nan"))
    baseline_offset: float = 0.0
    baseline_subtracted: bool = False
    visible_fraction: float = float("nan")
    cie_null_reason: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["wavelength_range_nm"] = list(self.wavelength_range_nm)
        d["warnings"] = list(self.warnings)
        return d


def estimate_dark_offset(wavelength_nm, intensity) -> tuple[float, float]:
    """Constant offset of a measured spectrum and its noise (standard deviation from the MAD): the median of the
    5 % of samples (at least 5) at the end of the grid whose median is lower -- emission can only raise an end."""
    s = np.asarray(intensity, float)
    k = max(5, int(round(0.05 * s.size)))
    k = min(k, max(1, s.size // 4))
    ends = (s[:k], s[-k:])
    meds = [float(np.median(e)) for e in ends]
    j = int(np.argmin(meds))
    noise = 1.4826 * float(np.median(np.abs(ends[j] - meds[j])))
    return meds[j], noise


def analyze_spectrum(
    wavelength_nm, intensity, white_point: str = "E", *, subtract_baseline: bool = False
) -> SpectrumResult:
    """Peak, FWHM, centroid and colour of a measured spectrum (see :class:`qdled.spectral.Spectrum` for the
    checks and the peak/FWHM method).

    Parameters
    ----------
    wavelength_nm, intensity : array_like
        Spectrum; wavelength strictly increasing (nm).
    white_point : {"E", "D65"}
        Achromatic point for dominant wavelength and excitation purity (default equal-energy E).
    subtract_baseline : bool
        Subtract the estimated dark offset (module docstring) before computing the figures.
    """
    if white_point not in WHITE_POINTS:
        raise InputError(f"white_point must be one of {sorted(WHITE_POINTS)}, got {white_point!r}")
    spec = Spectrum(wavelength_nm, intensity)
    wl, s = spec
    offset, noise = estimate_dark_offset(wl, s)
    k = max(5, int(round(0.05 * s.size)))
    significant = abs(offset) > 0.01 * (s.max() - offset) and abs(offset) > 3 * 1.25 * noise / np.sqrt(k)
    warnings = []
    if significant and not subtract_baseline:
        warnings.append(
            f"the spectrum sits on an offset of {offset:.4g} ({100 * offset / (s.max() - offset):.2g} % of the peak "
            "height): dark counts not subtracted, or emission cut by the window; it widens the FWHM and whitens the "
            "colour (subtract it with --subtract-baseline)"
        )
    if subtract_baseline:
        spec = Spectrum(wl, s - offset)
        wl, s = spec
    w = np.clip(s, 0.0, None)
    total = float(np.trapezoid(w, wl))
    vis = (wl >= 380) & (wl <= 780)
    visible = float(np.trapezoid(w[vis], wl[vis])) / total if total > 0 and vis.sum() > 1 else 0.0
    reason = None
    if visible < 0.01:
        reason = (
            f"only {100 * visible:.2g} % of the spectrum's power lies in 380-780 nm: its chromaticity would be that "
            "of noise or a far tail (CIE colour is defined for visible light)"
        )
    nan = float("nan")
    if reason is None:
        x, y = cie_xy(spec)
        u, v = uv_prime(x, y)
        dom, pur = dominant_wavelength_nm(x, y, white_point), excitation_purity(x, y, white_point)
        dist = float(np.hypot(x - REC2020_RED_XY[0], y - REC2020_RED_XY[1]))
    else:
        x = y = u = v = dom = pur = dist = nan
    return SpectrumResult(
        peak_nm=spec.peak_nm,
        fwhm_nm=spec.fwhm_nm,
        centroid_nm=spec.centroid_nm,
        cie_x=x,
        cie_y=y,
        cie_u_prime=u,
        cie_v_prime=v,
        dominant_wavelength_nm=dom,
        colour_purity=pur,
        white_point=white_point,
        distance_to_rec2020_red=dist,
        wavelength_range_nm=(float(wl[0]), float(wl[-1])),
        baseline_offset=float(offset),
        baseline_subtracted=bool(subtract_baseline),
        visible_fraction=visible,
        cie_null_reason=reason,
        warnings=tuple(warnings),
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
    locus = spectral_locus_xy()
    bx.plot(locus[:, 0], locus[:, 1], "k-", lw=1)
    bx.plot([locus[0, 0], locus[-1, 0]], [locus[0, 1], locus[-1, 1]], "k-", lw=1)
    bx.plot(*REC2020_RED_XY, "s", mfc="none", color="b", label="Rec.2020 red")
    if np.isfinite(result.cie_x):
        bx.plot(result.cie_x, result.cie_y, "ro", label=f"({result.cie_x:.3f}, {result.cie_y:.3f})")
    bx.set_xlabel("CIE x")
    bx.set_ylabel("CIE y")
    bx.set_aspect("equal")
    bx.legend(loc="upper right")
    fig.tight_layout()
    return fig
