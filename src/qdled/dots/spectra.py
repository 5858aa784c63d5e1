"""Ensemble absorption and photoluminescence spectra of a CsPbI3 nanocrystal size distribution.

Model
-----
* Each size bin ``edge_nm[i]`` (number fraction ``weight[i]``) has transition energies from
  :func:`qdled.dots.confinement.confinement_energy`. Size broadening follows from evaluating those energies on
  the size grid (equivalent to propagating the size spread through dE/dL, but exact for the nonlinear E(L)).
* Homogeneous line of a single dot: Voigt profile (:func:`scipy.special.voigt_profile`) with a Gaussian
  (phonon-broadened) FWHM ``homogeneous_fwhm_eV`` and an optional Lorentzian FWHM (default 0, i.e. a Gaussian).
  Room-temperature single perovskite nanocrystals show 70-120 meV wide lines dominated by exciton coupling to
  low-energy (surface) phonons [1]; the default 95 meV is the middle of that range (an assumption).
* Stokes shift (absorption peak minus PL peak of one dot) grows with confinement [2]; modelled as a fixed fraction
  ``stokes_fraction`` of the confinement energy E_abs(L) - (Eg - Eb) (assumed 0.15: 55 -> 14 meV for 4 -> 8 nm
  CsPbI3; 20-100 meV are reported for small perovskite nanocrystals [2], i.e. this may be low for larger dots).
* PL weight of a bin: number fraction x volume (absorption at a far-above-gap excitation wavelength scales with
  volume) -- stated assumption; the photoluminescence quantum yield is taken size independent.
* Absorption of a bin: discrete transitions (band edge and five higher equal-envelope transitions, oscillator
  strength proportional to their degeneracy, i.e. per envelope state) plus, above the highest listed transition
  E_6, a continuum with the bulk pair density of states of the box, L^3 / (4 pi^2) (2 mu / hbar^2)^(3/2)
  sqrt(E - E_6), and the same strength per state; all broadened by the homogeneous line.

Spectra are computed on an energy grid and returned on a wavelength grid as :class:`qdled.spectral.Spectrum`
(intensity per unit wavelength, Jacobian E^2 / hc applied, maximum 1); their peak and FWHM are the spectral
layer's (one finder for every stage).

References
----------
.. [1] Single-nanocrystal room-temperature linewidths of 70-120 meV due to surface-phonon coupling,
   Nat. Commun. 13, 2587 (2022).
.. [2] Brennan, M. C. et al. Origin of the size-dependent Stokes shift in CsPbBr3 perovskite nanocrystals.
   J. Am. Chem. Soc. 139, 12201 (2017).
"""

from __future__ import annotations

import numpy as np

from qdled.dots.calibration import ASSUMED
from qdled.dots.confinement import (
    _CUBE_LEVELS,
    _H2_2M0,
    _SPHERE_LEVELS,
    BandParameters,
    confinement_energy,
)
from qdled.errors import InputError, require_finite_positive
from qdled.spectral import FWHM_PER_SIGMA, Spectrum, photon_energy_eV, photon_wavelength_nm, voigt

#: Default homogeneous (single-dot) Gaussian FWHM [eV]: middle of the 70-120 meV range of ref. [1] (assumed).
HOMOGENEOUS_FWHM_EV = ASSUMED["homogeneous_fwhm_eV"]["value"]
#: Default Stokes shift as a fraction of the confinement energy (assumed, see module docstring).
STOKES_FRACTION = ASSUMED["stokes_fraction"]["value"]


