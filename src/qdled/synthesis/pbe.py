"""Population balance of particle radii with a monomer mass balance (finite volumes, method of lines).

The size axis is a logarithmic grid of radius bins. The state is the amount of CsPbI3
[mol/m^3] held in each bin, ``m_i = N_i v_i / Vm`` (``N_i`` particles per m^3 of solution
in bin ``i``, ``v_i`` the volume of a particle at the bin centre), followed by the free
monomer concentration ``c`` [mol/m^3]. Growth moves particles between neighbouring bins
with upwind MUSCL fluxes ``F = (G / r)(r_face) q_face`` (``q``: number per unit ln r, second order,
smooth van Albada slope [3]_); particles
that shrink through the lowest face dissolve and return their volume to the monomer;
nuclei are added at the critical radius plus the half-width of the Zeldovich zone,
``r* + sqrt(k_B T / (4 pi gamma))`` (where the barrier has fallen by k_B T, [5]_; placing
them exactly at r*, where growth is zero, makes the result depend on the grid), split over
the two bins around it. The monomer
rate is minus the sum of the bin rates, so total CsPbI3 is conserved to round-off by any
linear multistep integrator (the Jacobian rows obey the same identity). Integration uses
scipy's stiff BDF with a sparse Jacobian (pentadiagonal by grouped finite differences,
plus the monomer row and column); hand-written because no maintained library offers a population balance with
Gibbs-Thomson dissolution and nucleation coupled to a monomer balance.

References
----------
.. [1] Ramkrishna, D. Population Balances (Academic Press, 2000), ch. 7 (finite-volume
   discretisation of the growth term).
.. [2] LeVeque, R. J. Finite Volume Methods for Hyperbolic Problems (CUP, 2002), sec. 4.8
   (upwind fluxes).
.. [3] van Albada, G. D., van Leer, B., Roberts, W. W. Astron. Astrophys. 108, 76 (1982)
   (the smooth slope limiter; differentiable, so Newton's method in BDF converges).
.. [4] Talapin, D. V. et al. J. Phys. Chem. B 105, 12278 (2001) (the growth law).
.. [5] Kashchiev, D. Nucleation: Basic Theory with Applications (2000), ch. 9 (Zeldovich
   factor: the barrier top has curvature -8 pi gamma).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from qdled.errors import InputError
from qdled.synthesis import kinetics as kin


@dataclass(frozen=True)
class SizeGrid:
    """Radius bins: ``edges_m`` (n+1 increasing face radii [m])."""

    edges_m: np.ndarray

    @property
    def centres_m(self) -> np.ndarray:
        """Geometric bin centres [m]."""
        return np.sqrt(self.edges_m[1:] * self.edges_m[:-1])

    @property
    def widths_m(self) -> np.ndarray:
        """Bin widths [m]."""
        return np.diff(self.edges_m)

    @property
    def volumes_m3(self) -> np.ndarray:
        """Particle volume at the bin centre [m^3]."""
        return 4.0 * np.pi / 3.0 * self.centres_m**3

    @property
    def n_bins(self) -> int:
        """Number of bins."""
        return self.edges_m.size - 1


def log_grid(n_bins: int, r_min_m: float, r_max_m: float) -> SizeGrid:
    """Logarithmic radius grid of ``n_bins`` bins between ``r_min_m`` and ``r_max_m`` [m]."""
    if int(n_bins) < 10:
        raise InputError(f"n_bins must be >= 10, got {n_bins}")
    if not 0 < r_min_m < r_max_m:
        raise InputError(f"need 0 < r_min_m < r_max_m, got {r_min_m}, {r_max_m}")
    return SizeGrid(np.geomspace(r_min_m, r_max_m, int(n_bins) + 1))


@dataclass(frozen=True)
class Rates:
    """Instantaneous growth environment (all SI)."""

    temperature_K: float
    gamma_J_m2: float
    rate_constant_m_s: float
    diffusion_m2_s: float
    solubility_mol_m3: float
    nucleation_prefactor_m3_s: float = 0.0
    nucleation_gamma_J_m2: float | None = None  # surface energy of nuclei (default: gamma_J_m2)


#: ``env(t_s, surface_area_m2_per_m3) -> Rates``
Environment = Callable[[float, float], Rates]


class _Model:
    """Right-hand side and Jacobian of the discretised population balance."""

    #: bins influencing bin i: i-2 .. i+2 (MUSCL stencil of its two faces)
    BAND = 2

    def __init__(self, grid: SizeGrid, env: Environment, molar_volume_m3_mol: float):
        self.grid, self.env, self.vm = grid, env, molar_volume_m3_mol
        self.n = grid.n_bins
        self.to_number = molar_volume_m3_mol / grid.volumes_m3  # N_i = m_i * to_number_i
        self.faces = grid.edges_m[:-1]  # lower faces of every bin (face 0 is the dissolution outlet)
        self.area = 4.0 * np.pi * grid.centres_m**2
        self.conv = self.to_number / np.diff(np.log(grid.edges_m))  # q_i = m_i * conv_i
        self.log_c = np.log(grid.centres_m)
        n, b = self.n, self.BAND
        rows, cols = np.meshgrid(np.arange(n), np.arange(-b, b + 1), indexing="ij")
        cols = rows + cols
        keep = (cols >= 0) & (cols < n)
        self.band_rows, self.band_cols = rows[keep], cols[keep]
        self.pattern = (
            np.concatenate([self.band_rows, np.full(n + 1, n), np.arange(n)]),
            np.concatenate([self.band_cols, np.arange(n + 1), np.full(n, n)]),
        )

    def _rates(self, t, m):
        return self.env(t, float(np.dot(m * self.to_number, self.area)))

    def _nucleus_weights(self, r_star):
        """Split one nucleus of radius r_star over the two bins around it (linear in ln r)."""
        w = np.zeros(self.n)
        if not np.isfinite(r_star) or r_star >= self.grid.centres_m[-1]:
            return w
        x = np.clip(np.log(r_star), self.log_c[0], self.log_c[-1])
        j = min(int(np.searchsorted(self.log_c, x, side="right")) - 1, self.n - 2)
        f = (x - self.log_c[j]) / (self.log_c[j + 1] - self.log_c[j])
        w[j], w[j + 1] = 1.0 - f, f
        return w

    def _reconstruct(self, q, positive):
        """MUSCL face densities with the smooth van Albada slope ([2]_ sec. 6.12; [3]_); first order at the outlet."""
        f = np.arange(self.n)
        up = np.where(positive, f - 1, f)
        up[0] = 0
        qp = np.concatenate([[0.0, 0.0], q, [0.0, 0.0]])
        q_u = qp[up + 2]
        q_uu = qp[np.where(positive, f - 2, f + 1) + 2]
        q_d = qp[np.where(positive, f, f - 1) + 2]
        a, b = q_u - q_uu, q_d - q_u
        eps = 1e-12 * float(np.max(q * q)) + 1e-300
        q_face = q_u + 0.5 * a * b * (a + b) / (a * a + b * b + eps)  # smooth van Albada slope
        q_face[0] = q[0]
        return q_face

    def particle_rhs(self, m, c, p: Rates):
        """d m_i / dt [mol/(m^3 s)] for fixed rates ``p``."""
        lcap = kin.capillary_length_m(p.gamma_J_m2, self.vm, p.temperature_K)
        g = kin.growth_rate_m_s(
            self.faces, c, p.solubility_mol_m3, lcap, p.diffusion_m2_s, p.rate_constant_m_s, self.vm
        )
        g[0] = min(g[0], 0.0)  # outflow only through the lowest face
        # no clipping of negative round-off amounts: the flux stays linear in m, so a negative
        # amount decays like a positive one instead of freezing (a clip stalls the Newton solver)
        flux = g / self.faces * self._reconstruct(m * self.conv, g > 0)
        dn = flux.copy()
        dn[:-1] -= flux[1:]  # inflow through the lower face minus outflow through the upper face
        gn = p.gamma_J_m2 if p.nucleation_gamma_J_m2 is None else p.nucleation_gamma_J_m2
        if gn > 0 and p.nucleation_prefactor_m3_s > 0:
            s = c / p.solubility_mol_m3
            jn = float(kin.nucleation_rate(s, gn, self.vm, p.temperature_K, p.nucleation_prefactor_m3_s))
            if jn > 0:
                lcap_n = kin.capillary_length_m(gn, self.vm, p.temperature_K)
                r_nuc = float(kin.critical_radius_m(s, lcap_n)) + np.sqrt(
                    kin.K_B * p.temperature_K / (4.0 * np.pi * gn)
                )
                dn += jn * self._nucleus_weights(r_nuc)
        return dn / self.to_number

    def rhs(self, t, y):
        m, c = y[:-1], y[-1]
        dm = self.particle_rhs(m, c, self._rates(t, m))
        return np.append(dm, -dm.sum())

    def jac(self, t, y):
        """Sparse Jacobian by grouped finite differences of the banded particle part (rates held
        at their current value); the monomer row is minus the column sums, so the Newton
        updates conserve mass exactly."""
        m, c = y[:-1], y[-1]
        p = self._rates(t, m)
        f0 = self.particle_rhs(m, c, p)
        width = 2 * self.BAND + 1
        h = 1e-7 * np.maximum(np.abs(m), 1e-6 * max(float(np.abs(m).max()), c, 1e-300))
        perturbed = np.repeat(m[None, :], width, axis=0)
        for k in range(width):
            perturbed[k, k::width] += h[k::width]
        data = np.empty(self.band_rows.size)
        fk = np.array([self.particle_rhs(mk, c, p) for mk in perturbed])
        group = self.band_cols % width
        data[:] = (fk[group, self.band_rows] - f0[self.band_rows]) / h[self.band_cols]
        hc = 1e-7 * max(abs(c), 1e-6 * (abs(c) + float(np.abs(m).sum())), 1e-300)  # c may be ~0 after the wash
        col_c = (self.particle_rhs(m, c + hc, p) - f0) / hc
        col_sums = np.bincount(self.band_cols, weights=data, minlength=self.n)
        row_c = -np.append(col_sums, col_c.sum())
        return sp.csc_matrix((np.concatenate([data, row_c, col_c]), self.pattern), shape=(self.n + 1, self.n + 1))


def integrate(
    grid: SizeGrid,
    y0: np.ndarray,
    t_span: tuple[float, float],
    env: Environment,
    molar_volume_m3_mol: float,
    t_eval: np.ndarray | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-10,
    max_step: float = np.inf,
):
    """Integrate the population balance over ``t_span`` [s].

    Parameters
    ----------
    grid : SizeGrid
    y0 : ndarray, shape (n_bins + 1,)
        Amount of CsPbI3 per bin [mol/m^3] followed by the monomer concentration [mol/m^3].
    t_span : (float, float)
        Start and end time [s].
    env : callable
        ``env(t_s, surface_area_m2_per_m3) -> Rates``.
    molar_volume_m3_mol : float
        Molar volume of the solid [m^3/mol].
    t_eval : ndarray, optional
        Output times [s] (default: the solver's own steps).

    Returns
    -------
    t_s : ndarray, shape (k,)
    y : ndarray, shape (k, n_bins + 1)
    """
    y0 = np.asarray(y0, dtype=float)
    if y0.shape != (grid.n_bins + 1,):
        raise InputError(f"y0 must have shape ({grid.n_bins + 1},), got {y0.shape}")
    model = _Model(grid, env, molar_volume_m3_mol)
    sol = solve_ivp(
        model.rhs, t_span, y0, method="BDF", jac=model.jac, t_eval=t_eval, rtol=rtol, atol=atol, max_step=max_step
    )
    if not sol.success:  # pragma: no cover - solver failure is reported, not hidden
        raise RuntimeError(f"population balance integration failed: {sol.message}")
    return sol.t, sol.y.T
