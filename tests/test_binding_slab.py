"""Ligand ion pairs on the periodic CsPbI3 (100) slab with GFN-xTB (tblite under PBC).

Checked against what nobody here wrote:

- the cubic perovskite structure as ASE's space-group builder makes it (Pm-3m, no. 221;
  Pb 1a, Cs 1b, I 3d) and the formal oxidation states Cs+, Pb2+, I- (slab neutrality);
- tblite's own non-periodic energy of a molecule (the isolated-molecule limit of a periodic box);
- the paper's DFT binding energies (Li et al., Nat. Commun. 15, 5696 (2024): OAm 1.23, NSA 1.45,
  PF6 3.92 eV; validation only, nothing fitted);
- the DFT/XPS/NMR picture of Ravi et al., J. Phys. Chem. Lett. 8, 4988 (2017): the ammonium
  head sits in the surface Cs site without leaving it (substitution, not adsorption on top).

Published slab DFT binding energies of these same ion pairs on CsPbI3/CsPbBr3 could not be
retrieved offline (the search returned abstracts without numbers for refs. ten Brinck &
Infante, ACS Energy Lett. 1, 1266 (2016); Bodnarchuk et al., ACS Energy Lett. 4, 63 (2019);
Ravi et al. 2017), so the numerical comparison is with the paper's values only.
"""

import json

import numpy as np
import pytest
from ase import Atoms
from ase.spacegroup import crystal
from typer.testing import CliRunner

from qdled.binding import slab, slab_engine
from qdled.binding.structures import LATTICE_CONSTANT_A as A
from qdled.errors import InputError

PAPER = {"OAm": 1.23, "NSA": 1.45, "PF6": 3.92}
LIGANDS = ("OAm", "OA", "NSA", "PF6")
#: Ligands the shipped slab run holds (NSA as a lower bound, residual force 0.085 eV/A: see the run's notes).
REQUIRED = ("OAm", "OA", "NSA", "PF6")


@pytest.fixture(scope="module")
def run():
    r = slab_engine.shipped_slab_run(3, 2, "GFN2-xTB")
    assert r is not None, "shipped slab run GFN2-xTB_L3_2x2 missing"
    assert set(REQUIRED) <= set(r["binding_energies_eV"])
    return r


def _results(run):
    return {k: slab_engine.SlabResult.from_dict(v) for k, v in run["results"].items()}


# ---------------------------------------------------------------- structures


@pytest.mark.parametrize("n_layers", slab.SLAB_LAYERS)
@pytest.mark.parametrize("lateral", slab.SLAB_LATERAL)
def test_slab_is_neutral_and_csi_terminated(n_layers, lateral):
    atoms = slab.slab(n_layers, lateral)
    m = (n_layers - 1) // 2
    sym = np.array(atoms.get_chemical_symbols())
    cells = lateral**2
    assert ((sym == "Pb").sum(), (sym == "Cs").sum(), (sym == "I").sum()) == (
        m * cells,
        (m + 1) * cells,
        (3 * m + 1) * cells,
    )
    assert slab.formal_charge(atoms) == 0  # Cs+ Pb2+ I-: a CsI-terminated slab is neutral
    assert slab.excess_csi_per_cell(atoms, lateral) == 1.0  # n CsPbI3 + 1 CsI per surface cell
    z = atoms.positions[:, 2]
    top, bottom = sym[z > z.max() - 0.1], sym[z < 0.1]
    assert sorted(set(top)) == sorted(set(bottom)) == ["Cs", "I"]  # both faces CsI
    assert atoms.pbc.all()


def test_slab_interior_is_the_cubic_perovskite_of_ase_spacegroup():
    """Neighbour shells of an interior Pb and Cs against ASE's Pm-3m builder (Pb 1a, Cs 1b, I 3d)."""
    bulk = crystal(
        ["Pb", "Cs", "I"],
        basis=[(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0, 0)],
        spacegroup=221,
        cellpar=[A, A, A, 90, 90, 90],
    ).repeat((3, 3, 3))
    atoms = slab.slab(7, 3)

    def shells(at, element, pick):
        idx = np.flatnonzero(np.array(at.get_chemical_symbols()) == element)
        i = idx[np.argmin(np.linalg.norm(at.positions[idx] - pick(at), axis=1))]
        d = at.get_distances(i, range(len(at)), mic=True)
        return np.sort(d[(d > 0.1) & (d < 6.0)]).round(3)

    centre = lambda at: at.cell.array.sum(axis=0) / 2 * [1, 1, 0] + [0, 0, 1.5 * A]  # noqa: E731
    middle = lambda at: at.cell.array.sum(axis=0) / 2  # noqa: E731
    for element in ("Pb", "Cs"):
        np.testing.assert_allclose(shells(atoms, element, centre), shells(bulk, element, middle), atol=1e-3)