def size_distribution(edge_nm, weight=None, *, sd_nm: float | None = None, n_bins: int = 161):
    """Normalised size distribution as (edge_nm, number fraction) arrays.

    Either plain arrays ``edge_nm`` (bin centres) and ``weight`` (number fraction, normalised here), or a scalar
    mean ``edge_nm`` with ``sd_nm`` for a normal distribution (truncated at +/- 4 sd and at > 0; ``sd_nm=0``
    gives a single size). A scalar ``edge_nm`` without ``sd_nm`` is a single size.
    """
    edge = np.atleast_1d(np.asarray(edge_nm, dtype=float))
    if not np.all(np.isfinite(edge)) or np.any(edge <= 0):
        raise InputError(f"edge_nm must be finite and > 0, got {edge_nm!r}")
    if weight is not None:
        if sd_nm is not None:
            raise InputError("give either weight or sd_nm, not both")
        w = np.atleast_1d(np.asarray(weight, dtype=float))
        if w.shape != edge.shape:
            raise InputError(f"weight must have the shape of edge_nm {edge.shape}, got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise InputError("weight must be finite, >= 0 and not all zero")
        return edge, w / w.sum()
    if edge.size != 1:
        raise InputError("an edge_nm array needs a matching weight array")
    mean = float(edge[0])
    sd = 0.0 if sd_nm is None else require_finite_positive("sd_nm", sd_nm, allow_zero=True)
    if sd == 0.0:
        return edge, np.ones(1)
    lo = max(mean - 4.0 * sd, 0.05 * mean)
    grid = np.linspace(lo, mean + 4.0 * sd, n_bins)
    w = np.exp(-0.5 * ((grid - mean) / sd) ** 2)
    return grid, w / w.sum()


def stokes_shift_eV(
    edge_nm,
    *,
    method: str = "kane",
    stokes_fraction: float = STOKES_FRACTION,
    params: BandParameters | None = None,
    edge_offset_nm: float | None = None,
):
    """Stokes shift [eV] of single dots: ``stokes_fraction`` x (E_abs(L) - (Eg - Eb)) (see module docstring)."""
    p = params or BandParameters()
    e_abs = confinement_energy(edge_nm, method, params=p, edge_offset_nm=edge_offset_nm)
    return stokes_fraction * np.maximum(e_abs - (p.bandgap_eV - p.exciton_binding_eV), 0.0)


def edge_from_pl_peak(
    pl_peak_nm: float,
    *,
    method: str = "kane",
    stokes_fraction: float = STOKES_FRACTION,
    params: BandParameters | None = None,
) -> float:
    """Edge length [nm] of a single dot whose PL peak (absorption minus Stokes shift) is at ``pl_peak_nm``.

    Inverts E_PL = E_abs - f (E_abs - (Eg - Eb)) for E_abs, then :func:`qdled.dots.size_from_energy`.
    """
    from qdled.dots.confinement import size_from_energy

    require_finite_positive("pl_peak_nm", pl_peak_nm)
    p = params or BandParameters()
    e_x = p.bandgap_eV - p.exciton_binding_eV
    e_pl = photon_energy_eV(pl_peak_nm)
    return size_from_energy((e_pl - stokes_fraction * e_x) / (1.0 - stokes_fraction), method, params=p)


def _energy_grid(centres, width_eV, n=1500, extra_eV=0.0):
    """Energy grid over the lines, at least ``n`` points and a step of at most 1/8 of the line FWHM
    (a narrow line over a broad distribution was otherwise under-resolved: FWHM +5.6 %)."""
    lo = max(float(np.min(centres)) - 6.0 * width_eV, 0.5)
    hi = float(np.max(centres)) + 6.0 * width_eV + extra_eV
    n = int(min(max(n, np.ceil(8.0 * (hi - lo) / width_eV)), 50_000))
    return np.linspace(lo, hi, n)


def _on_wavelength(energy_grid, intensity_per_eV, wavelength_nm=None, *, density: bool = True):
    """Resample onto wavelength: ``(wavelength_nm, values)`` arrays. A spectral density (PL, per eV -> per nm)
    takes the Jacobian ``|dE/dlambda| = E^2 / hc`` (hc dropped: normalised later); a function of photon energy
    such as an absorbance or cross-section (``density=False``) is only re-gridded."""
    wl = photon_wavelength_nm(energy_grid)
    per_nm = intensity_per_eV * energy_grid**2 if density else np.asarray(intensity_per_eV, dtype=float)
    order = np.argsort(wl)
    wl, per_nm = wl[order], per_nm[order]
    if wavelength_nm is not None:
        target = np.asarray(wavelength_nm, dtype=float)
        per_nm = np.interp(target, wl, per_nm, left=0.0, right=0.0)
        wl = target
    return wl, per_nm


def _spectrum(wl, values) -> Spectrum:
    """A :class:`Spectrum` of maximum 1 (InputError if a requested grid misses the whole line)."""
    top = float(np.max(values)) if np.size(values) else 0.0
    if not top > 0:
        raise InputError(
            f"the spectrum is zero on the requested wavelength_nm ({np.min(wl):g}-{np.max(wl):g} nm): the line lies "
            "outside it"
        )
    return Spectrum(wl, values / top)


def ensemble_pl(
    edge_nm,
    weight=None,
    *,
    sd_nm: float | None = None,
    method: str = "kane",
    homogeneous_fwhm_eV: float = HOMOGENEOUS_FWHM_EV,
    lorentzian_fwhm_eV: float = 0.0,
    stokes_fraction: float = STOKES_FRACTION,
    params: BandParameters | None = None,
    wavelength_nm=None,
    edge_offset_nm: float | None = None,
) -> Spectrum:
    """Photoluminescence spectrum of a size distribution.

    Parameters
    ----------
    edge_nm, weight, sd_nm
        Size distribution, see :func:`size_distribution` (arrays of bin centres and number fractions, or a
        mean with a normal ``sd_nm``).
    method
        Confinement model (:func:`qdled.dots.confinement_energy`).
    homogeneous_fwhm_eV, lorentzian_fwhm_eV
        Gaussian and Lorentzian FWHM [eV] of the single-dot Voigt line.
    stokes_fraction
        Stokes shift as a fraction of the confinement energy.
    wavelength_nm : array, optional
        Output grid [nm]; default an automatic grid around the line.
    edge_offset_nm : float, optional
        Passed to :func:`qdled.dots.confinement_energy` (default: the model's calibrated value).

    Returns
    -------
    Spectrum
        ``wavelength_nm``, ``intensity`` (per nm, max 1); ``peak_nm``, ``fwhm_nm`` as every spectrum's.
    """
    return _spectrum(
        *_pl_per_nm(
            edge_nm,
            weight,
            sd_nm=sd_nm,
            method=method,
            homogeneous_fwhm_eV=homogeneous_fwhm_eV,
            lorentzian_fwhm_eV=lorentzian_fwhm_eV,
            stokes_fraction=stokes_fraction,
            params=params,
            wavelength_nm=wavelength_nm,
            edge_offset_nm=edge_offset_nm,
        )
    )


def _pl_per_nm(
    edge_nm,
    weight=None,
    *,
    sd_nm: float | None = None,
    method: str = "kane",
    homogeneous_fwhm_eV: float = HOMOGENEOUS_FWHM_EV,
    lorentzian_fwhm_eV: float = 0.0,
    stokes_fraction: float = STOKES_FRACTION,
    params: BandParameters | None = None,
    wavelength_nm=None,
    edge_offset_nm: float | None = None,
):
    """The PL of :func:`ensemble_pl` as ``(wavelength_nm, per-nm intensity)`` arrays, unnormalised (all zero
    where a given grid misses the line: what a least-squares fit needs)."""
    require_finite_positive("homogeneous_fwhm_eV", homogeneous_fwhm_eV, allow_zero=True)
    require_finite_positive("lorentzian_fwhm_eV", lorentzian_fwhm_eV, allow_zero=True)
    if homogeneous_fwhm_eV == 0 and lorentzian_fwhm_eV == 0:
        raise InputError("homogeneous_fwhm_eV and lorentzian_fwhm_eV cannot both be 0")
    require_finite_positive("stokes_fraction", stokes_fraction, allow_zero=True)
    edges, w = size_distribution(edge_nm, weight, sd_nm=sd_nm)
    p = params or BandParameters()
    e_abs = confinement_energy(edges, method, params=p, edge_offset_nm=edge_offset_nm)
    e_pl = e_abs - stokes_fraction * np.maximum(e_abs - (p.bandgap_eV - p.exciton_binding_eV), 0.0)
    grid = _energy_grid(e_pl, homogeneous_fwhm_eV + lorentzian_fwhm_eV)
    lines = voigt(grid, e_pl, homogeneous_fwhm_eV, lorentzian_fwhm_eV)
    return _on_wavelength(grid, (w * edges**3) @ lines, wavelength_nm)


def ensemble_absorption(
    edge_nm,
    weight=None,
    *,
    sd_nm: float | None = None,
    method: str = "kane",
    shape: str = "cube",
    homogeneous_fwhm_eV: float = HOMOGENEOUS_FWHM_EV,
    lorentzian_fwhm_eV: float = 0.0,
    continuum_weight: float = 1.0,
    params: BandParameters | None = None,
    wavelength_nm=None,
    edge_offset_nm: float | None = None,
    band_edge_only: bool = False,
) -> Spectrum:
    """Absorption spectrum (absorbance, arbitrary units, max 1) of a size distribution.

    With ``band_edge_only`` the spectrum is the first excitonic (band-edge) absorption band alone, on the same
    grid: its ``peak_nm`` and ``fwhm_nm`` are the ensemble's first excitonic peak and width -- a peak for small
    dots, only a shoulder on the higher transitions for large ones (the maximum of the total is a higher
    transition there: 600 nm instead of 699 nm at 10 nm).
    The continuum is ``continuum_weight`` x the pair density of states of the box (1 = same oscillator strength
    per envelope state as the discrete transitions). See the module docstring for the model.
    """
    require_finite_positive("homogeneous_fwhm_eV", homogeneous_fwhm_eV)
    require_finite_positive("continuum_weight", continuum_weight, allow_zero=True)
    edges, w = size_distribution(edge_nm, weight, sd_nm=sd_nm)
    p = params or BandParameters()
    levels = _CUBE_LEVELS if shape == "cube" else _SPHERE_LEVELS
    energies = np.stack(
        [
            confinement_energy(edges, method, shape=shape, params=p, level=i, edge_offset_nm=edge_offset_nm)
            for i in range(len(levels))
        ]
    )  # (n_levels, n_bins)
    degeneracy = np.array([d for _, d in levels], dtype=float)
    grid = _energy_grid(energies[0], homogeneous_fwhm_eV + lorentzian_fwhm_eV, n=2000, extra_eV=1.0)
    if band_edge_only:
        band = degeneracy[0] * (w @ voigt(grid, energies[0], homogeneous_fwhm_eV, lorentzian_fwhm_eV))
        return _spectrum(*_on_wavelength(grid, band, wavelength_nm, density=False))
    lines = voigt(grid, energies.ravel(), homogeneous_fwhm_eV, lorentzian_fwhm_eV).reshape(
        len(levels), edges.size, grid.size
    )
    discrete = np.einsum("l,b,lbe->e", degeneracy, w, lines)
    onset = energies[-1]  # bulk-like continuum of envelope states above the highest listed transition
    sigma = homogeneous_fwhm_eV / FWHM_PER_SIGMA
    de = grid[None, :] - onset[:, None]
    smooth = np.sqrt(0.5 * (de + np.sqrt(de**2 + sigma**2)))  # sqrt(E - E_last) with a broadened onset
    # pair density of states per eV of a box of volume L^3: L^3 / (4 pi^2) (2 mu / hbar^2)^(3/2) sqrt(E)
    dos = edges**3 / (4.0 * np.pi**2) * (p.reduced_mass_m0 / _H2_2M0) ** 1.5
    continuum = continuum_weight * ((w * dos) @ smooth)
    return _spectrum(*_on_wavelength(grid, discrete + continuum, wavelength_nm, density=False))
