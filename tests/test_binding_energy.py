"""Binding energies with GFN2-xTB: bookkeeping, disk cache, shipped values, paper comparison, size convergence.

Validation data: the paper's DFT binding energies to surface Pb, OAm 1.23 eV, NSA 1.45 eV,
PF6 3.92 eV (Li et al., Nat. Commun. 15, 5696 (2024), text beside Fig. 2a). Nothing in the
model is fitted to them.
"""

import dataclasses
import time

import numpy as np
import pytest

import qdled.binding as B
from qdled.binding import engine, shipped
from qdled.errors import InputError

PAPER = {"OAm": 1.23, "NSA": 1.45, "PF6": 3.92}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("qdled-cache")


@pytest.fixture(scope="module")
def pf6_rigid(cache):
    return B.compute_binding_energy("PF6", cluster_n=1, mode="rigid", cache_dir=cache)


def test_result_bookkeeping(pf6_rigid):
    r = pf6_rigid
    assert r.binding_energy_eV == pytest.approx(
        r.energy_surface_eV + r.energy_ligand_eV - r.energy_complex_eV, abs=1e-9
    )
    assert (r.charge_surface, r.charge_ligand, r.charge_complex) == (1, -1, 0)
    assert r.complex_formula == "Cs4F6I5PPb" and r.surface_formula == "Cs4I5Pb"
    assert engine.SCAN_BOUNDS_A[0] + 0.05 < r.pb_donor_distance_A < engine.SCAN_BOUNDS_A[1] - 0.05  # a real minimum
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.binding_energy_eV = 0.0  # frozen


def test_energies_match_a_direct_tblite_call(pf6_rigid):
    """The ligand energy equals an independent single point of the relaxed ion (same engine, no qdled code path)."""
    from ase.optimize import BFGS
    from tblite.ase import TBLite

    from qdled.binding.structures import ligand_spec

    atoms = ligand_spec("PF6").build()
    atoms.calc = TBLite(method="GFN2-xTB", charge=-1, verbosity=0)
    BFGS(atoms, logfile=None).run(fmax=0.05, steps=300)
    # BFGS to fmax 0.05 eV/A on a 7-atom ion: energies agree to well below a meV
    assert atoms.get_potential_energy() == pytest.approx(pf6_rigid.energy_ligand_eV, abs=1e-3)
    # P-F bond of the relaxed ion: experiment ~1.58-1.60 A (NH4PF6/KPF6 crystals); GFN2 within 0.05 A
    assert np.mean(atoms.get_distances(0, range(1, 7))) == pytest.approx(1.59, abs=0.05)


def test_iodide_refills_its_vacancy_at_the_experimental_bond_length(cache):
    """GFN2-xTB puts I- back at the Pb-I distance of the real lattice, a/2 = 3.14 A (Sutton 2018)."""
    from qdled.materials.cspbi3 import LATTICE_CONSTANT_M

    r = B.compute_binding_energy("I-", cluster_n=1, mode="rigid", cache_dir=cache)
    # 0.1 A: GFN2 Pb-I bond lengths are typically within a few hundredths of an angstrom of
    # experiment; the scan itself resolves 0.02 A
    assert r.pb_donor_distance_A == pytest.approx(LATTICE_CONSTANT_M * 1e10 / 2, abs=0.1)
    assert r.binding_energy_eV > 2.0  # an ionic vacancy refill is strongly bound


