"""Structures of the binding model: lattice, neutrality, binding site, ligand geometries (no xTB)."""

import numpy as np
import pytest

from qdled.binding import structures as S
from qdled.errors import InputError
from qdled.materials.cspbi3 import LATTICE_CONSTANT_M

FORMAL = {"Cs": +1, "Pb": +2, "I": -1}


def formal_charge(atoms):
    return sum(FORMAL[s] for s in atoms.get_chemical_symbols())


@pytest.mark.parametrize("n, formula", [(1, "Cs4I6Pb"), (2, "Cs12I20Pb4"), (3, "Cs24I42Pb9")])
def test_cluster_is_neutral_with_complete_octahedra(n, formula):
    atoms = S.cluster(n)
    assert atoms.get_chemical_formula() == formula
    assert formal_charge(atoms) == 0
    d = atoms.get_all_distances()
    sym = np.array(atoms.get_chemical_symbols())
    pb_i = d[np.ix_(sym == "Pb", sym == "I")]
    # every Pb has six iodides at a/2 (Sutton 2018: a = 6.289 A)
    assert np.all((np.abs(pb_i - LATTICE_CONSTANT_M * 1e10 / 2) < 1e-6).sum(axis=1) == 6)
    np.fill_diagonal(d, np.inf)
    assert d.min() > 3.1  # no two ions closer than the Pb-I bond


def test_cluster_3_has_fourfold_symmetry_about_the_site():
    site = S.surface_site(3)
    pos = site.atoms.get_positions()
    rotated = pos @ np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1.0]]).T
    # the rotated set maps onto itself (element by element)
    for el in ("Cs", "I", "Pb"):
        mask = np.array(site.atoms.get_chemical_symbols()) == el
        dist = np.linalg.norm(rotated[mask][:, None] - pos[mask][None], axis=2).min(axis=1)
        assert dist.max() < 1e-6


@pytest.mark.parametrize("n", [1, 3])
def test_surface_site_is_a_five_coordinated_pb_over_an_iodide_vacancy(n):
    site = S.surface_site(n)
    assert site.charge == formal_charge(site.atoms) == +1
    pos = site.atoms.get_positions()
    sym = np.array(site.atoms.get_chemical_symbols())
    r = np.linalg.norm(pos - pos[site.pb_index], axis=1)
    assert ((r < 3.2) & (sym == "I")).sum() == 5
    # the open direction is +z: nothing within 3.5 A above the Pb along the axis
    above = pos[:, 2] > pos[site.pb_index, 2] + 0.1
    assert np.all(np.hypot(pos[above, 0], pos[above, 1]) > 2.0)


# closed-shell check: number of electrons minus charge must be even for singlet fragments
@pytest.mark.parametrize(
    "name, formula",
    [
        ("OAm", "CH5N"),
        ("OA", "C2H4O2"),
        ("NSA", "C10H8O3S"),
        ("PF6", "F6P"),
        ("OA-", "C2H3O2"),
        ("NSA-", "C10H7O3S"),
        ("I-", "I"),
        ("NH4PF6", "H4F6NP"),
    ],
)
def test_ligand_models_are_closed_shell(name, formula):
    spec = S.ligand_spec(name)
    atoms = spec.build()
    assert atoms.get_chemical_formula() == formula
    assert (atoms.get_atomic_numbers().sum() - spec.charge) % 2 == 0
    if len(atoms) > 1:
        d = atoms.get_all_distances()
        np.fill_diagonal(d, np.inf)
        assert d.min() > 0.9


def test_naphthalene_ring_geometry():
    atoms = S.ligand_spec("NSA").build()
    sym = np.array(atoms.get_chemical_symbols())
    c = atoms.get_positions()[sym == "C"]
    d = np.linalg.norm(c[:, None] - c[None], axis=2)
    bonds = d[(d > 0.1) & (d < 1.6)]
    # naphthalene has 11 C-C bonds (22 ordered pairs), all 1.40 A in this idealised model
    assert len(bonds) == 22 and np.allclose(bonds, 1.40, atol=1e-3)
    # the substituent sits at C2 (beta): its carbon is bonded to no fusion carbon
    s = atoms.get_positions()[sym == "S"][0]
    c_s = np.argmin(np.linalg.norm(c - s, axis=1))
    fused = np.flatnonzero(((d > 0.1) & (d < 1.6)).sum(axis=1) == 3)
    assert c_s not in fused and np.all(d[c_s, fused] > 1.6)


@pytest.mark.parametrize("name", sorted(S.LIGANDS))
def test_placement_puts_donor_at_distance_without_clash(name):
    site = S.surface_site(1)
    spec = S.ligand_spec(name)
    complex_ = S.place_ligand(site, spec.build(), spec.binding_element, 2.8)
    n = len(site.atoms)
    donor = n + S.binding_atom(spec.build(), spec.binding_element)
    assert complex_.get_distance(site.pb_index, donor) == pytest.approx(2.8)
    gaps = complex_.get_all_distances()[:n, n:]
    assert gaps.min() > 2.0


def test_bad_inputs_raise():
    with pytest.raises(InputError, match="cluster size"):
        S.cluster(4)
    with pytest.raises(InputError, match="unknown ligand 'OLA'"):
        S.ligand_spec("OLA")
