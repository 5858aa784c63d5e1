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
#: Ligands the shipped slab run holds (NSA as a lower bound: see the run's notes).
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


def test_isolated_molecule_limit_on_a_small_slab(run):
    """Fast (< 20 s): pair-slab interaction of the shipped OAm pair decays to ~0 as it is lifted.

    Interaction = E(slab) + E(pair alone, same periodic cell) - E(slab + pair), pair frozen.
    Measured 4.5 (on the surface), 0.21 (lifted 8 A), 0.022 eV (16 A): the tail is the slow
    molecule-surface dispersion. Tolerance 0.05 eV at 16 A, a twentieth of the binding energies.
    """
    r = _results(run)["OAm"]
    on, mid, far = (
        slab_engine.frozen_pair_binding_energy(r, n_layers=3, lateral=2, lift_A=lift, interaction=True)
        for lift in (0.0, 8.0, 16.0)
    )
    assert on > 1.0 and on > mid > abs(far)
    assert abs(far) < 0.05, far


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
        assert r.settings.fmax_eV_per_A <= 0.1
        assert (r.settings.n_layers, r.settings.lateral, r.settings.method) == (3, 2, "GFN2-xTB")
        assert run["timing_cpu_s"][name] > 0
        assert r.settings.fmax_eV_per_A == 0.05 and r.cpu_s > 0 and r.wall_s > 0  # timings recorded per run
    for conv in run["convergence"].values():
        assert set(conv) >= {"n_layers", "lateral", "isolated_limit_eV", "k_points", "cpu_s"}


#: Ligands whose 5 -> 7 plane change exceeds the tolerance, as measured (eV): recorded, not hidden.
THICKNESS_NOT_CONVERGED_EV = {"NSA": -0.13}


def test_binding_energy_is_converged_in_slab_thickness(run):
    """Frozen relaxed pair on ideal 3-, 5- and 7-plane slabs (measured OAm 2.47, 2.75, 2.83 eV; OA
    -, 1.58, 1.61 eV; NSA -, 3.45, 3.32; PF6 2.56, -, 2.38: single points whose SCF failed are None;
    PF6's 7-plane point converged with the accuracy-3 SCF fallback).

    5 -> 7 planes changes E_bind by < 0.1 eV (a third of the 0.3 eV aim; measured 0.08 OAm, 0.03 OA);
    NSA's 0.13 eV is outside, recorded in :data:`THICKNESS_NOT_CONVERGED_EV`. The 3-plane
    production slab is NOT converged for OAm (0.37 eV below 7 planes; thicker binds more, the
    sign is pinned) while PF6 moves the other way (-0.18 eV): the shipped
    ``binding_energies_7plane_eV`` add that frozen-pair correction where both ends exist.
    """
    assert set(run["binding_energies_7plane_eV"]) >= {"OAm", "PF6"}
    oam = run["convergence"]["OAm"]["n_layers"]
    assert oam["3"] < oam["5"] < oam["7"] + 0.05
    for name, conv in run["convergence"].items():
        c = conv["n_layers"]
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
LATERAL_NOT_CONVERGED_EV = {"PF6": 0.29}


def test_binding_energy_is_converged_in_lateral_cell_and_k_points(run):
    """2x2 vs 3x3 Gamma-point supercells (= 2x2x1 vs 3x3x1 k-meshes of the 1x1 cell): < 0.15 eV.

    The difference holds coverage (1/4 -> 1/9 of the surface CsI pairs) and Brillouin-zone
    sampling together; 0.15 eV is half the 0.3 eV aim. Measured OAm +0.10 eV; PF6 +0.29 eV
    is outside (the NH4+ PF6- pair interacts with its images in the 2x2 cell), listed in
    :data:`LATERAL_NOT_CONVERGED_EV` so that the test fails if it changes; the 2x2 points of OA
    and NSA failed the SCF.
    """
    for name, conv in run["convergence"].items():
        c = conv["lateral"]
        if None in c.values():
            continue
        delta = c["3x3"] - c["2x2"]
        if name in LATERAL_NOT_CONVERGED_EV:
            assert delta == pytest.approx(LATERAL_NOT_CONVERGED_EV[name], abs=0.02), (name, c)
        else:
            assert abs(delta) < 0.15, (name, c)


def test_shipped_isolated_limits(run):
    """Each relaxed pair lifted 16 A above the slab: the pair-slab interaction must vanish.

    OAm (small CH3NH3+ I- pair): |interaction| < 0.05 eV (measured 0.022, see the fast test). The
    larger, more polar pairs are recorded as measured and held to 0.25 eV: OA -0.10, NSA -0.20,
    PF6 -0.23 eV at 16 A, not zero, so their frozen-pair scans carry a ~0.2 eV uncertainty (likely the
    pair dipole and its periodic images, no dipole correction in tblite); the test fails if any pair
    drifts further."""
    assert set(run["convergence"]) >= {"OAm"}
    assert abs(run["convergence"]["OAm"]["isolated_limit_eV"]) < 0.05
    for name, conv in run["convergence"].items():
        if conv["isolated_limit_eV"] is not None:
            assert abs(conv["isolated_limit_eV"]) < 0.25, name
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

    monkeypatch.setattr(slab_engine, "MAX_SCF_RESTARTS", 0)
    atoms = Atoms("HH", positions=[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    atoms.set_constraint(FixAtoms(indices=[0]))
    energy, steps, converged, info = slab_engine._relax(atoms, s)
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
    monkeypatch.setattr(slab_engine, "MAX_SCF_RESTARTS", 0)
    s = slab_engine.SlabSettings("OAm", fmax_eV_per_A=0.01, max_steps=200)

    def relax():
        atoms = Atoms("HH", positions=[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
        atoms.set_constraint(FixAtoms(indices=[0]))
        return atoms, slab_engine._relax(atoms, s)

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
