"""Foerster energy transfer between dots of different sizes and the mean-field master equation over size classes
(the transfer core of :mod:`qdled.dots.film`; model and references in that module's docstring).

References
----------
.. [1] Foerster, T. Ann. Phys. 437, 55 (1948); Lakowicz, J. R. Principles of Fluorescence Spectroscopy, 3rd ed.
   (2006), ch. 13 (R0 = 0.211 (kappa^2 n^-4 Q J)^(1/6) Angstrom).
.. [2] Strickler, S. J. & Berg, R. A. J. Chem. Phys. 37, 814 (1962); Hilborn, R. C. Am. J. Phys. 50, 982 (1982).
.. [3] Becker, M. A. et al. Bright triplet excitons in caesium lead halide perovskites. Nature 553, 189 (2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import constants as _c
from scipy.linalg import eigh

from qdled.dots.confinement import BandParameters, confinement_energy
from qdled.dots.photophysics import nonradiative_rate, radiative_rate
from qdled.dots.spectra import stokes_shift_eV
from qdled.errors import InputError, require_finite_positive
from qdled.spectral import HC_EV_NM, voigt

#: Orientation factor of isotropic, rotationally averaged dipoles [1].
KAPPA2_ISOTROPIC = 2.0 / 3.0
#: Band-edge exciton states per ground state (module docstring, [3]).
EXCITON_DEGENERACY = 4
#: Room temperature [K] (the photophysics' default).
ROOM_TEMPERATURE_K = 298.15
_H_EV_S = _c.h / _c.e
_KB_EV = _c.k / _c.e


def absorption_strength_eV_nm2(k_r_per_s, energy_eV, refractive_index: float, degeneracy: float = EXCITON_DEGENERACY):
    """Integrated band-edge absorption cross-section, integral sigma dE [eV nm^2], from the radiative rate:
    g (hc)^2 h k_r / (8 pi n^2 E^2) (Einstein relation for a line at ``energy_eV`` [2])."""
    n = require_finite_positive("refractive_index", refractive_index)
    e = np.asarray(energy_eV, dtype=float)
    return degeneracy * HC_EV_NM**2 * _H_EV_S * np.asarray(k_r_per_s, dtype=float) / (8.0 * np.pi * n**2 * e**2)


def foerster_radius_nm(
    wavelength_nm,
    donor_pl,
    acceptor_cross_section_nm2,
    *,
    donor_plqy: float,
    refractive_index: float,
    kappa2: float = KAPPA2_ISOTROPIC,
) -> float:
    """Foerster radius R0 [nm] from a donor PL spectrum (any scale, per unit wavelength) and an acceptor
    absorption cross-section [nm^2] on one wavelength grid [nm]:
    R0^6 = 9 kappa^2 Q_D J / (128 pi^5 n^4), J = integral f_D sigma_A lambda^4 dlambda (f_D of unit area) [1].

    References
    ----------
    Foerster, Ann. Phys. 437, 55 (1948); Lakowicz, Principles of Fluorescence Spectroscopy, 3rd ed., ch. 13.
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    f = np.asarray(donor_pl, dtype=float)
    s = np.asarray(acceptor_cross_section_nm2, dtype=float)
    if wl.ndim != 1 or f.shape != wl.shape or s.shape != wl.shape or wl.size < 3:
        raise InputError("wavelength_nm, donor_pl and acceptor_cross_section_nm2 must be 1-D of equal length >= 3")
    area = np.trapezoid(f, wl)
    if not area > 0:
        raise InputError("donor_pl must have a positive area")
    if not 0 <= kappa2 <= 4:
        raise InputError(f"kappa2 must be in [0, 4], got {kappa2!r}")
    q = require_finite_positive("donor_plqy", donor_plqy)
    n = require_finite_positive("refractive_index", refractive_index)
    overlap = np.trapezoid(f / area * s * wl**4, wl)
    return float((9.0 * kappa2 * q * overlap / (128.0 * np.pi**5 * n**4)) ** (1.0 / 6.0))


def foerster_rate_per_s(distance_nm, r0_nm: float, donor_lifetime_ns: float):
    """Foerster transfer rate [1/s] of a pair at ``distance_nm``: (R0 / r)^6 / tau_D [1]."""
    r = np.asarray(distance_nm, dtype=float)
    if np.any(r <= 0):
        raise InputError("distance_nm must be > 0")
    return (require_finite_positive("r0_nm", r0_nm) / r) ** 6 / (
        require_finite_positive("donor_lifetime_ns", donor_lifetime_ns) * 1e-9
    )


