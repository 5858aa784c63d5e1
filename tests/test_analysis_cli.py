"""``qdled analyze``: JSON keys for every kind, plots, --force, and exit code 2 with one stderr line."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.cli.main import app, run

FIX = Path(__file__).parent / "fixtures" / "analysis"
runner = CliRunner()


def _json(args):
    res = runner.invoke(app, ["analyze", *map(str, args), "--json"])
    assert res.exit_code == 0, (res.output, res.exception)
    return json.loads(res.stdout)


def test_spectrum_json_and_plot(tmp_path):
    png = tmp_path / "s.png"
    d = _json(["spectrum", FIX / "el_spectrum.csv", "--plot", png])
    assert {"peak_nm", "fwhm_nm", "cie_x", "cie_y", "dominant_wavelength_nm"} <= set(d)
    assert d["fwhm_nm"] == pytest.approx(33.0, abs=0.5)  # 5 nm sampling of a 33 nm Gaussian
    assert png.stat().st_size > 1000
    # the plot is not overwritten without --force (exit 2 through main.run), and is with it
    res = runner.invoke(app, ["analyze", "spectrum", str(FIX / "el_spectrum.csv"), "--plot", str(png)])
    assert res.exit_code != 0
    d2 = _json(["spectrum", FIX / "oceanview.txt", "--plot", png, "--force"])
    assert d2["peak_nm"] == pytest.approx(628, abs=1)


def test_jvl_both_routes():
    d = _json(["jvl", FIX / "keithley2400.csv", "--spectrum", FIX / "el_spectrum.csv"])
    assert {"peak_eqe_percent", "max_luminance_cd_m2", "turn_on_voltage_V"} <= set(d)
    assert d["max_luminance_cd_m2"] == 1800 and 1.5 < d["turn_on_voltage_V"] < 2.0
    d = _json(
        [
            "jvl",
            FIX / "jvl_photocurrent.csv",
            "--spectrum",
            FIX / "el_spectrum.csv",
            "--distance-mm",
            "50",
            "--detector-radius-mm",
            "5",
            "--responsivity-A-per-W",
            "0.4",
            "--area-mm2",
            "4",
        ]
    )
    assert d["method"] == "photocurrent" and 0 < d["peak_eqe_percent"] < 100


def test_jvl_input_block_names_skipped_text_columns(tmp_path):
    # an IVL-system export with a bias-mode column: the JSON says which text columns were skipped
    f = tmp_path / "ivl.csv"
    f.write_text("Mode,Voltage(V),Current(mA),Luminance(cd/m2)\nCV,3.0,0.01,1.2\nCV,4.0,0.1,30\nCC,5.0,1.0,420\n")
    d = _json(["jvl", f, "--spectrum", FIX / "el_spectrum.csv"])
    assert d["input"]["text_columns"] == ["Mode"]


def test_trpl_lifetime_batch(tmp_path):
    d = _json(["trpl", FIX / "trpl.csv", "--components", "1"])
    assert d["tau_avg_intensity_ns"] == pytest.approx(5.0, abs=0.15)  # fixture: 5 ns single exponential
    assert "tau_avg_amplitude_ns" in d
    d = _json(["lifetime", FIX / "lifetime.csv", "--to-luminance", "100", "--exponent", "1.8"])
    assert {"t50_h", "t95_h", "t50_at_target_h"} <= set(d) and 8 < d["t50_h"] < 11
    d = _json(["batch", FIX / "batch.csv", "--plot", tmp_path / "b.png"])
    assert d["n"] == 5 and d["mean"] == pytest.approx(24.82)


def test_tauc_and_tem_from_generated_files(tmp_path):
    from skimage.io import imsave

    wl = np.arange(450, 750, 1.0)
    E = 1239.84198 / wl
    A = np.sqrt(0.25 * np.clip(E - 1.95, 0, None)) / E + 0.002 * np.sin(wl)
    p = tmp_path / "abs.csv"
    p.write_text("wavelength_nm,absorbance\n" + "".join(f"{a},{b:.6f}\n" for a, b in zip(wl, A, strict=False)))
    d = _json(["tauc", p])
    assert d["bandgap_eV"] == pytest.approx(1.95, abs=0.02)
    img = np.full((120, 120), 200, np.uint8)
    for y in (20, 70):
        for x in (20, 70):
            img[y : y + 20, x : x + 20] = 60
    ip = tmp_path / "tem.png"
    imsave(ip, img, check_contrast=False)
    d = _json(["tem", ip, "--nm-per-pixel", "0.2"])
    assert d["count"] == 4 and d["mean_nm"] == pytest.approx(4.0, rel=0.05)
    assert {"mean_nm", "sd_nm", "count"} <= set(d)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["spectrum", "BAD"], "line 3, column 'intensity'"),
        (["jvl", str(FIX / "jvl_photocurrent.csv"), "--spectrum", str(FIX / "el_spectrum.csv")], "--distance-mm"),
        (["spectrum", "MISSING"], "no such file"),
    ],
)
def test_cli_errors_exit_2_one_line(tmp_path, monkeypatch, capsys, args, needle):
    bad = tmp_path / "bad.csv"
    bad.write_text("wavelength_nm,intensity\n600,1\n610,x\n")
    args = [str(bad) if a == "BAD" else str(tmp_path / "missing.csv") if a == "MISSING" else a for a in args]
    monkeypatch.setattr(sys, "argv", ["qdled", "analyze", *args, "--json"])
    with pytest.raises(SystemExit) as exc:
        run()
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and needle in err


def test_every_plot_function_writes_a_figure(tmp_path):
    import matplotlib.pyplot as plt

    from qdled.analysis import batch, jvl, lifetime, tauc, tem, trpl
    from qdled.io import measurements as m

    spec, _ = m.read_spectrum(FIX / "el_spectrum.csv")
    d, _ = m.read_jvl(FIX / "keithley2400.csv")
    figs = [
        jvl.plot_jvl(
            jvl.analyze_jvl(
                d["voltage_V"],
                d["current_mA"],
                spec["wavelength_nm"],
                spec["intensity"],
                luminance_cd_m2=d["luminance_cd_m2"],
            )
        )
    ]
    d, _ = m.read_trpl(FIX / "trpl.csv")
    figs.append(trpl.plot_trpl(trpl.fit_trpl(d["time_ns"], d["counts"], n_components=1)))
    d, _ = m.read_lifetime(FIX / "lifetime.csv")
    figs.append(lifetime.plot_lifetime(lifetime.analyze_lifetime(d["time_h"], d["luminance_cd_m2"])))
    wl = np.arange(450, 750, 2.0)
    figs.append(tauc.plot_tauc(tauc.tauc_bandgap(wl, np.sqrt(np.clip(1239.84 / wl - 1.95, 0, None)))))
    img = np.ones((64, 64))
    img[20:34, 20:34] = 0
    figs.append(tem.plot_tem(tem.particle_sizes(img, 0.3)))
    figs.append(batch.plot_batch(batch.batch_statistics([1.0, 2.0, 2.5])))
    for k, fig in enumerate(figs):
        fig.savefig(tmp_path / f"{k}.png", dpi=40)
        plt.close(fig)
        assert (tmp_path / f"{k}.png").stat().st_size > 500


def test_lifetime_fitted_exponent_from_also_files(tmp_path):
    # three stretched-exponential traces obeying L0^1.5 T50 = const (beta = 1): n is recovered
    paths = []
    for L0 in (500.0, 1000.0, 2000.0):
        t50 = 2e5 / L0**1.5
        t = np.linspace(0, 3 * t50, 200)
        p = tmp_path / f"life_{int(L0)}.csv"
        p.write_text("time_h,luminance_cd_m2\n" + "".join(f"{a:.6g},{L0 * 0.5 ** (a / t50):.6g}\n" for a in t))
        paths.append(p)
    d = _json(["lifetime", paths[1], "--to-luminance", "100", "--also", paths[0], "--also", paths[2]])
    assert d["exponent_n"] == pytest.approx(1.5, abs=0.02)
    assert d["t50_at_target_h"] == pytest.approx(2e5 / 100**1.5, rel=0.03)
