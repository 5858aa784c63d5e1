"""``qdled dots`` through typer's CliRunner."""

import json

from typer.testing import CliRunner

from qdled.cli.main import app

runner = CliRunner()


def test_json_output_has_the_documented_keys():
    res = runner.invoke(app, ["dots", "--edge-nm", "4.3", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in (
        "absorption_peak_nm",
        "pl_peak_nm",
        "pl_fwhm_nm",
        "bandgap_eV",
        "plqy",
        "tau_avg_ns",
        "calibrated",
        "predicted",
    ):
        assert key in data
    assert abs(data["pl_peak_nm"] - 623) < 0.5 and abs(data["pl_fwhm_nm"] - 32) < 0.5
    assert data["absorption_peak_nm"] < data["pl_peak_nm"]
    assert data["pl_fwhm_nm_with_tem_sd"] > data["pl_fwhm_nm"]


def test_given_spread_and_method_change_the_answer():
    a = json.loads(runner.invoke(app, ["dots", "--edge-nm", "6", "--sd-nm", "0.3", "--json"]).stdout)
    b = json.loads(runner.invoke(app, ["dots", "--edge-nm", "6", "--method", "brus", "--json"]).stdout)
    assert "pl_fwhm_nm" in a["predicted"] and "pl_peak_nm" in a["predicted"]
    assert a["pl_peak_nm"] > 623 and b["bandgap_eV"] != a["bandgap_eV"]


def test_bad_edge_is_an_input_error():
    res = runner.invoke(app, ["dots", "--edge-nm", "-2", "--json"])
    assert res.exit_code != 0
    assert "edge" in str(res.exception)
    # sizes outside the models' range (0.5 nm gave PL at 223 nm, 200 nm a 0.9 ps lifetime) are refused
    for edge in ("0.5", "200"):
        res = runner.invoke(app, ["dots", "--edge-nm", edge, "--json"])
        assert res.exit_code != 0 and "1-30 nm" in str(res.exception)


def test_plot_refuses_to_overwrite(tmp_path):
    out = tmp_path / "dots.png"
    assert runner.invoke(app, ["dots", "--plot", str(out), "--json"]).exit_code == 0
    assert out.stat().st_size > 0
    res = runner.invoke(app, ["dots", "--plot", str(out), "--json"])
    assert res.exit_code != 0
    assert runner.invoke(app, ["dots", "--plot", str(out), "--force", "--json"]).exit_code == 0
