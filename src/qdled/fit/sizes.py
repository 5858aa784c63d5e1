"""Size distribution (mean edge and spread) of a CsPbI3 dot solution from its PL or absorption spectrum,
through the ensemble model of :mod:`qdled.dots.spectra`; and the sizing-curve inverse as a quick estimate.

Model: a normal distribution of cube edges (mean ``mean_nm``, standard deviation ``sd_nm``) gives the ensemble
spectrum of :func:`qdled.dots.ensemble_pl` or :func:`qdled.dots.ensemble_absorption` (single-dot Voigt line,
Stokes shift and continuum as in that module); a free amplitude (and, for absorbance, a constant offset for
scattering and baseline) absorbs the unknown scale. The single-dot (homogeneous) width is held at its assumed
value: with a Gaussian line it adds almost in quadrature to the size broadening, so the two are nearly
degenerate (see :mod:`qdled.dots.fitting`); a spread much narrower than that line is reported as not identifiable.
Absorbance is fitted over the first excitonic band, from the long-wavelength end of the data to
``WINDOW_EV`` above the first-exciton peak, where the model's discrete-transition picture holds.

The quick estimate inverts the sizing curve at the spectrum's peak: :func:`qdled.dots.edge_from_pl_peak` for PL,
:func:`qdled.dots.size_from_energy` at the first-exciton absorption peak for absorbance.

References
----------
.. [1] Q. A. Akkerman, T. P. T. Nguyen, S. C. Boehme et al., Science 377, 1406 (2022) (sizing curves of
   spheroidal CsPbBr3/CsPbI3 quantum dots from absorption).
.. [2] L. Protesescu et al., Nano Lett. 15, 3692 (2015) (size-dependent CsPbX3 spectra).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import find_peaks, savgol_filter

from qdled.errors import InputError
from qdled.fit._common import check_1d, check_sigma, minimize
from qdled.fit.result import FitResult, summarise

KINDS = ("pl", "absorption")
#: absorbance fitted up to this energy above the first-exciton peak [eV]
WINDOW_EV = 0.35
#: size bins of the model distribution (enough: the result changes < 1e-3 nm from 41 to 161 bins)
N_BINS = 41
#: physical range of the mean edge [nm] (the dots model covers 1-30 nm)
MEAN_RANGE_NM = (1.5, 30.0)


@dataclass(frozen=True)
class QuickSize:
    """Sizing-curve estimate: ``edge_nm`` from the peak at ``peak_nm`` of a ``kind`` spectrum."""

    edge_nm: float
    peak_nm: float
    kind: str


def _energy(wl_nm):
    from qdled.spectral.units import photon_energy_eV

    return photon_energy_eV(wl_nm)


def first_exciton_nm(wavelength_nm, absorbance) -> float:
    """Wavelength [nm] of the first-exciton absorption peak: the longest-wavelength local maximum of the
    smoothed absorbance (Savitzky-Golay, ~1/15 of the points) standing out by 3 % of the maximum and reaching
    10 % of it, else the longest-wavelength such minimum of its second derivative (a shoulder)."""
    wl = check_1d("wavelength_nm", wavelength_nm)
    a = check_1d("absorbance", absorbance, wl.size)
    if wl.size < 15:
        raise InputError(f"absorbance needs >= 15 points to locate the first exciton, got {wl.size}")
    win = max(11, (wl.size // 15) | 1)
    sm = savgol_filter(a, win, 3)
    top = np.max(np.abs(sm))
    peaks, _ = find_peaks(sm, prominence=0.03 * top, height=0.1 * top)
    if peaks.size:
        return float(wl[peaks[np.argmax(wl[peaks])]])
    d2 = savgol_filter(a, win, 3, deriv=2)
    mins, _ = find_peaks(-d2, prominence=0.1 * np.max(np.abs(d2)))
    mins = mins[sm[mins] > 0.1 * top]
    if not mins.size:
        raise InputError("no first-exciton peak or shoulder found in the absorbance")
    return float(wl[mins[np.argmax(wl[mins])]])


def quick_size(wavelength_nm, intensity, kind: str = "pl", *, method: str = "kane") -> QuickSize:
    """Edge length [nm] from the sizing curve at the spectrum's peak (PL) or first-exciton peak (absorbance).

    References
    ----------
    See :func:`qdled.dots.edge_from_pl_peak` and :func:`qdled.dots.size_from_energy`.
    """
    from qdled.dots import edge_from_pl_peak, size_from_energy
    from qdled.spectral import Spectrum

    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    wl = check_1d("wavelength_nm", wavelength_nm)
    y = check_1d("intensity", intensity, wl.size)
    if kind == "pl":
        peak = Spectrum(wl, y).peak_nm
        return QuickSize(float(edge_from_pl_peak(peak, method=method)), peak, kind)
    peak = first_exciton_nm(wl, y)
    return QuickSize(float(size_from_energy(float(_energy(peak)), method)), peak, kind)


def fit_sizes(
    wavelength_nm,
    intensity,
    kind: str = "pl",
    *,
    sigma=None,
    method: str = "kane",
    start_mean_nm: float | None = None,
) -> FitResult:
    """Fit mean edge and size spread of a normal size distribution to a PL or absorbance spectrum.

    Parameters
    ----------
    wavelength_nm, intensity : arrays
        The spectrum (any scale; absorbance for ``kind="absorption"``).
    kind : "pl" or "absorption"
    sigma : None, "poisson" or array
        Noise model (see :func:`qdled.fit.fit_orientation`).
    method : str
        Confinement model (:func:`qdled.dots.confinement_energy`).
    start_mean_nm : float, optional
        Starting mean edge (default: :func:`quick_size`).

    Returns
    -------
    FitResult
        ``parameters``: ``mean_nm``, ``sd_nm``; ``nuisance``: ``amplitude`` (and ``offset``); ``notes`` include
        the quick sizing-curve estimate.

    References
    ----------
    See the module docstring.
    """
    import lmfit

    from qdled.dots import ensemble_absorption, ensemble_pl, size_distribution

    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    wl = check_1d("wavelength_nm", wavelength_nm)
    y = check_1d("intensity", intensity, wl.size)
    if wl.size < 10 or np.any(np.diff(wl) <= 0):
        raise InputError("spectrum needs >= 10 points with strictly increasing wavelength_nm")
    sig = check_sigma(sigma, wl.size)
    quick = quick_size(wl, y, kind, method=method)
    mean0 = quick.edge_nm if start_mean_nm is None else float(start_mean_nm)
    if not MEAN_RANGE_NM[0] <= mean0 <= MEAN_RANGE_NM[1]:
        raise InputError(f"mean edge {mean0:.3g} nm is outside {MEAN_RANGE_NM} nm; is this a CsPbI3 dot spectrum?")
    if kind == "absorption":
        keep = _energy(wl) <= _energy(quick.peak_nm) + WINDOW_EV
    else:
        keep = np.ones(wl.size, dtype=bool)
    x, yk = wl[keep], y[keep]
    if isinstance(sig, np.ndarray):
        sig = sig[keep]
    sd_hi = 0.4 * mean0

    def shape(p):
        edges, w = size_distribution(p["mean_nm"].value, sd_nm=p["sd_nm"].value, n_bins=N_BINS)
        if kind == "pl":
            return ensemble_pl(edges, w, method=method, wavelength_nm=x).intensity
        return ensemble_absorption(edges, w, method=method, wavelength_nm=x).intensity

    def model_of(p):
        off = p["offset"].value if "offset" in p else 0.0
        return p["amplitude"].value * shape(p) + off

    def residual(p, w):
        return (model_of(p) - yk) * w

    params = lmfit.Parameters()
    params.add("mean_nm", mean0, min=MEAN_RANGE_NM[0], max=MEAN_RANGE_NM[1])
    params.add("sd_nm", 0.1 * mean0, min=1e-3, max=sd_hi)
    params.add("amplitude", float(np.max(yk)), min=0.0)
    if kind == "absorption":
        params.add("offset", float(np.min(yk)))
    res, used = minimize(residual, params, sig, yk, model_of)
    physical = {"mean_nm": ("nm", MEAN_RANGE_NM), "sd_nm": ("nm", (0.0, sd_hi))}
    notes = [
        f"quick estimate: {quick.edge_nm:.3f} nm from the sizing curve at {quick.peak_nm:.1f} nm ({kind})",
        "single-dot line width held at its assumed value (qdled.dots.spectra.HOMOGENEOUS_FWHM_EV)",
        f"confinement model: {method}",
    ]
    if kind == "absorption":
        notes.append(f"fitted {x.min():.0f}-{x.max():.0f} nm (to {WINDOW_EV} eV above the first exciton)")
    curves = {
        "wavelength_nm": x,
        "data": yk,
        "model": model_of(res.params),
        "sigma": used,
        "all_wavelength_nm": wl,
        "all_data": y,
    }
    out = summarise("sizes", res, physical, notes=notes, curves=curves)
    return replace(out, nuisance={**out.nuisance, "quick_edge_nm": quick.edge_nm})


__all__ = ["fit_sizes", "quick_size", "first_exciton_nm", "QuickSize", "KINDS"]