def test_second_run_comes_from_the_disk_cache(cache, pf6_rigid, monkeypatch):
    files = list((cache / "binding").glob("*.json"))
    assert pf6_rigid.cache_key in [f.stem for f in files]
    monkeypatch.setattr(engine, "_compute", lambda *a, **k: pytest.fail("cache not used"))
    t0 = time.perf_counter()
    again = B.compute_binding_energy("PF6", cluster_n=1, mode="rigid", cache_dir=cache)
    assert time.perf_counter() - t0 < 0.5
    assert again == pf6_rigid
    # a different setting is a different key
    with pytest.raises(pytest.fail.Exception):
        B.compute_binding_energy("PF6", cluster_n=1, mode="rigid", fmax_eV_per_A=0.1, cache_dir=cache)


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    from qdled.binding.cache import cache_dir

    monkeypatch.setenv("QDLED_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "binding"


def test_bad_inputs_raise():
    with pytest.raises(InputError, match="mode must be one of"):
        B.compute_binding_energy("PF6", mode="fast")
    with pytest.raises(InputError, match="fmax_eV_per_A must be > 0, got -1"):
        B.compute_binding_energy("PF6", fmax_eV_per_A=-1)
    with pytest.raises(InputError, match="unknown ligand 'TOPO'"):
        B.binding_energies(["TOPO"])


# ---------------------------------------------------------------- shipped values


def test_binding_energies_returns_shipped_values_without_computing(monkeypatch):
    monkeypatch.setattr(engine, "_compute", lambda *a, **k: pytest.fail("shipped values not used"))
    values = B.binding_energies()
    assert list(values) == ["OAm", "OA", "NSA", "PF6"]
    assert values == {k: v for k, v in shipped.shipped_values(1, "relaxed").items() if k in values}


def test_shipped_file_is_self_consistent():
    record = shipped.load_shipped()
    assert {"relaxed_n1", "rigid_n1", "rigid_n2", "rigid_n3"} <= set(record["runs"])
    for rid, run in record["runs"].items():
        assert run["command"].startswith("qdled bind --recompute")
        for name, value in run["binding_energies_eV"].items():
            r = B.BindingResult.from_dict(run["results"][name])
            assert shipped.run_id(r.settings.cluster_n, r.settings.mode) == rid
            assert value == pytest.approx(r.energy_surface_eV + r.energy_ligand_eV - r.energy_complex_eV, abs=1e-3)
            assert r.converged


def test_shipped_rigid_values_are_reproduced_by_the_code(cache):
    """Fast recomputation of two shipped small-model values (rigid mode, ~1 s each)."""
    ref = shipped.shipped_values(1, "rigid")
    got = B.binding_energies(["OAm", "PF6"], recompute=True, cluster_n=1, mode="rigid", cache_dir=cache)
    for name in got:
        # same deterministic SCF on the same structure; 1 meV allows for BLAS/threads rounding
        assert got[name] == pytest.approx(ref[name], abs=1e-3)


def test_paper_ordering_and_deviation():
    """GFN2-xTB (relaxed, Cs4PbI6-derived site) against the paper's DFT values.

    Measured (shipped run relaxed_n1): OAm 0.63 (paper 1.23), NSA 2.33 (1.45), PF6 3.70 (3.92) eV.
    The ordering PF6 > NSA > OAm of the paper is reproduced. Deviations up to ~0.9 eV: a
    semi-empirical method on an 11-atom cluster in vacuum vs DFT on the paper's (unstated)
    surface model; we claim agreement only to within 1 eV per ligand.
    """
    got = B.binding_energies(["OAm", "NSA", "PF6"])
    assert got["PF6"] > got["NSA"] > got["OAm"] > 0
    assert B.paper_dft_eV() == PAPER
    for name, ref in PAPER.items():
        assert abs(got[name] - ref) < 1.0, (name, got[name], ref)


#: Allowed change of the rigid binding energy from n=1 (Cs4PbI6 site, 10 atoms) to n=3
#: (Cs24Pb9I41 site, 74 atoms). Measured (shipped runs): OAm +0.08, OA +0.23, NSA +0.44,
#: NH4PF6 +0.69, PF6 +0.93, I- +0.83 eV. Neutral molecular ligands are converged to ~0.5 eV;
#: anions binding into the charged vacancy (and the strongly polar NH4+PF6- pair) are NOT
#: converged at these sizes (the electrostatic potential of the Cs-rich site grows with the
#: cluster), so their bound is wider and stated as such.
SIZE_TOLERANCE_EV = {"OAm": 0.5, "OA": 0.5, "NSA": 0.5, "NH4PF6": 1.0, "PF6": 1.0, "I-": 1.0}


def test_size_convergence_from_shipped_runs():
    """Rigid binding energies on the n=1, 2, 3 clusters (shipped runs, made by this code).

    The ranking PF6 > NSA > OAm must not depend on the cluster size; values must change by
    less than SIZE_TOLERANCE_EV from n=1 to n=3. The slow test below recomputes n=3.
    """
    small, large = shipped.shipped_values(1, "rigid"), shipped.shipped_values(3, "rigid")
    for name in large:
        assert abs(large[name] - small[name]) < SIZE_TOLERANCE_EV[name], (name, small[name], large[name])
    for n in (1, 2, 3):
        v = shipped.shipped_values(n, "rigid")
        assert v["PF6"] > v["NSA"] > v["OAm"] > 0, (n, v)


@pytest.mark.slow
def test_size_convergence_recomputed(tmp_path):
    """Recompute the n=3 rigid values (~1.5 min per ligand on one core) and compare with n=1."""
    large = B.binding_energies(["OAm", "PF6"], recompute=True, cluster_n=3, mode="rigid", cache_dir=tmp_path)
    small = B.binding_energies(["OAm", "PF6"], recompute=True, cluster_n=1, mode="rigid", cache_dir=tmp_path)
    ref = shipped.shipped_values(3, "rigid")
    for name in large:
        assert large[name] == pytest.approx(ref[name], abs=1e-3)
        assert abs(large[name] - small[name]) < SIZE_TOLERANCE_EV[name]


@pytest.mark.slow
def test_relaxed_values_are_reproduced(tmp_path):
    """Full recomputation of the shipped relaxed run (about 1.5 min on one core)."""
    ref = shipped.shipped_values(1, "relaxed")
    got = B.binding_energies(list(ref), recompute=True, cluster_n=1, mode="relaxed", cache_dir=tmp_path)
    for name in ref:
        # BFGS paths are deterministic; 0.01 eV covers floating-point differences between machines
        assert got[name] == pytest.approx(ref[name], abs=0.01)


def test_damaged_cache_entry_is_a_miss(cache, pf6_rigid, monkeypatch):
    # valid JSON of the wrong shape under the right key crashed `qdled bind` with a TypeError
    (cache / "binding" / f"{pf6_rigid.cache_key}.json").write_text("[1, 2, 3]")
    monkeypatch.setattr(engine, "_compute", lambda *a, **k: pf6_rigid)
    again = B.compute_binding_energy("PF6", cluster_n=1, mode="rigid", cache_dir=cache)
    assert again == pf6_rigid