def test_vacancy_site_removes_one_csi_pair_and_exposes_a_five_coordinated_pb():
    full, site = slab.slab(5, 2), slab.vacancy_site(5, 2)
    assert len(full) - len(site.atoms) == 2 and slab.formal_charge(site.atoms) == 0
    sym = np.array(site.atoms.get_chemical_symbols())
    assert sym[site.pb_index] == "Pb"
    d = site.atoms.get_distances(site.pb_index, np.flatnonzero(sym == "I"), mic=True)
    assert (d < A / 2 + 0.01).sum() == 5  # one apical iodide gone
    z = site.atoms.positions[:, 2]
    assert not any(f for f, zz in zip(site.fixed, z, strict=True) if zz > z.max() - 0.1)  # top plane free
    assert all(f for f, zz in zip(site.fixed, z, strict=True) if zz < z.max() - 1.0)  # lower planes fixed


@pytest.mark.parametrize("name", LIGANDS)
def test_pairs_are_neutral_and_placed_without_clashes(name):
    site = slab.vacancy_site(5, 2)
    cplx = slab.place_pair(site, name)
    n = len(site.atoms)
    spec = slab.pair_spec(name)
    n_cat = len(spec.cation())
    # the cation is the protonated amine (one N, odd H count balanced by the anion's charge)
    assert cplx.get_chemical_symbols()[n] == "N"
    d = cplx.get_all_distances(mic=True)
    assert d[n:, :n].min() > 2.3  # no atom of the pair inside the slab
    np.fill_diagonal(d, 9.0)
    k = slab.structures.binding_atom(spec.anion(), spec.element)
    assert cplx.get_distance(site.pb_index, n + n_cat + k, mic=True) == pytest.approx(
        slab.PB_X_START_A[spec.element], abs=1e-6
    )
    electrons = sum(Atoms(cplx.get_chemical_symbols()[n:]).get_atomic_numbers())
    assert electrons % 2 == 0  # closed-shell neutral pair


def test_bad_inputs_are_input_errors():
    with pytest.raises(InputError, match="n_layers"):
        slab.slab(4)
    with pytest.raises(InputError, match="TOPO"):
        slab.pair_spec("TOPO")
    with pytest.raises(InputError, match="method"):
        slab_engine.compute_slab_binding_energy("OAm", method="GFN0-xTB")
    with pytest.raises(InputError, match="lateral"):
        slab_engine.compute_slab_binding_energy("OAm", lateral=1)


# ---------------------------------------------------------------- periodic tblite, isolated limits


@pytest.mark.parametrize("method", slab_engine.METHODS)
def test_tblite_runs_the_slab_periodically_with_its_symmetry(method):
    """Both GFN1- and GFN2-xTB under PBC: on the 1x1 slab every in-plane force vanishes (each atom
    sits on a 4-fold axis of the periodic slab) and the z forces are mirror-antisymmetric (z -> -z).
    A non-periodic (cluster) treatment would give in-plane forces of order 0.1-1 eV/A at the edges.
    Tolerance 2e-3 eV/A (GFN1 measured 7e-4: SCF and lattice-sum accuracy), 1/25 of the relaxation fmax."""
    atoms = slab.slab(3, 1)
    atoms.calc = slab_engine._calc(method, 300.0)
    f = atoms.get_forces()
    assert np.isfinite(atoms.get_potential_energy())
    assert np.abs(f[:, :2]).max() < 2e-3
    z = atoms.positions[:, 2]
    top, bottom = np.argsort(-z)[:2], np.argsort(z)[:2]
    np.testing.assert_allclose(np.sort(f[top, 2]), np.sort(-f[bottom, 2]), atol=2e-3)
    assert np.abs(f[:, 2]).max() > 0.05  # the surfaces do want to relax (the test can see forces)


def test_periodic_box_energy_tends_to_the_non_periodic_energy():
    """Methylammonium iodide in a cubic box: E(box) -> E(no PBC) as the box grows (dipole images ~ 1/L^3)."""
    pair = slab._methylammonium() + Atoms("I", positions=[[0.0, 0.0, -3.2]])
    gas = slab_engine._single_point(pair.copy(), "GFN2-xTB")
    err = []
    for box_A in (20.0, 30.0):
        a = pair.copy()
        a.set_cell([box_A] * 3)
        a.pbc = True
        a.center()
        err.append(abs(slab_engine._single_point(a, "GFN2-xTB") - gas))
    # measured 0.033 and 0.010 eV: decreasing, and below 0.02 eV at 30 A (the slab vacuum is 25 A)
    assert err[1] < err[0] and err[1] < 0.02


def _fake_relaxed(name="NSA", seed=1):
    """A SlabResult whose 'relaxed' top plane and pair are the ideal ones plus seeded random displacements
    (no tblite): geometry bookkeeping only."""
    site = slab.vacancy_site(3, 2)
    cplx = slab.place_pair(site, name)
    rng = np.random.default_rng(seed)
    free = np.r_[~np.array(site.fixed), np.ones(len(cplx) - len(site.atoms), bool)]
    cplx.positions[free] += rng.normal(0.0, 0.1, size=(int(free.sum()), 3))
    bare = site.atoms.copy()
    bare.positions[~np.array(site.fixed)] += rng.normal(0.0, 0.1, size=(int((~np.array(site.fixed)).sum()), 3))
    n = len(site.atoms)
    return (
        slab_engine.SlabResult(
            ligand=name,
            binding_energy_eV=0.0,
            energy_complex_eV=0.0,
            energy_site_eV=0.0,
            energy_pair_eV=0.0,
            pair_model="",
            site_formula="",
            complex_formula="",
            pb_anion_distance_A=0.0,
            cation_shift_A=0.0,
            n_steps=0,
            converged=True,
            cpu_s=0.0,
            wall_s=0.0,
            pair_symbols="".join(cplx.get_chemical_symbols()[n:]),
            pair_positions_rel_A=(cplx.positions[n:] - np.array(site.x_site_A)).tolist(),
            settings=slab_engine.SlabSettings(name),
            complex_positions_A=cplx.positions.tolist(),
            site_positions_A=bare.positions.tolist(),
        ),
        cplx,
        bare,
    )


