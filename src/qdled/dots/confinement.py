"""Size -> exciton energy of CsPbI3 nanocrystals: a registry of confinement models.

Models (``method=``):

``"infinite-well"``
    Naive parabolic effective-mass particle-in-a-box: E = Eg + hbar^2 k^2 / (2 mu), no Coulomb term.
``"brus"``
    Brus (1984) strong-confinement form: parabolic kinetic energy of electron and hole plus the first-order
    Coulomb term -1.786 e^2 / (4 pi eps0 eps R) for a sphere of radius R; for a cube the same first-order term
    is -3.048 e^2 / (4 pi eps0 eps L) (:data:`CUBE_COULOMB`).
``"kane"``
    Nonparabolic two-band Kane effective-mass model in the spirit of Sercel, Lyons, Bernstein & Efros (2019):
    each carrier has the energy-dependent mass m0/m(eps) = alpha + (Ep/3)/(Eg + eps), with alpha fixed so
    that m(0) is the band-edge mass; the confined energy eps = hbar^2 k^2 / (2 m(eps)) is solved in closed form
    (a quadratic). Coulomb: first order (as ``"brus"``) plus the second-order (correlation) constant -0.248 Ry*
    of Kayanuma (1988) (derived for spheres; used for cubes too). For large dots the energy switches to the
    weak-confinement (exciton centre-of-mass) form Eg - Eb + hbar^2 k^2 / (2 M), M = m_e + m_h
    (see :func:`confinement_energy`). With Ep -> 0 at fixed
    band-edge masses the nonparabolicity vanishes and the model reduces to ``"brus"`` (minus the Kayanuma
    constant); this is the Brus limit checked in the tests. (At fixed band-edge masses a larger Ep means a
    larger Kane share of the inverse mass and hence *more* nonparabolicity, whose energy scale is Eg; so the
    parabolic limit is Ep -> 0 here, or equivalently Eg -> infinity in the nonparabolic term.)

Shapes: ``"cube"`` (edge L, ground state k^2 = 3 pi^2 / L^2) and ``"sphere"`` of equal volume
(R = L (3 / 4 pi)^(1/3), k = pi / R).

The closed-form kernels are written here (not taken from a library) because no maintained Python package
implements perovskite-nanocrystal confinement; they are a few vectorised NumPy lines.

``edge_offset_nm`` adds a constant to the edge length before confinement is evaluated (finite barrier:
the wave function leaks into the ligand shell, so the effective box is larger than the TEM edge). It is the
one size-calibration parameter of the ``"kane"`` model (see :data:`qdled.dots.CALIBRATED`); the other models
default to 0.

References
----------
.. [1] Brus, L. E. Electron-electron and electron-hole interactions in small semiconductor crystallites.
   J. Chem. Phys. 80, 4403 (1984).
.. [2] Kayanuma, Y. Quantum-size effects of interacting electrons and holes in semiconductor microcrystals
   with spherical shape. Phys. Rev. B 38, 9797 (1988).
.. [3] Sercel, P. C., Lyons, J. L., Bernstein, N. & Efros, Al. L. Quasicubic model for metal halide perovskite
   nanocrystals. J. Chem. Phys. 151, 234106 (2019).
.. [4] Kane, E. O. Band structure of indium antimonide. J. Phys. Chem. Solids 1, 249 (1957).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import constants as _c
from scipy.optimize import brentq, minimize_scalar

from qdled.dots.calibration import CALIBRATED
from qdled.errors import InputError
from qdled.materials import cspbi3

#: hbar^2 / (2 m0) in eV nm^2.
_H2_2M0 = _c.hbar**2 / (2 * _c.m_e) / _c.e * 1e18
#: e^2 / (4 pi eps0) in eV nm.
_E2 = _c.e / (4 * _c.pi * _c.epsilon_0) * 1e9
#: Equal-volume sphere radius / cube edge.
SPHERE_RADIUS_PER_EDGE = (3.0 / (4.0 * np.pi)) ** (1.0 / 3.0)
#: Brus first-order Coulomb coefficient for the 1S-1S state of a sphere [1]: <R / |r_e - r_h|>.
BRUS_COULOMB = 1.786
#: First-order Coulomb coefficient <L / |r_e - r_h|> of the (1,1,1) ground state of a cube of edge L
#: (product of sin^2 densities), computed for this package by adaptive quadrature (3.0478) and checked by
#: Monte Carlo in the tests. The equal-volume sphere value 1.786 / (3 / 4 pi)^(1/3) = 2.879 is 5.5 % lower.
CUBE_COULOMB = 3.048
#: Second-order (correlation) energy in units of the exciton Rydberg, strong confinement [2].
KAYANUMA_CORRELATION = 0.248
#: Confined levels (k^2 in units of pi^2 / L^2 for a cube; (k R / pi)^2 for a sphere) and degeneracies.
_CUBE_LEVELS = ((3.0, 1), (6.0, 3), (9.0, 3), (11.0, 3), (12.0, 1), (14.0, 6))
_SPHERE_LEVELS = (
    (1.0, 1),
    ((4.4934 / np.pi) ** 2, 3),
    ((5.7635 / np.pi) ** 2, 5),
    (4.0, 1),
    ((6.9879 / np.pi) ** 2, 7),
    ((7.7253 / np.pi) ** 2, 3),
)

METHODS = ("kane", "brus", "infinite-well")
SHAPES = ("cube", "sphere")


@dataclass(frozen=True)
class BandParameters:
    """Material parameters of the confinement models (SI-free: eV, nm, m0).

    Defaults from :mod:`qdled.materials.cspbi3`.
    """

    bandgap_eV: float = cspbi3.BANDGAP_BULK_EV
    electron_mass_m0: float = cspbi3.ELECTRON_MASS_M0
    hole_mass_m0: float = cspbi3.HOLE_MASS_M0
    kane_energy_eV: float = cspbi3.KANE_ENERGY_EV
    dielectric: float = cspbi3.DIELECTRIC_EFFECTIVE
    exciton_binding_eV: float = cspbi3.EXCITON_BINDING_EV

    @property
    def reduced_mass_m0(self) -> float:
        return self.electron_mass_m0 * self.hole_mass_m0 / (self.electron_mass_m0 + self.hole_mass_m0)

    @property
    def rydberg_eV(self) -> float:
        """Exciton Rydberg with the Coulomb dielectric constant, Ry* = 13.6 eV mu / eps^2."""
        ry = _c.physical_constants["Rydberg constant times hc in eV"][0]
        return ry * self.reduced_mass_m0 / self.dielectric**2


def _kane_fraction(mass_m0: float, p: BandParameters) -> float:
    """Share of the band-edge inverse mass due to the Kane coupling, (Ep / 3 Eg) m / m0, clipped to [0, 1]."""
    return float(np.clip(p.kane_energy_eV / (3.0 * p.bandgap_eV) * mass_m0, 0.0, 1.0))


def _carrier_energy(k2_per_nm2, mass_m0: float, p: BandParameters, nonparabolic: bool):
    """Kinetic energy [eV] of one confined carrier with wave number squared ``k2_per_nm2``.

    Nonparabolic: eps = K [(1 - f) + f Eg / (Eg + eps)], K = hbar^2 k^2 / (2 m), solved as the positive root of
    eps^2 + eps (Eg - K (1 - f)) - K Eg = 0. f = 0 gives eps = K (parabolic).
    """
    kin = _H2_2M0 * k2_per_nm2 / mass_m0
    if not nonparabolic:
        return kin
    f = _kane_fraction(mass_m0, p)
    eg = p.bandgap_eV
    b = eg - kin * (1.0 - f)
    return 0.5 * (-b + np.sqrt(b * b + 4.0 * kin * eg))


def _geometry(edge_nm, shape: str):
    """(k^2 unit [1/nm^2] for the level table, first-order <1/r_eh> [1/nm], level table)."""
    if shape == "cube":
        return np.pi**2 / edge_nm**2, CUBE_COULOMB / edge_nm, _CUBE_LEVELS
    radius = SPHERE_RADIUS_PER_EDGE * edge_nm
    return np.pi**2 / radius**2, BRUS_COULOMB / radius, _SPHERE_LEVELS


def _strong(edge_nm, method: str, shape: str, p: BandParameters, level: int = 0):
    k2_unit, inv_r, levels = _geometry(edge_nm, shape)
    k2 = k2_unit * levels[level][0]
    nonparabolic = method == "kane"
    energy = (
        p.bandgap_eV
        + _carrier_energy(k2, p.electron_mass_m0, p, nonparabolic)
        + _carrier_energy(k2, p.hole_mass_m0, p, nonparabolic)
    )
    if method == "infinite-well":
        return energy
    energy = energy - _E2 * inv_r / p.dielectric
    if method == "kane":
        energy = energy - KAYANUMA_CORRELATION * p.rydberg_eV
    return energy


@lru_cache(maxsize=64)
def _switch_edge_nm(method: str, shape: str, p: BandParameters) -> float:
    """Edge [nm] at which the strong-confinement energy has its minimum (beyond it, Coulomb ~ 1/L wins)."""
    res = minimize_scalar(
        lambda x: float(_strong(np.exp(x), method, shape, p)),
        bounds=(np.log(1.0), np.log(1e4)),
        method="bounded",
        options={"xatol": 1e-9},
    )
    return float(np.exp(res.x))


def _check(method: str, shape: str) -> None:
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    if shape not in SHAPES:
        raise InputError(f"shape must be one of {SHAPES}, got {shape!r}")


def default_edge_offset_nm(method: str) -> float:
    """Calibrated edge offset for ``"kane"`` (see :data:`qdled.dots.CALIBRATED`); 0 for the other models."""
    return CALIBRATED["edge_offset_nm"].value if method == "kane" else 0.0


def _as_edge(edge_nm) -> np.ndarray:
    edge = np.asarray(edge_nm, dtype=float)
    if not np.all(np.isfinite(edge)) or np.any(edge <= 0):
        raise InputError(f"edge_nm must be finite and > 0, got {edge_nm!r}")
    if np.all(edge < 0.3):  # all below one PbI6 octahedron: almost certainly metres or micrometres given as nm
        raise InputError(f"edge_nm must be in nanometres (>= 0.3 nm, about one PbI6 octahedron), got {edge_nm!r}")
    return edge


def confinement_energy(
    edge_nm,
    method: str = "kane",
    *,
    shape: str = "cube",
    params: BandParameters | None = None,
    edge_offset_nm: float | None = None,
    level: int = 0,
):
    """Energy [eV] of the lowest (``level=0``) or a higher excitonic transition of a CsPbI3 nanocrystal.

    Parameters
    ----------
    edge_nm : float or array
        Cube edge length [nm] (for ``shape="sphere"`` the sphere has the volume of this cube).
    method : {"kane", "brus", "infinite-well"}
    shape : {"cube", "sphere"}
    params : BandParameters, optional
        Material parameters; default CsPbI3 from :mod:`qdled.materials.cspbi3`.
    edge_offset_nm : float, optional
        Added to the edge before evaluating (effective confinement size). Default: calibrated value for
        ``"kane"``, 0 otherwise.
    level : int
        0 = band-edge (1S-1S) transition; 1.. = higher transitions between equal-envelope electron and hole
        states (cube (2,1,1), (2,2,1), ...; sphere 1P, 1D, 2S, ...), same first-order Coulomb shift assumed.

    Returns
    -------
    ndarray
        Transition energy [eV]. Decreases monotonically with size. For ``"brus"`` and ``"kane"``, beyond the
        edge ``L_s`` where the strong-confinement energy has its minimum ``E_s`` (~46 nm for CsPbI3), the
        confinement energy above the bulk exciton falls with the weak-confinement (centre-of-mass) scaling,
        ``Eg - Eb + (E_s - Eg + Eb) (L_s / L)^2``: continuous at ``L_s`` (taking the bare centre-of-mass energy
        there jumped by 5-9 meV) and tending to the bulk exciton Eg - Eb for large dots.

    References
    ----------
    Brus, J. Chem. Phys. 80, 4403 (1984); Kayanuma, Phys. Rev. B 38, 9797 (1988); Sercel et al.,
    J. Chem. Phys. 151, 234106 (2019).
    """
    _check(method, shape)
    if not 0 <= int(level) < len(_CUBE_LEVELS):
        raise InputError(f"level must be in 0..{len(_CUBE_LEVELS) - 1}, got {level!r}")
    p = params or BandParameters()
    offset = default_edge_offset_nm(method) if edge_offset_nm is None else float(edge_offset_nm)
    edge = _as_edge(edge_nm) + offset
    if np.any(edge <= 0):
        raise InputError(f"edge_nm + edge_offset_nm must be > 0, got offset {offset}")
    strong = _strong(edge, method, shape, p, level)
    if method == "infinite-well":
        return strong
    l_switch = _switch_edge_nm(method, shape, p)
    floor = _strong(np.asarray(l_switch), method, shape, p, level)
    e_x = p.bandgap_eV - p.exciton_binding_eV
    weak = e_x + (floor - e_x) * (l_switch / edge) ** 2  # continuous at the switch, centre-of-mass 1/L^2 beyond
    return np.where(edge <= l_switch, strong, weak)


def size_from_energy(
    energy_eV: float,
    method: str = "kane",
    *,
    shape: str = "cube",
    params: BandParameters | None = None,
    edge_offset_nm: float | None = None,
    bounds_nm: tuple[float, float] = (1.0, 200.0),
) -> float:
    """Edge length [nm] whose band-edge transition energy equals ``energy_eV`` (inverse of
    :func:`confinement_energy`, by :func:`scipy.optimize.brentq`).

    Raises
    ------
    InputError
        If the energy is outside the range spanned by ``bounds_nm``.
    """
    _check(method, shape)
    e = float(energy_eV)
    lo, hi = bounds_nm

    def g(x):
        return float(confinement_energy(x, method, shape=shape, params=params, edge_offset_nm=edge_offset_nm)) - e

    g_lo, g_hi = g(lo), g(hi)
    if not (g_lo >= 0 >= g_hi):
        e_hi, e_lo = g_lo + e, g_hi + e
        raise InputError(f"energy_eV must lie in [{e_lo:.4f}, {e_hi:.4f}] eV for {bounds_nm} nm, got {energy_eV!r}")
    return float(brentq(g, lo, hi, xtol=1e-9))


def image_self_energy_eV(r_nm, radius_nm: float, eps_in: float, eps_out: float, *, n_terms: int = 400):
    """Self-polarisation (image) energy [eV] of a unit charge at distance ``r_nm`` from the centre of a sphere of
    radius ``radius_nm`` and permittivity ``eps_in`` in a medium ``eps_out`` (Brus 1984):
    (e^2 / 2 eps_in R) sum_n (n + 1)(eps_in - eps_out) / (n eps_in + (n + 1) eps_out) (r / R)^(2n).

    At the centre only n = 0 remains (the Born energy (e^2 / 2R)(1/eps_out - 1/eps_in)); close to the surface
    the sum tends to the planar image-charge energy (series truncated after ``n_terms`` terms).

    References
    ----------
    Brus, J. Chem. Phys. 80, 4403 (1984); Jackson, Classical Electrodynamics, 3rd ed., sec. 4.4.
    """
    x = np.asarray(r_nm, dtype=float)[..., None] / float(radius_nm)
    if np.any(x >= 1) or np.any(x < 0):
        raise InputError("r_nm must lie inside the sphere (0 <= r < radius_nm)")
    n = np.arange(int(n_terms), dtype=float)
    c = (n + 1.0) * (eps_in - eps_out) / (n * eps_in + (n + 1.0) * eps_out)
    return _E2 / (2.0 * eps_in * float(radius_nm)) * np.sum(c * x ** (2.0 * n), axis=-1)


@lru_cache(maxsize=8)
def _envelope_moments(n_terms: int) -> np.ndarray:
    """<(r/R)^(2n)> for n = 1 .. n_terms - 1 over the radial density 2 sin^2(pi r / R) of the 1S envelope
    (200-point Gauss-Legendre)."""
    x, wq = np.polynomial.legendre.leggauss(200)
    x, wq = 0.5 * (x + 1.0), 0.5 * wq
    density = 2.0 * np.sin(np.pi * x) ** 2
    n = np.arange(1, n_terms, dtype=float)
    out = (wq * density) @ (x[:, None] ** (2.0 * n[None, :]))
    out.setflags(write=False)
    return out


def _reaction_coefficients(n, r1: float, r2: float, e1: float, e2: float, e3: float):
    """a_n [1/nm^(2n+1)]: the reaction potential inside a sphere (e1, radius r1) coated by a shell (e2, to r2) in a
    medium e3, of a unit charge at r0, is sum_n a_n r0^n r^n P_n(cos gamma) (e^2 = 1). Solves the four
    continuity conditions (potential and normal D at r1 and r2) for each multipole order n."""
    n = np.asarray(n, dtype=float)
    m = np.zeros(n.shape + (4, 4))
    rhs = np.zeros(n.shape + (4,))
    # unknowns (A, B, C, D): phi1 = r0^n/(e1 r^(n+1)) + A r^n, phi2 = B r^n + C r^-(n+1), phi3 = D r^-(n+1)
    m[..., 0, :] = np.stack([r1**n, -(r1**n), -(r1 ** -(n + 1)), 0 * n], -1)
    rhs[..., 0] = -(r1 ** -(n + 1)) / e1
    m[..., 1, :] = np.stack([e1 * n * r1 ** (n - 1), -e2 * n * r1 ** (n - 1), e2 * (n + 1) * r1 ** -(n + 2), 0 * n], -1)
    rhs[..., 1] = (n + 1) * r1 ** -(n + 2)
    m[..., 2, :] = np.stack([0 * n, r2**n, r2 ** -(n + 1), -(r2 ** -(n + 1))], -1)
    m[..., 3, :] = np.stack(
        [0 * n, e2 * n * r2 ** (n - 1), -e2 * (n + 1) * r2 ** -(n + 2), e3 * (n + 1) * r2 ** -(n + 2)], -1
    )
    return np.linalg.solve(m, rhs[..., None])[..., 0, 0]


def polarization_energy_eV(
    edge_nm,
    eps_out: float,
    *,
    eps_in: float | None = None,
    shell_nm: float = 0.0,
    eps_shell: float | None = None,
    method: str = "kane",
    edge_offset_nm: float | None = None,
    n_terms: int = 120,
):
    """First-order dielectric-confinement (polarisation) energy [eV] of the band-edge exciton of a dot in a
    medium of permittivity ``eps_out``, optionally behind a ligand shell (``shell_nm`` thick, ``eps_shell``):
    the image self-energies of electron and hole minus their image-mediated attraction, both carriers in the 1S
    envelope sin(pi r / R) / r of the equal-volume sphere (Brus 1984; shell: same multipole expansion with
    continuity at both interfaces).

    For s-states the n = 0 (Born) terms of the self-energies and of the attraction cancel, leaving
    e^2 sum_{n>=1} a_n R^(2n) <(r/R)^(2n)>; without a shell a_n R^(2n+1) = (n + 1)(eps_in - eps_out) /
    (eps_in (n eps_in + (n + 1) eps_out)) (positive, a blue shift, for eps_out < eps_in).
    :func:`confinement_energy` contains no environment term: a change of surroundings shifts the exciton by the
    difference of this energy between the two media.

    Parameters
    ----------
    edge_nm : float
        Cube edge [nm]; the effective edge (plus ``edge_offset_nm``, default that of ``method``) sets R.
    eps_out : float
        Permittivity of the surroundings (hexane 1.89; a dot film: an effective medium).
    eps_in : float, optional
        Permittivity of the dot; default the Coulomb-term constant of :class:`BandParameters` (consistent with the
        first-order Coulomb term of the confinement model).
    shell_nm, eps_shell
        Ligand shell between dot and surroundings (default none).

    References
    ----------
    Brus, L. E. J. Chem. Phys. 80, 4403 (1984).
    """
    _check(method, "sphere")
    e_in = BandParameters().dielectric if eps_in is None else float(eps_in)
    e_sh = float(eps_out) if eps_shell is None else float(eps_shell)
    for name, v in (("eps_out", eps_out), ("eps_in", e_in), ("eps_shell", e_sh)):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"{name} must be finite and > 0, got {v!r}")
    if not (np.isfinite(shell_nm) and shell_nm >= 0):
        raise InputError(f"shell_nm must be finite and >= 0, got {shell_nm!r}")
    offset = default_edge_offset_nm(method) if edge_offset_nm is None else float(edge_offset_nm)
    radius = float(SPHERE_RADIUS_PER_EDGE * (float(_as_edge(edge_nm)) + offset))
    n = np.arange(1, int(n_terms), dtype=float)
    moments = _envelope_moments(int(n_terms))  # <(r/R)^(2n)>, n = 1 .. n_terms - 1
    a = _reaction_coefficients(n, radius, radius + float(shell_nm), e_in, e_sh, float(eps_out))
    return _E2 * float(np.sum(a * radius ** (2.0 * n) * moments))
