"""Periodic CsPbI3 (100) surface slab and ligand ion pairs, built with ASE.

Surface model
-------------
Cubic CsPbI3 (a = 6.289 A, ref. [1]) cut normal to [001]; the (001), (010) and (100) planes
of the cubic cell are equivalent, so this is "the (100) surface". Atomic planes alternate
CsI (Cs on the A-site at (0, 0), I at (1/2, 1/2)) and PbI2 (Pb at (1/2, 1/2), I at
(1/2, 0) and (0, 1/2)). The slab has ``n_layers`` planes (odd), CsI on both faces, in an
``lateral x lateral`` surface supercell with ``vacuum_A`` of vacuum along z, periodic in all
three directions (tblite needs a 3D cell; the vacuum decouples the slabs).

Why CsI-terminated: DFT on CsPbX3 nanocrystal models finds the CsX-terminated facets the
stable, trap-free ones, with the native ligands replacing surface Cs/X ions (refs. [2], [3]);
experiments (synchrotron XPS + NMR, ref. [4]) find oleylammonium substituting surface Cs+;
and slab DFT of CsPbI3 itself finds the CsI-terminated (001) surface stable over the
chemical potentials where bulk CsPbI3 exists (ref. [5]). The PbI2-terminated face exposes
under-coordinated Pb-I and is not the nanocrystal surface. The CsI-terminated slab is not
stoichiometric (n CsPbI3 + 1 CsI per surface cell) but charge-neutral, as a slab must be
under periodic boundary conditions.

Binding site and ligand pairs (the neutral ion-pair picture of refs. [2], [3])
--------------------------------------------------------------------------------
One surface Cs+ (A-site at (0, 0)) and the neighbouring surface I- (the apical iodide on top
of the Pb at (1/2, 1/2)) are removed: a neutral CsI vacancy pair exposing a five-coordinated
Pb. Each ligand enters as a neutral ion pair C+ X-: the anion X- on the apical site above that
Pb (binding atom on the Pb-I axis), the cation C+ on the empty A-site. The pairs follow the
chemistry the paper describes (NSA protonates OAm, NH4+ replaces OAmH+, ref. [6]):

- ``OAm``: methylammonium iodide CH3NH3+ I-      (oleylammonium iodide; short chain)
- ``OA``:  methylammonium acetate CH3NH3+ CH3COO- (oleylammonium oleate; short chains)
- ``NSA``: methylammonium 2-naphthalenesulfonate CH3NH3+ C10H7SO3- (the sulfonate is NSA's own)
- ``PF6``: ammonium hexafluorophosphate NH4+ PF6- (the salt as added)

Coverage: one pair per ``lateral x lateral`` surface cell, i.e. 1/4 of the surface CsI pairs
for the 2x2 cell (1/9 for 3x3).

References
----------
.. [1] Sutton, R. J. et al. ACS Energy Lett. 3, 1787 (2018) (cubic lattice constant).
.. [2] ten Brinck, S. & Infante, I. Surface termination, morphology, and bright
   photoluminescence of cesium lead halide perovskite nanocrystals. ACS Energy Lett. 1,
   1266 (2016).
.. [3] Bodnarchuk, M. I. et al. Rationalizing and controlling the surface structure and
   electronic passivation of cesium lead halide nanocrystals. ACS Energy Lett. 4, 63 (2019).
.. [4] Ravi, V. K. et al. Origin of the substitution mechanism for the binding of organic
   ligands on the surface of CsPbBr3 perovskite nanocubes. J. Phys. Chem. Lett. 8, 4988 (2017).
.. [5] DFT study of surface stability and phase diagram of orthorhombic CsPbI3,
   arXiv:2411.01599 (2024): CsI-terminated (001) stable within the bulk stability region.
.. [6] Li, Y. et al. Nat. Commun. 15, 5696 (2024).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from ase import Atoms

from qdled.errors import InputError

from . import structures

A = structures.LATTICE_CONSTANT_A

#: Supported numbers of atomic planes (CsI / PbI2 alternating, CsI outside).
SLAB_LAYERS = (3, 5, 7)
#: Supported lateral supercells (surface cells per edge).
SLAB_LATERAL = (1, 2, 3)

#: Formal oxidation states used for the neutrality check.
FORMAL_CHARGE = {"Cs": 1, "Pb": 2, "I": -1}

#: Initial distance [A] from the exposed Pb to the anion's binding atom (Pb-I is a/2 in the bulk;
#: Pb-O and Pb-F typical of Pb(II) carboxylates/sulfonates and fluorides).
PB_X_START_A = {"I": A / 2, "O": 2.50, "F": 2.60}


def _check(name: str, value, allowed) -> int:
    if value not in allowed:
        raise InputError(f"{name} must be one of {allowed}, got {value!r}")
    return int(value)


def slab(n_layers: int = 5, lateral: int = 2, vacuum_A: float = 25.0) -> Atoms:
    """CsI-terminated cubic CsPbI3 (100) slab, periodic in x, y (and z, across ``vacuum_A``).

    Parameters
    ----------
    n_layers : atomic planes, odd (3: CsI/PbI2/CsI, 5, 7).
    lateral : surface cells per in-plane edge (2 -> 2x2 supercell).
    vacuum_A : vacuum thickness along z [angstrom].

    Returns
    -------
    ase.Atoms with ``pbc=True``, bottom plane at z = 0, formula Cs_{m+1}Pb_m I_{3m+1} per surface
    cell with m = (n_layers - 1) / 2; charge 0.

    References
    ----------
    See the module docstring ([1] lattice constant, [2]-[5] termination).
    """
    n_layers = _check("n_layers", n_layers, SLAB_LAYERS)
    lateral = _check("lateral", lateral, SLAB_LATERAL)
    if not np.isfinite(vacuum_A) or vacuum_A < 10.0:
        raise InputError(f"vacuum_A must be >= 10 angstrom, got {vacuum_A!r}")
    cells = [(i, j) for i in range(lateral) for j in range(lateral)]
    symbols: list[str] = []
    frac: list[tuple[float, float, float]] = []
    for k in range(n_layers):
        z = k / 2
        for i, j in cells:
            if k % 2 == 0:  # CsI plane
                symbols += ["Cs", "I"]
                frac += [(i, j, z), (i + 0.5, j + 0.5, z)]
            else:  # PbI2 plane
                symbols += ["Pb", "I", "I"]
                frac += [(i + 0.5, j + 0.5, z), (i, j + 0.5, z), (i + 0.5, j, z)]
    height = (n_layers - 1) / 2 * A + vacuum_A
    return Atoms(symbols, positions=np.array(frac) * A, cell=[lateral * A, lateral * A, height], pbc=True)


def formal_charge(atoms: Atoms) -> int:
    """Sum of formal oxidation states (Cs +1, Pb +2, I -1) of a slab; 0 for a neutral slab."""
    sym = atoms.get_chemical_symbols()
    unknown = sorted(set(sym) - set(FORMAL_CHARGE))
    if unknown:
        raise InputError(f"no formal charge for {unknown}")
    return int(sum(FORMAL_CHARGE[s] for s in sym))


def excess_csi_per_cell(atoms: Atoms, lateral: int) -> float:
    """CsI units beyond CsPbI3 stoichiometry per surface cell (1 for a CsI-terminated slab)."""
    sym = np.array(atoms.get_chemical_symbols())
    return float(((sym == "Cs").sum() - (sym == "Pb").sum()) / lateral**2)


@dataclass(frozen=True)
class SlabSite:
    """A slab with one surface CsI pair removed.

    ``pb_index``: the exposed Pb; ``x_site_A``: position of the removed apical iodide;
    ``a_site_A``: position of the removed Cs; ``fixed``: mask of the atoms held fixed
    (all but the top CsI plane).
    """

    atoms: Atoms
    pb_index: int
    x_site_A: tuple[float, float, float]
    a_site_A: tuple[float, float, float]
    fixed: tuple[bool, ...]
    n_layers: int
    lateral: int


def vacancy_site(n_layers: int = 5, lateral: int = 2, vacuum_A: float = 25.0) -> SlabSite:
    """The slab of :func:`slab` with the top-plane Cs at (0, 0) and I at (1/2, 1/2) removed (charge 0)."""
    atoms = slab(n_layers, lateral, vacuum_A)
    z_top = (n_layers - 1) / 2 * A
    a_site = np.array([0.0, 0.0, z_top])
    x_site = np.array([0.5 * A, 0.5 * A, z_top])
    pos = atoms.get_positions()
    remove = [int(np.argmin(np.linalg.norm(pos - p, axis=1))) for p in (a_site, x_site)]
    del atoms[sorted(remove)]
    pos = atoms.get_positions()
    pb = int(np.argmin(np.linalg.norm(pos - (x_site - [0.0, 0.0, A / 2]), axis=1)))
    fixed = tuple(bool(f) for f in pos[:, 2] < z_top - 0.5)
    return SlabSite(
        atoms=atoms,
        pb_index=pb,
        x_site_A=tuple(float(v) for v in x_site),
        a_site_A=tuple(float(v) for v in a_site),
        fixed=fixed,
        n_layers=n_layers,
        lateral=lateral,
    )


# --------------------------------------------------------------------------- ion pairs


def _methylammonium() -> Atoms:
    """CH3NH3+ with N at the origin and the C-N bond along +z (N-H pointing down and out)."""
    d_cn, d_nh, d_ch = 1.49, 1.03, 1.09
    t = np.deg2rad(180.0 - 109.47)  # angle of N-H (C-H) to -z (+z)
    phis = np.deg2rad([0.0, 120.0, 240.0])
    h_n = [d_nh * np.array([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), -np.cos(t)]) for p in phis]
    h_c = [
        [0, 0, d_cn]
        + d_ch * np.array([np.sin(t) * np.cos(p + np.pi / 3), np.sin(t) * np.sin(p + np.pi / 3), np.cos(t)])
        for p in phis
    ]
    return Atoms("NCH6", positions=np.vstack([[0, 0, 0], [0, 0, d_cn], h_n, h_c]))


def _ammonium() -> Atoms:
    """NH4+ with N at the origin, one N-H along -z."""
    tetra = np.array(
        [
            [0, 0, -1.0],
            *[
                [np.sin(1.9106) * np.cos(p), np.sin(1.9106) * np.sin(p), -np.cos(1.9106)]
                for p in np.deg2rad([0.0, 120.0, 240.0])
            ],
        ]
    )
    return Atoms("NH4", positions=np.vstack([[0, 0, 0], 1.03 * tetra]))


@dataclass(frozen=True)
class PairSpec:
    """A ligand as a neutral ion pair: cation (A-site) and anion (X-site, binding ``element``)."""

    name: str
    model: str
    cation: Callable[[], Atoms]
    anion: Callable[[], Atoms]
    element: str


SLAB_PAIRS: dict[str, PairSpec] = {
    p.name: p
    for p in (
        PairSpec("OAm", "CH3NH3+ I- (oleylammonium iodide stand-in)", _methylammonium, lambda: Atoms("I"), "I"),
        PairSpec("OA", "CH3NH3+ CH3COO- (oleylammonium oleate stand-in)", _methylammonium, structures._acetate, "O"),
        PairSpec(
            "NSA",
            "CH3NH3+ C10H7SO3- (2-naphthalenesulfonate with oleylammonium stand-in)",
            _methylammonium,
            lambda: structures._naphthalene_2_substituted("SO3"),
            "O",
        ),
        PairSpec("PF6", "NH4+ PF6- (ammonium hexafluorophosphate, as added)", _ammonium, structures._pf6, "F"),
    )
}


def pair_spec(name: str) -> PairSpec:
    """The :class:`PairSpec` of ligand ``name`` (OAm, OA, NSA, PF6)."""
    if name not in SLAB_PAIRS:
        raise InputError(f"unknown slab ligand {name!r}; choose from {sorted(SLAB_PAIRS)}")
    return SLAB_PAIRS[name]


def place_pair(site: SlabSite, name: str) -> Atoms:
    """Slab site + ligand pair: cation N on the empty A-site, anion binding atom above the exposed Pb.

    The anion's binding direction points to -z (towards Pb, :func:`structures.donor_direction`)
    and it is turned about z to the angle that keeps it farthest from all other atoms
    (periodic images included), a purely geometric clash avoidance. Returns slab atoms first,
    then cation, then anion.
    """
    spec = pair_spec(name)
    cation = spec.cation()
    cation.translate(np.array(site.a_site_A) + [0.0, 0.0, 0.3] - cation.positions[0])
    host = site.atoms + cation
    anion = spec.anion()
    k = structures.binding_atom(anion, spec.element)
    anion.translate(-anion.positions[k])
    if len(anion) > 1:
        anion.rotate(structures.donor_direction(anion, k), (0.0, 0.0, -1.0))
    pb = site.atoms.positions[site.pb_index]
    origin = pb + [0.0, 0.0, PB_X_START_A[spec.element]]
    best, best_gap = 0.0, -1.0
    cell = site.atoms.cell.array
    shifts = np.array([i * cell[0] + j * cell[1] for i in (-1, 0, 1) for j in (-1, 0, 1)])
    images = (host.positions[None] + shifts[:, None]).reshape(-1, 3)
    for phi in np.arange(0.0, 360.0, 5.0):
        trial = anion.copy()
        trial.rotate(phi, "z")
        p = trial.positions + origin
        own = (p[None] + shifts[np.any(shifts != 0.0, axis=1)][:, None]).reshape(-1, 3)  # its lateral images
        gap = np.linalg.norm(p[:, None] - np.vstack([images, own])[None], axis=-1).min()
        if gap > best_gap + 1e-9:
            best, best_gap = phi, gap
    anion.rotate(best, "z")
    anion.translate(origin)
    return host + anion


def pair_size(name: str) -> tuple[int, int]:
    """Numbers of atoms of the cation and of the anion of ligand ``name``."""
    spec = pair_spec(name)
    return len(spec.cation()), len(spec.anion())
