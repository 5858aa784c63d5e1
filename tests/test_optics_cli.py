"""`qdled optics` command."""

import json

from typer.testing import CliRunner

from qdled.cli.main import app

runner = CliRunner()


def test_json_output_has_the_documented_keys():
    res = runner.invoke(app, ["optics", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in (
        "wavelength_nm",
        "purcell_factor",
        "purcell_vertical",
        "purcell_horizontal",
        "fractions",
        "eqe_ceiling",
    ):
        assert key in out
    assert set(out["fractions"]) >= {"outcoupled", "substrate", "waveguide", "plasmon", "absorbed"}
    assert abs(sum(out["fractions"].values()) - 1) < 1e-9


def test_spectrum_file_and_plot(tmp_path):
    spec = tmp_path / "pl.csv"
    spec.write_text("wavelength_nm,intensity\n600,0.2\n615,0.8\n623,1.0\n630,0.8\n645,0.2\n")
    png = tmp_path / "k.png"
    res = runner.invoke(app, ["optics", "--spectrum", str(spec), "--json", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert "el_peak_nm" in out and png.stat().st_size > 0
    res = runner.invoke(app, ["optics", "--plot", str(png)])  # no overwrite without --force
    assert res.exit_code != 0
    res = runner.invoke(app, ["optics", "--plot", str(png), "--force"])
    assert res.exit_code == 0


def test_bad_inputs_are_input_errors(tmp_path):
    from qdled.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("wl,I\n600,1\n")
    for args in (["--spectrum", str(bad)], ["--plqy", "1.5"], ["--spectrum", str(tmp_path / "missing.csv")]):
        res = runner.invoke(app, ["optics", *args])
        assert isinstance(res.exception, InputError), (args, res.exception)


def test_bad_wavelength_exits_with_code_2():
    import subprocess
    import sys
    from pathlib import Path

    qdled = Path(sys.executable).with_name("qdled")
    proc = subprocess.run([str(qdled), "optics", "--wavelength-nm", "-5"], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    # the message names the option (--wavelength-nm) or the API argument (wavelength_nm)
    assert proc.stderr.startswith("qdled: error:") and (
        "wavelength-nm" in proc.stderr or "wavelength_nm" in proc.stderr
    )


def test_unconverged_quadrature_is_said_in_json_and_on_stderr(monkeypatch):
    # a quadrature stopped before it converges must not print numbers as if they were fine
    import qdled.optics.channels as channels

    real = channels.adaptive
    monkeypatch.setattr(channels, "adaptive", lambda *a, **k: real(*a, **{**k, "start_panels": 1, "max_panels": 1}))
    res = runner.invoke(app, ["optics", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["quadrature_converged"] is False
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: u-quadrature not converged"), res.stderr
    monkeypatch.setattr(channels, "adaptive", real)
    assert json.loads(runner.invoke(app, ["optics", "--json"]).stdout)["quadrature_converged"] is True