def test_frozen_surface_at_the_relaxed_size_is_the_relaxed_geometry():
    r, cplx, bare = _fake_relaxed()
    site, frozen, pair = slab_engine.frozen_surface(r, n_layers=3, lateral=2)
    np.testing.assert_allclose(frozen.positions, cplx.positions, atol=1e-12)
    np.testing.assert_allclose(site.positions, bare.positions, atol=1e-12)
    assert frozen.get_chemical_symbols() == cplx.get_chemical_symbols()
    assert len(pair) == len(cplx) - len(site) and pair.pbc.all()


@pytest.mark.parametrize("n_layers, lateral", [(5, 2), (7, 2), (3, 3), (5, 3)])
def test_frozen_surface_keeps_the_pairs_relaxed_surroundings(n_layers, lateral):
    """On a thicker or wider slab every top-plane atom near the pair sits where it sat relative to the pair in
    the relaxed 2x2 complex, and the planes beneath the top one are the ideal slab's."""
    r, cplx, _ = _fake_relaxed()
    _, frozen, pair = slab_engine.frozen_surface(r, n_layers=n_layers, lateral=lateral)
    ideal = slab.vacancy_site(n_layers, lateral)
    deep = np.array(ideal.fixed)
    np.testing.assert_allclose(frozen.positions[: len(ideal.atoms)][deep], ideal.atoms.positions[deep], atol=1e-12)

    def near_pair(atoms, n_site, top_z):
        out = []
        for i in range(n_site):
            if atoms.positions[i, 2] < top_z - 1.0:
                continue
            v = atoms.get_distances(i, list(range(n_site, len(atoms))), mic=True, vector=True)
            # within 4.5 A of the pair and unambiguous in the 2x2 cell (less than 0.8 a from the N in x and y)
            if np.linalg.norm(v, axis=1).min() < 4.5 and np.abs(v[0, :2]).max() < 0.8 * A:
                out.append((atoms[i].symbol, np.round(v[0], 6)))  # vector to the cation N
        return sorted(out, key=lambda t: (t[0], *t[1]))

    n2 = len(cplx) - len(pair)
    got = near_pair(frozen, len(ideal.atoms), frozen.positions[: len(ideal.atoms), 2].max())
    want = near_pair(cplx, n2, cplx.positions[:n2, 2].max())
    assert len(got) == len(want) >= 3  # the three surface I- around the removed one
    for (sg, vg), (sw, vw) in zip(got, want, strict=True):
        assert sg == sw
        np.testing.assert_allclose(vg, vw, atol=1e-6)


def test_frozen_surface_needs_the_relaxed_geometry():
    import dataclasses

    r, _, _ = _fake_relaxed()
    with pytest.raises(InputError, match="relaxed geometry"):
        slab_engine.frozen_surface(dataclasses.replace(r, complex_positions_A=None), n_layers=5, lateral=2)


def _fixture(name):
    from pathlib import Path

    return json.loads((Path(__file__).parent / "fixtures" / name).read_text(encoding="utf-8"))


def test_an_earlier_tblite_keeps_a_symmetric_slab_independent_of_the_vacuum():
    """Reference (tests/oracles/tblite_slab_vacuum.py, tblite 0.4.0, same cell as qdled's slab(3, 1)): a neutral,
    centrosymmetric slab has no dipole and its fields decay exponentially outside it, so its energy cannot
    depend on the vacuum. tblite 0.4.0 GFN1-xTB keeps it within 3e-5 eV from 25 to 200 A; its GFN2-xTB moves by
    0.058 eV, decaying (0.032, 0.018, 0.008 eV per doubling)."""
    ref = _fixture("tblite_slab_vacuum.json")
    assert ref["provenance"]["tblite_version"] == "0.4.0"
    for vac in ref["vacuum_A"]:
        np.testing.assert_allclose(ref["positions_A"][str(vac)], slab.slab(3, 1, vac).positions, atol=1e-9)
    gfn1, gfn2 = np.array(ref["energy_eV"]["GFN1-xTB"]), np.array(ref["energy_eV"]["GFN2-xTB"])
    assert np.ptp(gfn1) < 1e-4
    steps = np.diff(gfn2)
    assert np.all(steps > 0) and np.all(np.diff(np.abs(steps)) < 0) and np.ptp(gfn2) < 0.1


#: Installed tblite (0.8.0): energy change of the symmetric 1x1 3-plane slab from 25 to 50 A of vacuum [eV],
#: as measured. Physics says 0 (see the test above).
TBLITE_VACUUM_DRIFT_EV = {"GFN1-xTB": -0.0845, "GFN2-xTB": -0.1584}


