"""Recipe sweeps: the sweep machinery runs qdled.synthesis for each point of a recipe design."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.cli.main import app
from qdled.dots import pl_peak_track_nm
from qdled.io.recipe import load_recipe
from qdled.sweep import SweepSpec, parse_vary, run_sweep
from qdled.synthesis import simulate

N_BINS = 120  # coarse grid: this test checks the plumbing and the dose trend, not converged sizes


def test_recipe_sweep_holds_the_synthesis_of_each_recipe(tmp_path):
    base = load_recipe("li2024-nsa-pf6")
    spec = SweepSpec(
        kind="recipe",
        base_toml=base.to_toml(),
        axes=(parse_vary("nsa.amount_mmol=0,0.6"),),
        targets=("pl_peak_nm", "mean_edge_nm", "sd_edge_nm"),
        chunk_size=1,
        options={"n_bins": N_BINS},
    )
    ds = run_sweep(spec, tmp_path / "r.nc")
    direct = simulate(base.with_values({"nsa.amount_mmol": 0.6}), n_bins=N_BINS)
    got = ds.sel({"nsa.amount_mmol": 0.6})
    assert float(got["mean_edge_nm"]) == direct.mean_edge_nm
    assert float(got["pl_peak_nm"]) == float(pl_peak_track_nm(direct.mean_edge_nm)[0])
    # NSA stops ripening: smaller dots, bluer PL than without NSA (Li et al., Nat. Commun. 15, 5696 (2024), Fig. 1d)
    pl = ds["pl_peak_nm"].values
    assert pl[0] > pl[1] + 3.0
    assert np.all(np.isfinite(ds["sd_edge_nm"].values))


runner = CliRunner()


def test_cli_recipe_sweep_and_errors(tmp_path):
    out = tmp_path / "dose.nc"
    res = runner.invoke(
        app,
        [
            "sweep",
            "--recipe",
            "li2024-nsa-pf6",
            "--vary",
            "nsa.amount_mmol=0.2,0.8",
            "--scheduler",
            "serial",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    best = json.loads(res.stdout)
    assert best["n_points"] == 2 and out.exists()
    assert best["best"]["nsa.amount_mmol"] == pytest.approx(0.2)  # the reddest PL is at the lowest dose
    bad = runner.invoke(
        app,
        ["sweep", "--recipe", "li2024-nsa-pf6", "--vary", "nsa.colour=1,2", "--out", str(tmp_path / "x.nc"), "--json"],
    )
    # (the one-line message and exit code 2 come from qdled.cli.main.main; CliRunner sees the exception)
    assert bad.exit_code != 0 and "nsa.colour" in str(bad.exception)
    wrong = runner.invoke(
        app,
        [
            "sweep",
            "--recipe",
            "li2024-nsa-pf6",
            "--vary",
            "nsa.amount_mmol=0,1",
            "--target",
            "eqe_ceiling",
            "--out",
            str(tmp_path / "y.nc"),
        ],
    )
    assert wrong.exit_code != 0 and "eqe_ceiling" in str(wrong.exception)