@dataclass(frozen=True)
class _Ensemble:
    """Per-bin quantities of a dot ensemble on an energy grid (internal)."""

    edge_nm: np.ndarray
    weight: np.ndarray
    e_abs: np.ndarray
    e_pl: np.ndarray
    k_r: np.ndarray
    k_nr: float
    grid: np.ndarray
    pl_lines: np.ndarray  # (bins, grid), unit area per eV
    abs_lines: np.ndarray

    @property
    def e00(self) -> np.ndarray:
        return 0.5 * (self.e_abs + self.e_pl)

    @property
    def generation(self) -> np.ndarray:
        g = self.weight * self.edge_nm**3
        return g / g.sum()


def _ensemble(edges, w, *, method, theta, shift_eV, fwhm_eV, grid=None) -> _Ensemble:
    """Per-bin energies, rates and lines; ``grid`` [eV] default: uniform over all lines, step <= FWHM / 16 (the
    overlap integrals of Gaussian lines converge exponentially with the step of a uniform grid)."""
    shift = np.broadcast_to(np.asarray(shift_eV, dtype=float), edges.shape)
    p = BandParameters()
    e_abs = confinement_energy(edges, method, params=p) + shift
    e_pl = e_abs - stokes_shift_eV(edges, method=method, params=p)
    if grid is None:
        lo = max(float(e_pl.min()) - 8.0 * fwhm_eV, 0.5)
        hi = float(e_abs.max()) + 8.0 * fwhm_eV
        grid = np.linspace(lo, hi, int(np.ceil(16.0 * (hi - lo) / fwhm_eV)) + 1)
    return _Ensemble(
        edges,
        w,
        e_abs,
        e_pl,
        np.asarray(radiative_rate(edges, params=p), dtype=float),
        float(nonradiative_rate(theta)),
        grid,
        voigt(grid, e_pl, fwhm_eV),
        voigt(grid, e_abs, fwhm_eV),
    )


def transfer_rates_per_s(
    ens: _Ensemble, *, shell_nm: float, refractive_index: float, kappa2: float, temperature_K: float
) -> np.ndarray:
    """Pair rates K[i, j] [1/s] donor class i -> acceptor class j at contact (nearest-neighbour) distance:
    Foerster downhill, detailed balance uphill (module docstring)."""
    de = ens.grid[1] - ens.grid[0]
    strength = absorption_strength_eV_nm2(ens.k_r, ens.e_abs, refractive_index)
    sigma = strength[:, None] * ens.abs_lines  # (acceptor, grid) nm^2
    lam4 = (HC_EV_NM / ens.grid) ** 4
    overlap = (ens.pl_lines * de) @ (sigma * lam4).T  # J[i, j] nm^6: f_i(E) dE = f_i(lambda) dlambda
    r = 0.5 * (ens.edge_nm[:, None] + ens.edge_nm[None, :]) + 2.0 * shell_nm
    forster = ens.k_r[:, None] * 9.0 * kappa2 * overlap / (128.0 * np.pi**5 * refractive_index**4 * r**6)
    e00 = ens.e00
    down = e00[:, None] >= e00[None, :]
    boltzmann = np.exp(-np.clip(e00[None, :] - e00[:, None], 0.0, None) / (_KB_EV * temperature_K))
    return np.where(down, forster, forster.T * boltzmann)


def rate_matrix(weight, pair_rates_per_s, decay_per_s, lattice_sum: float) -> np.ndarray:
    """Mean-field master-equation matrix M [1/s] of dN/dt = M N (N_i: excitations in class i per dot of the film):
    transfer i -> j at ``lattice_sum`` x w_j x K[i, j]; decay ``decay_per_s`` (k_r + k_nr per class)."""
    w = np.asarray(weight, dtype=float)
    k = np.asarray(pair_rates_per_s, dtype=float)
    out_rate = lattice_sum * (k @ w)
    m = lattice_sum * w[:, None] * k.T  # into i from j
    m[np.diag_indices_from(m)] -= out_rate + np.asarray(decay_per_s, dtype=float)
    return m


def decay_curve(m, generation, k_r_per_s, stationary, time_ns) -> np.ndarray:
    """PL intensity I(t) = k_r . exp(M t) G (normalised to 1 at t = 0) of the master equation.

    ``stationary`` (w_i exp(-E00_i / kT)) symmetrises M by detailed balance, S = P^-1/2 M P^1/2, so exp(M t)
    follows from the real eigenvectors of S (:func:`scipy.linalg.eigh`); any slight asymmetry is averaged out.
    """
    half = np.sqrt(np.asarray(stationary, dtype=float))
    s = m * half[None, :] / half[:, None]
    vals, vecs = eigh(0.5 * (s + s.T), driver="evr")  # LAPACK dsyevr (numpy's dsyevd: 10x slower at 2 threads)
    left = (np.asarray(k_r_per_s) * half) @ vecs
    right = vecs.T @ (np.asarray(generation) / half)
    t = np.asarray(time_ns, dtype=float) * 1e-9
    curve = np.exp(np.outer(t, vals)) @ (left * right)
    return curve / float(np.sum(left * right))