@pytest.mark.parametrize("method", ["GFN1-xTB", "GFN2-xTB"])
def test_installed_tblite_slab_energy_drifts_with_the_vacuum(method):
    """A known defect of the installed tblite, pinned: the same symmetric slab's energy falls with the vacuum
    (GFN2-xTB -0.158, -0.114, -0.073 eV per doubling from 25 A; GFN1-xTB -0.085, -0.091, -0.111, not converging)
    and its atomic charges move (Cs +0.676 -> +0.693 e, GFN2; +0.465 -> +0.400 e, GFN1), where tblite 0.4.0 keeps
    GFN1 constant to 3e-5 eV. Every periodic slab energy here therefore carries a vacuum error; the slab scan
    records its size for each binding energy (convergence[...]["vacuum_A"]). This test fails when tblite changes
    the behaviour (then the shipped slab run must be recomputed and these notes revised). ~2 s."""
    e25, e50 = (slab_engine._single_point(slab.slab(3, 1, v), method) for v in (25.0, 50.0))
    assert e50 - e25 == pytest.approx(TBLITE_VACUUM_DRIFT_EV[method], abs=0.005)


def test_isolated_molecule_limit_on_a_small_slab(run):
    """Fast (< 20 s): pair-slab interaction of the shipped OAm pair decays to ~0 as it is lifted.

    Interaction = E(surface) + E(pair alone, same periodic cell) - E(surface + pair), the relaxed geometry frozen.
    Measured 4.45 (on the surface), 0.20 (lifted 8 A), 0.017 eV (16 A): the tail is the slow
    molecule-surface dispersion. Tolerance 0.05 eV at 16 A, a twentieth of the binding energies.
    """
    r = _results(run)["OAm"]
    on, mid, far = (
        slab_engine.frozen_pair_binding_energy(r, n_layers=3, lateral=2, lift_A=lift, interaction=True)
        for lift in (0.0, 8.0, 16.0)
    )
    assert on > 1.0 and on > mid > abs(far)
    assert abs(far) < 0.05, far


def test_frozen_surface_at_the_relaxed_size_gives_the_relaxed_binding_energy(run):
    """Single points (~1 s) on the stored relaxed geometries of OAm: the site, the complex and the pair
    reference recombine to the shipped E_bind (to 1e-4 eV; positions are stored to 1e-6 A)."""
    r = _results(run)["OAm"]
    e = slab_engine.frozen_pair_binding_energy(r, n_layers=r.settings.n_layers, lateral=r.settings.lateral)
    assert e == pytest.approx(r.binding_energy_eV, abs=1e-4)


# ---------------------------------------------------------------- shipped run: bookkeeping, convergence


def test_shipped_slab_run_is_self_consistent(run):
    assert run["command"].startswith("qdled bind --slab")
    for name in run["binding_energies_eV"]:
        r = _results(run)[name]
        assert run["binding_energies_eV"][name] == pytest.approx(
            r.energy_site_eV + r.energy_pair_eV - r.energy_complex_eV, abs=1e-3
        )
        # converged, or stopped by the SCF-restart budget (slab_engine._relax) with its residual force
        # recorded, small (< 0.5 eV/A: E_bind is then a lower bound) and named in the run's notes
        if not r.converged:
            assert r.scf_restarts is not None and r.scf_restarts >= 1, name
            assert r.fmax_complex_eV_per_A < 0.5 and name in run["notes"], name
            assert r.routes is not None, name  # an unconverged two-stage relaxation gets the second route
        if r.routes is not None:  # both routes were run (slab_engine.ONE_STAGE_ROUTE); the lower energy is kept
            energies = {k: v["energy_eV"] for k, v in r.routes.items() if k != "kept"}
            assert set(energies) == {"one_stage", "two_stage"}
            assert r.energy_complex_eV == min(energies.values()) == energies[r.routes["kept"]], name
            assert r.converged == r.routes[r.routes["kept"]]["converged"], name
        assert r.settings.fmax_eV_per_A <= 0.1
        assert (r.settings.n_layers, r.settings.lateral, r.settings.method) == (3, 2, "GFN2-xTB")
        assert run["timing_cpu_s"][name] > 0
        assert r.settings.fmax_eV_per_A == 0.05 and r.cpu_s > 0 and r.wall_s > 0  # timings recorded per run
    for conv in run["convergence"].values():
        assert set(conv) >= {"n_layers", "lateral", "isolated_limit_eV", "k_points", "cpu_s"}


#: Ligands whose 5 -> 7 plane change exceeds the tolerance, as measured (eV): recorded, not hidden.
THICKNESS_NOT_CONVERGED_EV = {"OAm": 0.11, "NSA": -0.14}


