"""``qdled fit``: the four fits from the documented file formats (synthetic fixtures of tests/fixtures/fit,
made by make_fixtures.py from the forward models at known parameters: the truths are listed there), JSON and
plot output, no overwrite without --force, one-line errors naming the bad file."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.cli.main import app, run
from qdled.fit import read_angle_resolved

FIX = Path(__file__).parent / "fixtures" / "fit"
runner = CliRunner()


def _json(args):
    res = runner.invoke(app, ["fit", *map(str, args), "--json"])
    assert res.exit_code == 0, (res.output, res.exception)
    return json.loads(res.stdout)


def _covers(d, name, truth):
    # one fixed noisy draw per fixture: the truth must lie within 3.5 standard errors (a 95 % interval misses
    # 1 draw in 20; the coverage itself is tested over many seeds in test_fit_<kind>.py)
    e = d["parameters"][name]
    return abs(e["value"] - truth) <= 3.5 * e["stderr"]


def test_orientation_from_long_csv_with_plot(tmp_path):
    png = tmp_path / "o.png"
    d = _json(["orientation", FIX / "orientation_p.csv", "--noise", "poisson", "--plot", png])
    assert d["kind"] == "orientation" and d["converged"]
    assert _covers(d, "horizontal_fraction", 0.80)  # truth of the fixture
    assert png.stat().st_size > 1000
    res = runner.invoke(app, ["fit", "orientation", str(FIX / "orientation_p.csv"), "--plot", str(png)])
    assert res.exit_code != 0  # not overwritten without --force
    _json(["orientation", FIX / "orientation_p.csv", "--plot", png, "--force"])


def test_emission_zone_from_wide_matrix():
    d = _json(["emission-zone", FIX / "el_angle_wide.csv", "--noise", "poisson"])
    assert _covers(d, "position", 0.30)
    assert set(d["parameters"]) == {"position", "horizontal_fraction"}


def test_sizes_from_pl_and_absorbance(tmp_path):
    d = _json(["sizes", FIX / "pl_solution.csv", "--plot", tmp_path / "s.png"])
    assert _covers(d, "mean_nm", 4.3) and _covers(d, "sd_nm", 0.40)
    d = _json(["sizes", FIX / "absorbance.csv", "--kind", "absorption"])
    assert _covers(d, "mean_nm", 4.3) and _covers(d, "sd_nm", 0.40)
    assert any("quick estimate" in n for n in d["notes"])


def test_jvl_from_canonical_csv(tmp_path):
    d = _json(["jvl", FIX / "jvl.csv", "--plot", tmp_path / "j.png"])
    assert d["parameters"]["log10_qd_mobility_prefactor"]["unit"].startswith("log10")
    for name, truth in (("log10_qd_mobility_prefactor", -7.8), ("plqy", 0.8), ("qd_hole_to_electron_mobility", 0.8)):
        assert _covers(d, name, truth), name


def test_table_output_names_parameters():
    res = runner.invoke(app, ["fit", "sizes", str(FIX / "pl_solution.csv")])
    assert res.exit_code == 0
    assert "mean_nm" in res.stdout and "reduced chi-square" in res.stdout


def test_wide_and_long_layouts_read_the_same_rows(tmp_path):
    wide = read_angle_resolved(FIX / "el_angle_wide.csv")
    long = tmp_path / "long.csv"
    rows = ["angle_deg,wavelength_nm,intensity"]
    rows += [
        f"{a:g},{w:g},{y:g}"
        for a, w, y in zip(wide["angle_deg"], wide["wavelength_nm"], wide["intensity"], strict=True)
    ]
    long.write_text("\n".join(rows) + "\n")
    again = read_angle_resolved(long)
    for key in ("angle_deg", "wavelength_nm", "intensity"):
        np.testing.assert_array_equal(again[key], wide[key])
    assert wide["layout"] == "wide" and again["layout"] == "long"


@pytest.mark.parametrize(
    "content, needle",
    [
        ("angle_deg,intensity\n0,1\n10,x\n", "line 3"),
        ("angle_deg,intensity,colour\n0,1,red\n", "unknown column"),
        ("angle_deg,wavelength_nm,intensity,polarisation\n0,630,1,q\n", "polarisation"),
        ("angle_deg,wavelength_nm,intensity\n95,630,1\n", "angle_deg"),
        ("label,600,610\n0,1\n", "line 2"),
    ],
)
def test_bad_files_exit_2_with_one_line_naming_the_file(tmp_path, monkeypatch, capsys, content, needle):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    monkeypatch.setattr(sys, "argv", ["qdled", "fit", "orientation", str(bad), "--wavelength-nm", "630", "--json"])
    with pytest.raises(SystemExit) as exc:
        run()
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and needle in err and "bad.csv" in err


def test_missing_wavelength_needs_option(tmp_path, monkeypatch, capsys):
    f = tmp_path / "o.csv"
    f.write_text("angle_deg,intensity\n" + "".join(f"{a},{1 + a}\n" for a in range(0, 80, 5)))
    monkeypatch.setattr(sys, "argv", ["qdled", "fit", "orientation", str(f)])
    with pytest.raises(SystemExit) as exc:
        run()
    assert exc.value.code == 2
    assert "--wavelength-nm" in capsys.readouterr().err
