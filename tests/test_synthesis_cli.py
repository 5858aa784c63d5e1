"""``qdled synthesize`` through typer's CliRunner."""

import json

import pytest
from typer.testing import CliRunner

from qdled.cli.main import app

runner = CliRunner()


def test_synthesize_json_and_plot(tmp_path):
    png = tmp_path / "s.png"
    res = runner.invoke(app, ["synthesize", "li2024-nsa-pf6", "--nsa-mmol", "0.6", "--json", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("mean_edge_nm", "sd_edge_nm", "pl_peak_nm", "pl_fwhm_nm", "yield", "calibrated"):
        assert key in out
    assert 3.5 < out["mean_edge_nm"] < 5.5
    # the synthesis size target came from PL 626 nm through an L^-2 law; qdled.dots (Kane model) maps
    # the simulated mean back to within 1 nm of it (two independent size-energy relations agree)
    assert out["pl_peak_nm"] == pytest.approx(626.0, abs=1.0)
    # the full simulated distribution (volume-weighted PL of a 0.8 nm spread) is redder and broader
    assert out["pl_peak_full_distribution_nm"] > out["pl_peak_nm"] + 5
    assert out["pl_fwhm_full_distribution_nm"] > out["pl_fwhm_nm"]
    assert "gamma_ref_J_m2" in out["calibrated"]
    assert png.stat().st_size > 1000
    # refuses to overwrite without --force
    again = runner.invoke(app, ["synthesize", "li2024-control", "--json", "--plot", str(png)])
    assert again.exit_code != 0


def test_synthesize_bad_option():
    res = runner.invoke(app, ["synthesize", "li2024-control", "--nsa-mmol", "-1", "--json"])
    assert res.exit_code != 0
    assert "--nsa-mmol" in str(res.exception) + res.output


def test_synthesize_with_slab_binding_energies():
    """--binding slab feeds the shipped periodic-slab GFN2-xTB values (qdled.binding.slab_engine) into the ligand
    model and names the ligands whose relaxation did not converge (their energies are lower bounds)."""
    from qdled.binding.slab_engine import shipped_slab_run

    res = runner.invoke(app, ["synthesize", "li2024-control", "--bins", "100", "--binding", "slab", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    run = shipped_slab_run()
    assert out["binding_energies_eV"] == {k: float(v) for k, v in run["binding_energies_eV"].items()}
    lower = [n for n, r in run["results"].items() if not r["converged"]]
    assert all(n in out["binding_note"] for n in lower)
    assert out["mean_edge_nm"] > 0


def test_synthesize_with_xtb_binding_energies():
    """--binding xtb feeds the shipped GFN2-xTB values (qdled.binding) into the ligand model."""
    from qdled.binding import binding_energies

    res = runner.invoke(app, ["synthesize", "li2024-control", "--bins", "100", "--binding", "xtb", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["binding_energies_eV"] == binding_energies(("OAm", "OA", "NSA", "PF6"))
    bad = runner.invoke(app, ["synthesize", "--binding", "dft", "--json"])
    assert bad.exit_code != 0 and "--binding" in str(bad.exception)