def test_binding_energy_is_converged_in_slab_thickness(run):
    """Frozen relaxed surface on 3-, 5- and 7-plane slabs (slab_engine.frozen_surface; measured OAm 2.20, 2.57,
    2.68 eV; OA 1.65, 1.89, 1.85; NSA 3.63, 3.76, 3.62; PF6 2.39, 2.42, 2.38). The 3-plane point is the relaxed
    E_bind itself.

    5 -> 7 planes changes E_bind by < 0.1 eV (a third of the 0.3 eV aim; measured -0.04 OA, -0.04 PF6); OAm's
    +0.11 and NSA's -0.14 eV are outside, recorded in :data:`THICKNESS_NOT_CONVERGED_EV`. The 3-plane
    production slab is NOT converged for OAm (0.48 eV below 7 planes; thicker binds more, the sign is
    pinned) nor for OA (+0.20 eV): the shipped ``binding_energies_7plane_eV`` add that frozen-surface correction.
    """
    assert set(run["binding_energies_7plane_eV"]) >= {"OAm", "OA", "PF6"}
    oam = run["convergence"]["OAm"]["n_layers"]
    assert oam["3"] < oam["5"] < oam["7"]
    for name, conv in run["convergence"].items():
        c = conv["n_layers"]
        assert c["3"] == pytest.approx(run["binding_energies_eV"][name], abs=1e-3), name  # the relaxed value
        if None in c.values():
            assert conv["scf_failures"], name  # every missing point names its SCF failure
        if c["5"] is not None and c["7"] is not None:
            if name in THICKNESS_NOT_CONVERGED_EV:
                assert c["7"] - c["5"] == pytest.approx(THICKNESS_NOT_CONVERGED_EV[name], abs=0.02), (name, c)
            else:
                assert abs(c["5"] - c["7"]) < 0.1, (name, c)
        if c["3"] is not None and c["7"] is not None:
            assert run["binding_energies_7plane_eV"][name] == pytest.approx(
                run["binding_energies_eV"][name] + c["7"] - c["3"], abs=1e-3
            )
        else:
            assert name not in run["binding_energies_7plane_eV"]


#: Ligands whose 2x2 -> 3x3 change exceeds the tolerance, as measured (eV): recorded, not hidden.
LATERAL_NOT_CONVERGED_EV = {"OAm": -0.19, "PF6": 0.16}


def test_binding_energy_is_converged_in_lateral_cell_and_k_points(run):
    """2x2 vs 3x3 Gamma-point supercells (= 2x2x1 vs 3x3x1 k-meshes of the 1x1 cell): < 0.15 eV.

    The difference holds coverage (1/4 -> 1/9 of the surface CsI pairs), Brillouin-zone sampling and the
    relaxed top plane's pattern repeated with the 2x2 period (slab_engine.frozen_surface) together; 0.15 eV is
    half the 0.3 eV aim. Measured OA +0.15 eV (NSA's 3x3 point fails the SCF); OAm -0.19 and PF6 +0.16 eV
    are outside, listed in :data:`LATERAL_NOT_CONVERGED_EV` so that the test fails if they change. The 2x2
    point is the relaxed value.
    """
    for name, conv in run["convergence"].items():
        c = conv["lateral"]
        assert c["2x2"] == pytest.approx(run["binding_energies_eV"][name], abs=1e-3), name
        if None in c.values():
            assert conv["scf_failures"], name
            continue
        delta = c["3x3"] - c["2x2"]
        if name in LATERAL_NOT_CONVERGED_EV:
            assert delta == pytest.approx(LATERAL_NOT_CONVERGED_EV[name], abs=0.02), (name, c)
        else:
            assert abs(delta) < 0.15, (name, c)


#: E_bind(100 A vacuum) - E_bind(25 A) [eV] of the shipped relaxed surfaces, as measured: the tblite vacuum
#: defect (test_installed_tblite_slab_energy_drifts_with_the_vacuum), not physics. Pinned so that it is seen.
VACUUM_DRIFT_EV = {"OAm": -0.04, "OA": 0.12, "NSA": 0.40, "PF6": 0.37}


def test_binding_energy_against_vacuum_is_recorded(run):
    """E_bind at 25, 50, 100 A of vacuum (frozen relaxed surface). A converged slab model would change by
    < 0.05 eV; tblite's periodic electrostatics makes it move monotonically instead (measured above), by up to
    0.40 eV (NSA), more than the aim itself. The 25 A point is the relaxed value."""
    for name, conv in run["convergence"].items():
        v = conv["vacuum_A"]
        assert v["25"] == pytest.approx(run["binding_energies_eV"][name], abs=1e-3), name
        assert v["100"] - v["25"] == pytest.approx(VACUUM_DRIFT_EV[name], abs=0.02), (name, v)
        assert (v["50"] - v["25"]) * (v["100"] - v["50"]) > 0, (name, v)  # monotonic
    comp = slab_engine.comparison_table()["differences_eV"]["PF6 - NSA"]["slab_GFN2-xTB_L3_2x2"]
    assert comp["vacuum_25_to_100_eV"] == pytest.approx(VACUUM_DRIFT_EV["PF6"] - VACUUM_DRIFT_EV["NSA"], abs=0.03)


