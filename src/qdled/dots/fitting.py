"""Fit the free parameters of the ensemble PL model to a measured PL spectrum (lmfit).

Free parameters: ``homogeneous_fwhm_eV`` (single-dot Gaussian width), ``sd_nm`` (effective normal size spread)
and ``stokes_fraction``; the mean edge is fixed (from TEM or the synthesis stage) unless ``vary_mean=True``.
With a Gaussian homogeneous line and a nearly linear E(L) across the distribution, the homogeneous width and the
size spread add almost in quadrature and are nearly degenerate; by default the homogeneous width is therefore
held at its assumed value and only ``sd_nm`` and ``stokes_fraction`` vary. lmfit reports the correlation.

References
----------
Newville, M. et al. LMFIT: Non-linear least-square minimization and curve-fitting for Python (Zenodo).
"""

from __future__ import annotations

from dataclasses import dataclass

from qdled.dots.spectra import HOMOGENEOUS_FWHM_EV, STOKES_FRACTION, _pl_per_nm, ensemble_pl
from qdled.errors import InputError, require_finite_positive
from qdled.spectral import Spectrum

_FREE = ("homogeneous_fwhm_eV", "sd_nm", "stokes_fraction", "mean_nm")


@dataclass(frozen=True)
class PLFit:
    """Best-fit values, their standard errors (NaN if not estimated) and the fitted spectrum.

    ``at_bound`` names free parameters that ended on a bound (e.g. ``sd_nm`` at its minimum when the measured
    line is narrower than the assumed single-dot line): the fit then did not find an interior optimum and the
    values are not estimates; ``success`` is False in that case.
    """

    values: dict
    stderr: dict
    spectrum: Spectrum
    redchi: float
    success: bool
    at_bound: tuple = ()


def fit_pl(
    wavelength_nm,
    intensity,
    mean_nm: float,
    *,
    method: str = "kane",
    vary=("sd_nm", "stokes_fraction"),
    initial: dict | None = None,
) -> PLFit:
    """Least-squares fit of :func:`qdled.dots.ensemble_pl` to a measured PL spectrum.

    Parameters
    ----------
    wavelength_nm, intensity : array
        Measured spectrum (any scale; a free ``amplitude`` parameter is fitted as well).
    mean_nm : float
        Mean edge length [nm] (held fixed unless "mean_nm" is in ``vary``).
    vary : sequence of str
        Which of "homogeneous_fwhm_eV", "sd_nm", "stokes_fraction", "mean_nm" are free.
    initial : dict, optional
        Starting / fixed values (defaults: assumed homogeneous width, sd 0.3 nm, assumed Stokes fraction).
    """
    import lmfit

    measured = Spectrum(wavelength_nm, intensity)
    if measured.wavelength_nm.size < 10:
        raise InputError(f"fitting a PL spectrum needs >= 10 samples, got {measured.wavelength_nm.size}")
    wl, y = measured
    unknown = set(vary) - set(_FREE)
    if unknown:
        raise InputError(f"vary must be a subset of {_FREE}, got {sorted(unknown)}")
    require_finite_positive("mean_nm", mean_nm)
    y = y / y.max()  # scale only; a free amplitude absorbs noise on the maximum
    start = {
        "homogeneous_fwhm_eV": HOMOGENEOUS_FWHM_EV,
        "sd_nm": 0.3,
        "stokes_fraction": STOKES_FRACTION,
        "mean_nm": float(mean_nm),
    }
    start.update(initial or {})
    params = lmfit.Parameters()
    params.add(
        "homogeneous_fwhm_eV", start["homogeneous_fwhm_eV"], min=0.005, max=0.5, vary="homogeneous_fwhm_eV" in vary
    )
    params.add("sd_nm", start["sd_nm"], min=1e-3, max=0.4 * start["mean_nm"], vary="sd_nm" in vary)
    params.add("stokes_fraction", start["stokes_fraction"], min=0.0, max=0.9, vary="stokes_fraction" in vary)
    params.add(
        "mean_nm", start["mean_nm"], min=0.3 * start["mean_nm"], max=3 * start["mean_nm"], vary="mean_nm" in vary
    )
    params.add("amplitude", 1.0, min=0.5, max=2.0)

    def kwargs(pars):
        v = pars.valuesdict()
        return {
            "sd_nm": v["sd_nm"],
            "method": method,
            "homogeneous_fwhm_eV": v["homogeneous_fwhm_eV"],
            "stokes_fraction": v["stokes_fraction"],
            "wavelength_nm": wl,
        }

    def resid(pars):
        s = _pl_per_nm(pars["mean_nm"].value, **kwargs(pars))[1]
        top = s.max()
        return pars["amplitude"].value * (s / top if top > 0 else s) - y

    result = lmfit.minimize(resid, params, method="least_squares")
    values = {k: float(p.value) for k, p in result.params.items()}
    stderr = {k: float(p.stderr) if p.stderr is not None else float("nan") for k, p in result.params.items()}
    at_bound = tuple(
        k
        for k, p in result.params.items()
        if p.vary and min(p.value - p.min, p.max - p.value) <= 1e-3 * (p.max - p.min)
    )
    spectrum = ensemble_pl(result.params["mean_nm"].value, **kwargs(result.params))
    return PLFit(values, stderr, spectrum, float(result.redchi), bool(result.success) and not at_bound, at_bound)
