"""``qdled device`` command."""

import json

import pytest
from typer.testing import CliRunner

from qdled.cli.main import app

runner = CliRunner()
KEYS = {
    "peak_eqe",
    "max_luminance_cd_m2",
    "voltage_at_max_luminance_V",
    "turn_on_voltage_V",
    "el_peak_nm",
    "el_fwhm_nm",
    "cie_x",
    "cie_y",
    "t50_min_at_1000_cd_m2",
    "calibrated",
    "calibrated_outputs",
    "predicted_outputs",
    "paper_comparison",
    "inputs",
}


def test_device_json_keys_and_values():
    r = runner.invoke(app, ["device", "--json", "--eta-out", "0.274"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert KEYS <= set(d)
    assert 0 < d["peak_eqe"] < 0.274
    assert d["max_luminance_cd_m2"] == pytest.approx(4203, rel=0.01)  # calibrated (see CALIBRATED)
    assert "calibration inputs" in d["inputs"]["optics_source"]
    assert "peak_eqe" in d["predicted_outputs"] and "max_luminance_cd_m2" in d["calibrated_outputs"]
    assert d["paper_comparison"]["cie_x"]["status"] == "input"  # the paper's EL was the input
    assert d["paper_comparison"]["peak_eqe"]["status"] == "predicted"


def test_device_control_recipe_and_plot(tmp_path):
    png = tmp_path / "dev.png"
    r = runner.invoke(app, ["device", "--recipe", "li2024-control", "--eta-out", "0.274", "--json", "--plot", str(png)])
    assert r.exit_code == 0, r.output
    assert png.stat().st_size > 10_000
    d = json.loads(r.stdout)
    assert d["device"] == "li2024-control"
    # the control's T50 would be a prediction of the degradation model (its one constant is fitted on the NSA
    # device), but the predicted control (its OA/OAm shell alone) never reaches the paper's 500 cd/m2: no value,
    # and the lifetime block says why
    t50 = d["paper_comparison"]["t50_min_at_500_cd_m2"]
    assert t50["paper"] == 43.0 and t50["status"] == "predicted" and t50["model"] is None
    assert d["lifetime"]["paper"]["reachable"] is False and d["lifetime"]["paper"]["model_t50_min"] is None
    assert "below the initial luminance" in d["lifetime"]["note"]
    # the compact surrogate copies the solver's predicted control: nothing of it is calibrated to the paper
    assert d["paper_comparison"]["peak_eqe"]["status"] == "predicted"
    assert set(d["surrogate_fit"]) == {"qd_ligand_gap_nm", "plqy"}
    # refuses to overwrite without --force
    r = runner.invoke(app, ["device", "--eta-out", "0.274", "--plot", str(png)])
    assert r.exit_code != 0


def test_device_stack_thickness_enters(tmp_path):
    from qdled.io.stack import default_stack

    f = tmp_path / "thick.toml"
    f.write_text(default_stack().with_values({"QD.thickness_nm": 60}).to_toml())
    r = runner.invoke(app, ["device", str(f), "--eta-out", "0.274", "--json"])
    assert r.exit_code == 0, r.output
    # a thicker emitting layer needs more voltage for the same current -> lower luminance at 5.8 V
    assert json.loads(r.stdout)["max_luminance_cd_m2"] < 4203


def test_device_bad_recipe_is_input_error():
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("qdled")
    p = subprocess.run(
        [str(exe), "device", "--recipe", "/nonexistent.toml", "--eta-out", "0.2"], capture_output=True, text=True
    )
    assert p.returncode == 2 and p.stderr.startswith("qdled: error:")


@pytest.mark.slow
def test_device_with_optics():
    r = runner.invoke(app, ["device", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["inputs"]["optics_source"].startswith("qdled.optics")
    assert d["el_peak_nm"] == pytest.approx(628, abs=6)


def test_optics_source_quotes_the_given_eta_out():
    # the source text said "eta_out 0.274" whatever --eta-out was
    r = runner.invoke(app, ["device", "--json", "--eta-out", "0.2"])
    assert r.exit_code == 0
    source = json.loads(r.stdout)["inputs"]["optics_source"]
    assert "eta_out 0.2 " in source and "0.274" not in source


def test_route_to_device_mapping_is_the_apis():
    from qdled.device import device_for_recipe, device_for_route
    from qdled.errors import InputError

    assert device_for_route("NH4PF6") == "li2024-nsa-pf6" and device_for_route("OA/OAm") == "li2024-control"
    assert device_for_recipe("li2024-control") == "li2024-control"  # a device name is itself
    with pytest.raises(InputError, match="route"):
        device_for_route("none")


def test_device_drift_diffusion_model(tmp_path):
    """The default ``qdled device`` runs the 1-D solver on the stack with the stack's position-resolved optics:
    no current at 0 V (equilibrium), photons out between the worst and best outcoupling in the film x photons
    generated, every ratio in [0, 1], the compact model's keys, and a band-diagram figure."""
    fig = tmp_path / "dd.png"
    r = runner.invoke(app, ["device", "--json", "--plot", str(fig)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert KEYS <= set(d)
    assert d["model"] == "drift-diffusion" and "calibrated on the NSA-NH4PF6 device only" in d["note"]
    assert d["voltage_V"][0] == 0.0 and d["current_density_mA_cm2"][0] == 0.0
    eta = d["optics"]["position_resolved"]["eta_out"]
    for iqe, eqe, cb in zip(
        d["internal_quantum_efficiency"], d["external_quantum_efficiency"], d["charge_balance"], strict=True
    ):
        assert min(eta) * iqe - 1e-15 <= eqe <= max(eta) * iqe + 1e-15
        assert 0.0 <= cb <= 1.0 + 1e-9
    assert fig.stat().st_size > 0


def test_device_model_compact_is_the_surrogate():
    r = runner.invoke(app, ["device", "--model", "compact", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["model"] == "compact" and KEYS <= set(d)


def test_device_model_option_checked():
    from qdled.errors import InputError

    r = runner.invoke(app, ["device", "--model", "spice"])
    assert isinstance(r.exception, InputError) and "--model" in str(r.exception)