def test_shipped_isolated_limits(run):
    """Each relaxed pair lifted 16 A above the slab: the pair-slab interaction must vanish.

    OAm (small CH3NH3+ I- pair): |interaction| < 0.05 eV (measured 0.017, see the fast test). The
    larger, more polar pairs are recorded as measured and held to 0.3 eV: OA -0.10, NSA -0.20,
    PF6 -0.25 eV at 16 A, not zero. For PF6 it shrinks with the vacuum (measured -0.25, -0.17, -0.09 eV at
    25, 50, 100 A): the pair's dipole and its periodic images along z plus the tblite vacuum defect
    (test_installed_tblite_slab_energy_drifts_with_the_vacuum), so the frozen-surface scans carry a ~0.2 eV
    uncertainty; the test fails if any pair drifts further."""
    assert set(run["convergence"]) >= {"OAm"}
    assert abs(run["convergence"]["OAm"]["isolated_limit_eV"]) < 0.05
    for name, conv in run["convergence"].items():
        if conv["isolated_limit_eV"] is not None:
            assert abs(conv["isolated_limit_eV"]) < 0.3, name
        if conv["interaction_eV"] is not None:
            assert conv["interaction_eV"] > 1.0, name  # on the surface it does interact


def test_ammonium_stays_in_the_surface_cs_site(run):
    """Ravi et al. (2017): the ammonium head substitutes surface Cs+ (sits in its site, H-bonded to
    the halides) rather than adsorbing on top. Relaxed N within 1.2 A of the A-site axis, a fifth of the
    lattice constant (measured 0.25 A OAm, 0.91 A OA, 0.07 A NSA for CH3NH3+, 1.04 A for NH4+), and not
    above the surface plane."""
    a_site_rel = np.array([-A / 2, -A / 2, 0.0])  # relative to the removed apical iodide
    for name in run["binding_energies_eV"]:
        n = np.array(_results(run)[name].pair_positions_rel_A[0]) - a_site_rel
        assert np.hypot(n[0], n[1]) < 1.2 and n[2] < 0.3, (name, n)


# ---------------------------------------------------------------- against the paper


def test_paper_comparison_is_recorded_honestly(run):
    """Slab GFN2-xTB (neutral ion pairs) against the paper's DFT, recorded as measured.

    Measured (3 planes, relaxed): OAm 2.20, OA 1.65, PF6 2.39 eV (converged), NSA >= 3.63 eV (lower
    bound: relaxation stopped by the SCF-restart budget). Paper: OAm 1.23, NSA 1.45, PF6 3.92.
    PF6 > OAm holds, but NSA - OAm is 1.42 eV (paper 0.22) and PF6 - NSA is -1.23 eV (paper +2.47,
    wrong sign): both far outside the 0.3 eV aim. The NSA lower bound can only widen NSA - OAm and
    deepen the sign error. This test pins that finding: it fails if a change makes the slab
    reproduce the paper's differences (then the docstring and the report must change too).
    """
    got = run["binding_energies_eV"]
    assert got["PF6"] > got["OAm"] > got["OA"]
    assert got["NSA"] > got["PF6"]  # the paper has PF6 > NSA
    nsa_oam, pf6_nsa = got["NSA"] - got["OAm"], got["PF6"] - got["NSA"]
    assert nsa_oam - (PAPER["NSA"] - PAPER["OAm"]) > 1.0
    assert pf6_nsa - (PAPER["PF6"] - PAPER["NSA"]) < -3.0
    assert got["OAm"] - PAPER["OAm"] == pytest.approx(0.97, abs=0.05)
    assert got["PF6"] - PAPER["PF6"] == pytest.approx(-1.53, abs=0.05)
    comp = slab_engine.comparison_table()["differences_eV"]
    for key in ("PF6 - NSA", "NSA - OAm"):
        entry = comp[key]["slab_GFN2-xTB_L3_2x2"]
        assert not entry["within_aim"] and not entry["from_converged_relaxations"]


# ---------------------------------------------------------------- CLI


def test_cli_slab_json_reports_values_and_convergence(run):
    from qdled.cli.main import app

    names = list(run["binding_energies_eV"])
    res = CliRunner().invoke(app, ["bind", "--slab", "--json", *[a for n in names for a in ("--ligand", n)]])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model"] == "slab" and out["source"] == "shipped"
    assert out["binding_energies_eV"] == run["binding_energies_eV"]
    assert set(out["convergence"]) == set(run["convergence"]) and set(names) == set(out["cluster_eV"])
    assert out["paper_dft_eV"] == PAPER


