"""Atomic models of a CsPbI3 surface site and of the ligands, built with ASE.

Surface model
-------------
A charge-neutral cluster cut from the cubic perovskite lattice (a = 6.289 A, ref. [1]):
an ``n x n`` layer of complete corner-sharing [PbI6] octahedra with Cs on A-sites above
and below the layer. Both (001) faces are therefore CsI-terminated (Cs beside the apical
iodides), the termination usually found on CsPbX3 nanocrystals (ref. [2]). Neutrality
fixes the number of Cs, ``n_I - 2 n_Pb``; Cs go first to the A-sites with the most Pb
neighbours (bulk-like sites), ties broken by a checkerboard parity rule. ``n = 1`` gives
Cs4PbI6 (11 atoms, Cs tetrahedral), ``n = 3`` gives Cs24Pb9I42 (75 atoms, D4h).

Binding site: the apical iodide on top of the central Pb is removed, leaving a
five-coordinated Pb over an iodide vacancy (V_I+, total cluster charge +1). Every ligand
binds to this same Pb along +z: neutral L-type ligands (amine, acids) by a donor atom,
anionic X-type ligands by filling the vacancy (complex charge 0). The paper describes
its ligands as binding "with Pb atoms on the surface" (ref. [3]).

Ligand models (each a short stand-in for the paper's ligand; charge per fragment stated)
----------------------------------------------------------------------------------------
- ``OAm``: oleylamine -> methylamine CH3NH2, neutral, binds by N (ref. [3] calls the
  weak ligand "OAm", the neutral amine).
- ``OA``: oleic acid -> acetic acid CH3COOH, neutral, binds by the carbonyl O.
- ``NSA``: 2-naphthalenesulfonic acid C10H7SO3H, neutral, binds by an S=O oxygen
  (ref. [3]: "the sulfonic acid group has stronger binding energy with Pb").
- ``PF6``: PF6-, charge -1, binds by F into the iodide vacancy (ref. [3]: "PF6 anions").
- ``OA-`` (acetate), ``NSA-`` (2-naphthalenesulfonate), ``I-`` (iodide refilling its own
  vacancy): anionic variants, and ``NH4PF6`` (the neutral ion pair binding by F), to show
  how much the charge state, not the chemistry, sets the energy on this site.

References
----------
.. [1] Sutton, R. J. et al. ACS Energy Lett. 3, 1787 (2018) (cubic lattice constant).
.. [2] Bodnarchuk, M. I. et al. Rationalizing and controlling the surface structure and
   electronic passivation of cesium lead halide nanocrystals. ACS Energy Lett. 4, 63 (2019).
.. [3] Li, Y. et al. Nat. Commun. 15, 5696 (2024).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from ase import Atoms
from ase.build import molecule

from qdled.errors import InputError
from qdled.materials.cspbi3 import LATTICE_CONSTANT_M

#: Cubic lattice constant in angstrom.
LATTICE_CONSTANT_A = LATTICE_CONSTANT_M * 1e10

#: Cluster sizes (Pb per in-plane edge) that are supported.
CLUSTER_SIZES = (1, 2, 3)


@dataclass(frozen=True)
class SurfaceSite:
    """A surface model with an open Pb site: atoms, charge, index of the Pb, fixed-core mask."""

    atoms: Atoms
    charge: int
    pb_index: int
    n: int


def cluster(n: int = 1) -> Atoms:
    """Neutral CsI-terminated Cs_xPb_{n^2}I_y cluster (one octahedra layer, see module doc).

    Parameters
    ----------
    n : number of Pb per in-plane edge (1, 2 or 3).

    Returns
    -------
    ase.Atoms, positions in angstrom, Pb layer at z = 0, charge 0.
    """
    if n not in CLUSTER_SIZES:
        raise InputError(f"cluster size n must be one of {CLUSTER_SIZES}, got {n!r}")
    pb = np.array([(i, j, 0.0) for i in range(n) for j in range(n)])
    steps = np.vstack([np.eye(3) * 0.5, -np.eye(3) * 0.5])
    iodide = np.unique(np.round((pb[:, None, :] + steps[None]).reshape(-1, 3), 3), axis=0)
    sites = np.array([(i + 0.5, j + 0.5, k) for i in range(-1, n) for j in range(-1, n) for k in (-0.5, 0.5)])
    n_pb_neighbours = (np.abs(sites[:, None, :] - pb[None]) < 0.6).all(axis=2).sum(axis=1)
    parity = np.round(sites[:, 0] + sites[:, 1] + sites[:, 2] + 0.5).astype(int) % 2
    order = np.lexsort((sites[:, 0], sites[:, 1], sites[:, 2], parity, -n_pb_neighbours))
    n_cs = len(iodide) - 2 * len(pb)
    cs = sites[order[:n_cs]]
    symbols = ["Pb"] * len(pb) + ["I"] * len(iodide) + ["Cs"] * n_cs
    return Atoms(symbols, positions=np.vstack([pb, iodide, cs]) * LATTICE_CONSTANT_A)


def surface_site(n: int = 1) -> SurfaceSite:
    """The cluster of size ``n`` with the apical iodide above its central Pb removed (charge +1)."""
    atoms = cluster(n)
    pos = atoms.get_positions()
    sym = np.array(atoms.get_chemical_symbols())
    centre = pos[sym == "Pb"].mean(axis=0)
    pb_candidates = np.flatnonzero(sym == "Pb")
    pb = pb_candidates[np.argmin(np.linalg.norm(pos[pb_candidates] - centre, axis=1))]
    top = pos[pb] + np.array([0.0, 0.0, LATTICE_CONSTANT_A / 2])
    vacancy = int(np.argmin(np.linalg.norm(pos - top, axis=1)))
    del atoms[vacancy]
    pb -= int(vacancy < pb)
    atoms.translate(-atoms.positions[pb])
    return SurfaceSite(atoms=atoms, charge=+1, pb_index=int(pb), n=n)


def _naphthalene_2_substituted(group: str) -> Atoms:
    """2-naphthalenesulfonic acid (``group="SO3H"``) or sulfonate (``"SO3"``), idealised geometry."""
    cc, ch = 1.40, 1.08
    ring = cc * np.array([[np.cos(t), np.sin(t), 0.0] for t in np.deg2rad(np.arange(30, 390, 60))])
    # two hexagons sharing the edge x = cc*cos(30) (atoms 0 and 5 of the first ring)
    left, right = ring, ring + np.array([2 * cc * np.cos(np.pi / 6), 0.0, 0.0])
    carbons = np.unique(np.round(np.vstack([left, right]), 4), axis=0)
    centres = np.array([[0.0, 0.0, 0.0], [2 * cc * np.cos(np.pi / 6), 0.0, 0.0]])
    fused = np.isclose(carbons[:, 0], cc * np.cos(np.pi / 6), atol=1e-3)
    outer = np.flatnonzero(~fused)
    # outward direction from the centre of the ring each outer carbon belongs to
    owner = np.argmin(np.linalg.norm(carbons[outer, None, :] - centres[None], axis=2), axis=1)
    out_dir = carbons[outer] - centres[owner]
    out_dir /= np.linalg.norm(out_dir, axis=1)[:, None]
    # the beta position (C2): an outer carbon not next to a fused carbon
    d_fused = np.linalg.norm(carbons[outer, None, :] - carbons[fused][None], axis=2).min(axis=1)
    beta = np.flatnonzero(d_fused > cc + 0.1)[0]
    symbols, positions = ["C"] * len(carbons), list(carbons)
    for k, (idx, u) in enumerate(zip(outer, out_dir, strict=False)):
        if k != beta:
            symbols.append("H")
            positions.append(carbons[idx] + ch * u)
    u = out_dir[beta]
    s = carbons[outer[beta]] + 1.77 * u
    perp = np.cross(u, [0.0, 0.0, 1.0])
    tet = [
        np.cos(np.deg2rad(70.5)) * u
        + np.sin(np.deg2rad(70.5)) * (np.cos(phi) * perp + np.sin(phi) * np.array([0, 0, 1.0]))
        for phi in np.deg2rad([0.0, 120.0, 240.0])
    ]
    symbols += ["S", "O", "O", "O"]
    positions += [s, s + 1.45 * tet[0], s + 1.45 * tet[1], s + (1.57 if group == "SO3H" else 1.45) * tet[2]]
    if group == "SO3H":
        symbols.append("H")
        positions.append(positions[-1] + 0.97 * u)
    return Atoms(symbols, positions=np.array(positions))


def _pf6() -> Atoms:
    return Atoms("PF6", positions=np.vstack([[0, 0, 0], np.eye(3) * 1.60, -np.eye(3) * 1.60]))


def _nh4pf6() -> Atoms:
    """NH4+ over the (-x, -y, -z) face of PF6-, three N-H...F bonds; the +x F (first F) is free."""
    tetra = -np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)
    n = 3.4 * tetra[0]
    return _pf6() + Atoms("NH4", positions=np.vstack([n, n + 1.03 * tetra]))


@dataclass(frozen=True)
class LigandSpec:
    """A ligand model: paper name, stand-in molecule, charge [e], binding element, builder."""

    name: str
    model: str
    charge: int
    binding_element: str
    build: Callable[[], Atoms]


def _acetate() -> Atoms:
    atoms = molecule("CH3COOH")
    sym = np.array(atoms.get_chemical_symbols())
    pos = atoms.get_positions()
    h_near_o = [
        i
        for i in np.flatnonzero(sym == "H")
        if np.linalg.norm(pos[np.flatnonzero(sym == "O")] - pos[i], axis=1).min() < 1.2
    ]
    del atoms[h_near_o]
    return atoms


LIGANDS: dict[str, LigandSpec] = {
    s.name: s
    for s in (
        LigandSpec("OAm", "methylamine CH3NH2 (oleylamine stand-in)", 0, "N", lambda: molecule("H3CNH2")),
        LigandSpec("OA", "acetic acid CH3COOH (oleic acid stand-in)", 0, "O", lambda: molecule("CH3COOH")),
        LigandSpec("NSA", "2-naphthalenesulfonic acid C10H7SO3H", 0, "O", lambda: _naphthalene_2_substituted("SO3H")),
        LigandSpec("PF6", "hexafluorophosphate PF6-", -1, "F", _pf6),
        LigandSpec("NH4PF6", "ion pair NH4+ PF6- (the salt as added; neutral)", 0, "F", _nh4pf6),
        LigandSpec("OA-", "acetate CH3COO- (oleate stand-in)", -1, "O", _acetate),
        LigandSpec("NSA-", "2-naphthalenesulfonate C10H7SO3-", -1, "O", lambda: _naphthalene_2_substituted("SO3")),
        LigandSpec("I-", "iodide I- (refills its own vacancy; reference)", -1, "I", lambda: Atoms("I")),
    )
}

#: Ligands compared in the paper (Fig. 2a), the default set.
DEFAULT_LIGANDS = ("OAm", "OA", "NSA", "PF6")


def ligand_spec(name: str) -> LigandSpec:
    """The :class:`LigandSpec` called ``name`` (one of :data:`LIGANDS`)."""
    if name not in LIGANDS:
        raise InputError(f"unknown ligand {name!r}; choose from {sorted(LIGANDS)}")
    return LIGANDS[name]


def binding_atom(atoms: Atoms, element: str) -> int:
    """Index of the donor atom: the ``element`` atom bonded to the fewest H (S=O over S-OH, C=O over C-OH)."""
    sym = np.array(atoms.get_chemical_symbols())
    candidates = np.flatnonzero(sym == element)
    if len(candidates) == 0:
        raise InputError(f"ligand has no {element} atom")
    pos = atoms.get_positions()
    h = np.flatnonzero(sym == "H")
    n_h = [int((np.linalg.norm(pos[h] - pos[i], axis=1) < 1.2).sum()) if len(h) else 0 for i in candidates]
    return int(candidates[np.argmin(n_h)])


def donor_direction(atoms: Atoms, index: int) -> np.ndarray:
    """Unit vector along which atom ``index`` donates.

    The bisector of the lone-pair direction (minus the sum of its unit bond vectors) and
    the direction from the ligand's centroid to the donor, so that bulky tails point away
    from the surface.
    """
    pos = atoms.get_positions()
    d = pos - pos[index]
    r = np.linalg.norm(d, axis=1)
    bonded = (r > 0.1) & (r < 2.0)
    if not bonded.any():
        return np.array([0.0, 0.0, 1.0])
    lone_pair = -(d[bonded] / r[bonded, None]).sum(axis=0)
    tail = pos[index] - pos.mean(axis=0)
    v = sum(u / np.linalg.norm(u) for u in (lone_pair, tail) if np.linalg.norm(u) > 1e-6)
    return v / np.linalg.norm(v)


def place_ligand(site: SurfaceSite, ligand: Atoms, element: str, distance_A: float) -> Atoms:
    """Rigidly put ``ligand`` on the open Pb: donor atom ``distance_A`` above Pb, donor direction to -z.

    The ligand is then turned about z (5-degree grid) to the angle that maximises its
    smallest distance to the surface atoms, a purely geometric clash avoidance.
    Returns surface + ligand (surface atoms first).
    """
    lig = ligand.copy()
    k = binding_atom(lig, element)
    lig.translate(-lig.positions[k])
    lig.rotate(donor_direction(lig, k), (0.0, 0.0, -1.0))
    origin = site.atoms.positions[site.pb_index] + np.array([0.0, 0.0, distance_A])
    phi = np.deg2rad(np.arange(0.0, 360.0, 5.0))
    c, s = np.cos(phi), np.sin(phi)
    x, y, z = lig.positions.T
    turned = (
        np.stack(
            [c[:, None] * x - s[:, None] * y, s[:, None] * x + c[:, None] * y, np.broadcast_to(z, (len(phi), len(z)))],
            axis=-1,
        )
        + origin
    )
    gap = np.linalg.norm(turned[:, :, None, :] - site.atoms.positions[None, None], axis=-1).min(axis=(1, 2))
    lig.rotate(np.degrees(phi[np.argmax(gap)]), "z")
    lig.translate(origin)
    return site.atoms + lig
