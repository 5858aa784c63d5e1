"""Environment of a dot in a close-packed film: ligand shells, packing, effective permittivity, photon
reabsorption in a slab, and the quadratic Stark shift of an applied field.

Used by :mod:`qdled.dots.film`; every function is plain NumPy over arrays.

Model and numbers
-----------------
* **Ligand shell thickness** per ligand (:data:`LIGAND_SHELL_NM`), the shell of a dot is the coverage-weighted
  mean over its ligands (coverages from :func:`qdled.dots.ligand_coverages`). Long OA/OAm chains (fully extended
  oleyl ~2 nm) do not stand straight up on a small dot: molecular dynamics of oleate shells gives a shell of
  about half the ligand length, so that neighbouring dots sit about one ligand length apart [1]: 1.0 nm per
  shell, 2.0 nm edge to edge. PF6- is a small octahedral anion (P-F 0.16 nm plus the F van der Waals radius
  0.15 nm: ~0.6 nm across), taken as 0.5 nm; naphthalene-2-sulfonate standing on its sulfonate is ~0.8 nm
  long (molecular geometry). These are stated estimates, not fits.
* **Packing**: nanocubes assemble face to face into simple-cubic superlattices [2]; centre-to-centre distance
  = edge + two shells. ``"fcc"`` (densest packing of spheres) is offered as an upper bound of the density.
  The Foerster sum over all neighbours of a lattice, sum_j (d / r_j)^6, is the Lennard-Jones lattice sum
  (:data:`LATTICE_SUM_R6`: 8.40192 simple cubic, 14.45392 fcc [3]).
* **Effective permittivity** of the film: Maxwell Garnett, dots (permittivity of the confinement model's dot,
  :attr:`qdled.dots.BandParameters.dielectric`) at volume fraction phi in the ligand matrix [4]; the organic and
  PF6 shells are given the permittivity of a saturated hydrocarbon, 2.1 (n ~ 1.45; assumption). Hexane:
  eps = 1.89 [5].
* **Reabsorption in a slab** (single pass, no cavity): photons emitted uniformly through a slab of thickness
  t and isotropically into all directions travel z / |cos theta| to a face; the absorbed share at absorption
  coefficient alpha is 1 - (1/2 - E3(alpha t)) / (alpha t) (E3: exponential integral [6]). Guided modes (total
  internal reflection) travel much farther in the device and are not in this estimate.
* **Stark shift**: second-order shift of the ground state of an infinite well of width L in a field F along a
  cube axis, -C m e^2 F^2 L^4 / hbar^2 per carrier with C = (15 - pi^2) / (24 pi^4) [7]; the Coulomb
  correlation between electron and hole is neglected (valid for eFL << the confinement energy).

References
----------
.. [1] Morphology of passivating organic ligands around a nanocrystal, arXiv:1706.00844 (2017) (MD: shell
   thickness ~ half the ligand length, dot-to-dot distance ~ one ligand length; checked by TEM on PbS arrays).
.. [2] Raino, G. et al. Superfluorescence from lead halide perovskite quantum dot superlattices. Nature 563,
   671 (2018) (simple-cubic superlattices of CsPbBr3 nanocubes).
.. [3] Kittel, C. Introduction to Solid State Physics, 8th ed., ch. 3 (lattice sums of r^-6: sc 8.40192,
   bcc 12.2533, fcc 14.45392).
.. [4] Maxwell Garnett, J. C. Colours in metal glasses and in metallic films. Phil. Trans. R. Soc. A 203, 385
   (1904); Markel, V. A. J. Opt. Soc. Am. A 33, 1244 (2016) (tutorial).
.. [5] CRC Handbook of Chemistry and Physics, permittivity of n-hexane at 20 degC: 1.89.
.. [6] Abramowitz, M. & Stegun, I. A. Handbook of Mathematical Functions, ch. 5 (E_n(x)).
.. [7] Bastard, G., Mendez, E. E., Chang, L. L. & Esaki, L. Variational calculations on a quantum well in an
   electric field. Phys. Rev. B 28, 3241 (1983) (second-order field shift of a finite/infinite well).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
from scipy import constants as _c
from scipy.special import expn

from qdled.errors import InputError, require_finite_positive

#: Ligand shell thickness per ligand [nm] (module docstring, refs. [1]).
LIGAND_SHELL_NM = MappingProxyType({"OA": 1.0, "OAm": 1.0, "NSA": 0.8, "PF6": 0.5})
#: sum_j (d / r_j)^6 over all sites of a lattice of nearest-neighbour distance d [3].
LATTICE_SUM_R6 = MappingProxyType({"simple-cubic": 8.40192, "fcc": 14.45392})
#: Nearest neighbours of each packing.
NEAREST_NEIGHBOURS = MappingProxyType({"simple-cubic": 6, "fcc": 12})
#: Permittivity of n-hexane [5].
EPS_HEXANE = 1.89
#: Permittivity of the ligand matrix between dots (saturated hydrocarbon, n ~ 1.45; assumption).
EPS_LIGAND = 2.1
#: (15 - pi^2) / (24 pi^4): second-order field shift coefficient of an infinite well [7].
STARK_COEFFICIENT = (15.0 - np.pi**2) / (24.0 * np.pi**4)


def shell_thickness_nm(ligands) -> float:
    """Ligand shell thickness [nm] of a dot: a number (returned), a route name ("NSA-NH4PF6", "OA/OAm") or a
    tuple of ligand names (coverage-weighted mean of :data:`LIGAND_SHELL_NM` over
    :func:`qdled.dots.ligand_coverages`)."""
    if isinstance(ligands, (int, float)) and not isinstance(ligands, bool):
        return require_finite_positive("shell thickness", ligands, allow_zero=True)
    from qdled.dots.photophysics import ligand_coverages

    names = ligands if isinstance(ligands, str) else tuple(ligands)
    cover = ligand_coverages(names)
    missing = [k for k in cover if k not in LIGAND_SHELL_NM]
    if missing:
        raise InputError(f"no shell thickness for ligand(s) {missing}; known: {sorted(LIGAND_SHELL_NM)}")
    total = sum(cover.values())
    return float(sum(theta * LIGAND_SHELL_NM[k] for k, theta in cover.items()) / total)


def packing_constants(packing: str) -> tuple[float, float]:
    """(lattice sum of (d/r)^6, number density x d^3) of ``packing`` ("simple-cubic" or "fcc")."""
    if packing not in LATTICE_SUM_R6:
        raise InputError(f"packing must be one of {sorted(LATTICE_SUM_R6)}, got {packing!r}")
    return LATTICE_SUM_R6[packing], (1.0 if packing == "simple-cubic" else np.sqrt(2.0))


def volume_fraction(edge_nm, centre_distance_nm, packing: str = "simple-cubic"):
    """Volume fraction of cubes of edge ``edge_nm`` on a lattice of nearest-neighbour distance
    ``centre_distance_nm``: density x d^3 x (L / d)^3."""
    _, density = packing_constants(packing)
    return density * (np.asarray(edge_nm, dtype=float) / np.asarray(centre_distance_nm, dtype=float)) ** 3


def maxwell_garnett(eps_inclusion, eps_matrix, fraction):
    """Maxwell Garnett effective permittivity of spheres (eps_inclusion) at volume ``fraction`` in a matrix [4]:
    eps_m (1 + 2 f beta) / (1 - f beta), beta = (eps_i - eps_m) / (eps_i + 2 eps_m)."""
    f = np.asarray(fraction, dtype=float)
    if np.any((f < 0) | (f > 1)):
        raise InputError(f"fraction must be in [0, 1], got {fraction!r}")
    beta = (eps_inclusion - eps_matrix) / (eps_inclusion + 2.0 * eps_matrix)
    return eps_matrix * (1.0 + 2.0 * f * beta) / (1.0 - f * beta)


def slab_absorbed_fraction(alpha_per_nm, thickness_nm):
    """Share of photons emitted uniformly and isotropically in a slab that is absorbed before reaching a face
    (single pass): 1 - (1/2 - E3(x)) / x with x = alpha t (module docstring)."""
    t = require_finite_positive("thickness_nm", thickness_nm)
    x = np.asarray(alpha_per_nm, dtype=float) * t
    if np.any(x < 0):
        raise InputError("alpha_per_nm must be >= 0")
    small = x < 1e-8
    safe = np.where(small, 1.0, x)
    out = 1.0 - (0.5 - expn(3, safe)) / safe
    return np.where(small, 0.5 * x * (1.5 - np.euler_gamma - np.log(np.maximum(x, 1e-300))), out)


def stark_shift_eV(edge_nm, field_V_per_m, *, electron_mass_m0: float | None = None, hole_mass_m0=None):
    """Quadratic Stark shift [eV] (negative) of the band-edge exciton of a cube of edge ``edge_nm`` in a field
    along a cube axis: -C (m_e + m_h) e^2 F^2 L^4 / hbar^2, C = :data:`STARK_COEFFICIENT` [7]."""
    from qdled.materials import cspbi3

    me = cspbi3.ELECTRON_MASS_M0 if electron_mass_m0 is None else electron_mass_m0
    mh = cspbi3.HOLE_MASS_M0 if hole_mass_m0 is None else hole_mass_m0
    edge_m = np.asarray(edge_nm, dtype=float) * 1e-9
    field = np.asarray(field_V_per_m, dtype=float)
    mass = (me + mh) * _c.m_e
    return -STARK_COEFFICIENT * mass * (_c.e * field) ** 2 * edge_m**4 / _c.hbar**2 / _c.e