def test_cli_slab_text_marks_lower_bounds_and_shows_convergence(run):
    """The text table gives the 7-plane and vacuum columns and marks an unconverged relaxation as a bound."""
    from qdled.cli.main import app

    res = CliRunner().invoke(app, ["bind", "--slab"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert res.output.count("7 planes (eV)") == 1 and "vacuum 25->100 A (eV)" in res.output
    for name, r in run["results"].items():
        line = next(ln for ln in res.output.splitlines() if ln.strip("│ ").startswith(name + " "))
        assert (">= " in line) == (not r["converged"]), line


def test_cli_slab_bad_layers_is_an_input_error():
    from qdled.cli.main import app

    res = CliRunner().invoke(app, ["bind", "--slab", "--layers", "4"])
    assert isinstance(res.exception, InputError) and "n_layers" in str(res.exception)


# ---------------------------------------------------------------- slow: full recomputation


@pytest.mark.slow
def test_shipped_slab_value_is_reproduced(run, tmp_path):
    """Full protocol (relaxations) for OAm on the shipped 3-plane 2x2 slab: same value within 1 meV."""
    r = slab_engine.compute_slab_binding_energy("OAm", cache_dir=tmp_path)
    assert r.binding_energy_eV == pytest.approx(run["binding_energies_eV"]["OAm"], abs=1e-3)


# ---------------------------------------------------------------- SCF-failure handling (no tblite)


class _WalledWell:
    """ASE calculator: harmonic well for atom 1 around (2, 0, 0), whose 'SCF' fails in a thin needle
    (0.9 < x < 1.5 A, within 0.02 A of the x axis) lying on the straight path from the start
    (0, 0, 0), the way the slab's SCF failures block the direct path; atom 0 is fixed."""

    implemented_properties = ("energy", "forces")

    def __init__(self):
        from ase.calculators.calculator import Calculator

        self._calc = Calculator()

    def get_potential_energy(self, atoms=None, force_consistent=False):
        return self._eval(atoms)[0]

    def get_forces(self, atoms=None):
        return self._eval(atoms)[1]

    @staticmethod
    def _fails(x) -> bool:
        return 0.9 < x[0] < 1.5 and np.hypot(x[1], x[2]) < 0.02

    def _eval(self, atoms):
        from ase.calculators.calculator import CalculationFailed

        x = atoms.positions[1]
        if self._fails(x):
            raise CalculationFailed("SCF not converged (toy)")
        d = x - np.array([2.0, 0.0, 0.0])
        forces = np.zeros((len(atoms), 3))
        forces[1] = -2.0 * d
        return float(d @ d), forces


def test_relaxation_restarts_around_scf_failures(monkeypatch):
    """The restart logic of ``_relax`` on a toy calculator (< 1 s): a straight BFGS path crosses a thin
    region where the 'SCF' fails; the restarts (seeded kicks from the lowest point) get past it and the
    relaxation converges at the true minimum, counting the restarts. With no restart budget it stops
    before the wall, flagged as not converged, and returns the lowest-energy point reached."""
    from ase.constraints import FixAtoms

    monkeypatch.setattr(slab_engine, "_calc", lambda *a, **k: _WalledWell())
    s = slab_engine.SlabSettings("OAm", fmax_eV_per_A=0.01, max_steps=200)
    atoms = Atoms("HH", positions=[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    atoms.set_constraint(FixAtoms(indices=[0]))
    energy, steps, converged, info = slab_engine._relax(atoms, s)
    assert converged and info["scf_restarts"] >= 1
    np.testing.assert_allclose(atoms.positions[1], [2.0, 0.0, 0.0], atol=0.01)
    assert energy < 1e-4 and info["fmax_eV_per_A"] < 0.01
    np.testing.assert_allclose(atoms.positions[0], [0.0, 5.0, 0.0])  # fixed atoms are never kicked

    atoms = Atoms("HH", positions=[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    atoms.set_constraint(FixAtoms(indices=[0]))
    energy, steps, converged, info = slab_engine._relax(atoms, s, max_restarts=0)
    assert not converged and info["scf_restarts"] == 1
    assert atoms.positions[1, 0] <= 0.9 and energy == pytest.approx(float((atoms.positions[1, 0] - 2.0) ** 2))


def test_scf_fallbacks_change_the_path_not_the_hamiltonian():
    """Fallback settings may only touch the SCF path (mixer, iterations, guess, convergence thresholds):
    never the method, the electronic temperature or the charge, which would change the converged energy.
    ``accuracy`` (SCF thresholds) is allowed up to 3, checked against accuracy 1 in the next test."""
    allowed = {"mixer_damping", "max_iterations", "guess", "mixer_memory", "accuracy"}
    for setting in (*slab_engine.SCF_FALLBACKS, slab_engine.RELAX_SCF_FALLBACK):
        assert set(setting) <= allowed, setting
        assert setting.get("accuracy", 1.0) <= 3.0


def test_accuracy_fallback_leaves_energy_and_forces_unchanged():
    """tblite accuracy 3 (the SCF-failure fallback) against accuracy 1 on the periodic 1x1 slab with a
    methylammonium acetate pair on top (~1 s): the same energy within 1e-4 eV and forces within 5e-3 eV/A,
    a tenth of the 0.05 eV/A relaxation threshold (on the OA complex measured 1e-7 eV and 6e-4 eV/A)."""
    atoms = slab.slab(3, 1)
    pair = slab._methylammonium() + slab.structures._acetate().copy()
    pair.positions[9:] += [0.0, 0.0, -3.0]
    pair.translate([A / 2, A / 2, atoms.positions[:, 2].max() + 6.0])
    atoms += pair
    ef = []
    for acc in (1.0, 3.0):
        a = atoms.copy()
        a.calc = slab_engine._calc("GFN2-xTB", 300.0, scf={"accuracy": acc})
        ef.append((a.get_potential_energy(), a.get_forces()))
    assert abs(ef[0][0] - ef[1][0]) < 1e-4
    assert np.abs(ef[0][1] - ef[1][1]).max() < 5e-3


class _Sheet(_WalledWell):
    """Harmonic well whose 'SCF' fails in a thin sheet 0.84 < x < 0.88 spanning the whole plane: a kick
    cannot get around it, and the straight BFGS path (trial points 0.057, 0.257, ..., 0.857, ...) lands in it."""

    @staticmethod
    def _fails(x) -> bool:
        return 0.84 < x[0] < 0.88


def test_relaxation_backtracks_across_a_failure_sheet(monkeypatch):
    """The backtracking of ``_relax`` (< 1 s): a step that lands in the failure sheet is halved along its
    own direction and the relaxation converges without any kick restart; with the backtracking switched
    off and no restart budget it stops in front of the sheet, unconverged."""
    from ase.constraints import FixAtoms

    monkeypatch.setattr(slab_engine, "_calc", lambda *a, **k: _Sheet())
    s = slab_engine.SlabSettings("OAm", fmax_eV_per_A=0.01, max_steps=200)

    def relax():
        atoms = Atoms("HH", positions=[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
        atoms.set_constraint(FixAtoms(indices=[0]))
        return atoms, slab_engine._relax(atoms, s, max_restarts=0)

    atoms, (energy, steps, converged, info) = relax()
    assert converged and info["scf_restarts"] == 0 and info["backtracks"] >= 1 and info["scf_failures"] >= 1
    np.testing.assert_allclose(atoms.positions[1], [2.0, 0.0, 0.0], atol=0.01)
    monkeypatch.setattr(slab_engine, "BACKTRACK_SCALES", ())
    atoms, (energy, steps, converged, info) = relax()
    assert not converged and atoms.positions[1, 0] < 0.84


def test_shipped_comparison_table_matches_the_runs():
    """The "comparison" block of the shipped file is what :func:`comparison_table` derives from the
    shipped runs, the shipped cluster values and the paper (no hand-edited numbers)."""
    record = slab_engine.load_slab_shipped()
    assert record["comparison"] == json.loads(json.dumps(slab_engine.comparison_table(record)))
    diffs = record["comparison"]["differences_eV"]
    assert diffs["PF6 - NSA"]["paper_dft_eV"] == pytest.approx(PAPER["PF6"] - PAPER["NSA"])
    assert diffs["NSA - OAm"]["paper_dft_eV"] == pytest.approx(PAPER["NSA"] - PAPER["OAm"])
    for ref in record["comparison"]["literature"]:
        assert ref["ref"] and ref["note"]  # every entry names its source


def _gap_eV(atoms, method):
    from ase.units import Bohr, Hartree
    from tblite.interface import Calculator

    calc = Calculator(method, atoms.numbers, atoms.positions / Bohr, 0, 0, atoms.cell.array / Bohr, atoms.pbc)
    calc.set("verbosity", 0)
    res = calc.singlepoint()
    e, occ = res["orbital-energies"] * Hartree, res["orbital-occupations"]
    return float(e[occ < 1.0].min() - e[occ > 1.0].max())


def test_gfn1_closes_the_gap_of_the_periodic_slab():
    """Why the slab values are GFN2-xTB only (slab_engine.GFN1_DIAGNOSIS), ~3 s: on the bare 3-plane
    slab GFN1-xTB has a 1.3 eV gap in the 1x1 cell but < 0.1 eV in the 2x2 supercell (measured 1.29 and
    0.03 eV), while GFN2-xTB keeps > 2 eV in both (2.56, 3.84 eV). A near-metallic slab is no model of
    CsPbI3 (gap 1.7 eV in the bulk, larger in a thin slab)."""
    assert _gap_eV(slab.slab(3, 1), "GFN1-xTB") > 1.0
    assert _gap_eV(slab.slab(3, 2), "GFN1-xTB") < 0.1
    assert min(_gap_eV(slab.slab(3, m), "GFN2-xTB") for m in (1, 2)) > 2.0


@pytest.mark.slow
def test_shipped_oa_relaxation_is_reproduced(run, tmp_path):
    """OA with the two-stage backtracking protocol (~7 CPU min, dozens of SCF failures on the way): the
    seeded protocol is deterministic, so the shipped relaxation (converged, its restarts and SCF-failure
    counts) and value come back within 1 meV."""
    shipped = run["results"]["OA"]
    r = slab_engine.compute_slab_binding_energy("OA", max_steps=600, cache_dir=tmp_path)
    assert r.converged == shipped["converged"] and r.scf_restarts == shipped["scf_restarts"]
    assert r.scf_failures == shipped["scf_failures"]
    assert r.binding_energy_eV == pytest.approx(run["binding_energies_eV"]["OA"], abs=1e-3)


@pytest.mark.parametrize("name", ["OAm", "OA"])
def test_gas_pair_reference_is_the_lowest_start_and_reproducible(run, name):
    """The gas-phase pair reference (slab_engine._with_pair_reference, ~1 s): the lowest of the relaxation
    starts, recomputed from the shipped on-surface geometry within 1 meV. For OA the starts differ by
    0.32 eV (ion pair vs H-bonded minima; measured -600.04 vs -600.37 eV), which is why one start is not
    enough."""
    r = _results(run)[name]
    ref = r.pair_reference
    assert r.energy_pair_eV == min(e for e in ref["energies_eV"].values() if e is not None)
    assert ref["energies_eV"]["surface"] == r.energy_pair_surface_start_eV
    again = slab_engine._with_pair_reference(r)
    assert again.energy_pair_eV == pytest.approx(r.energy_pair_eV, abs=1e-3)
    assert again.binding_energy_eV == pytest.approx(r.binding_energy_eV, abs=1e-3)
