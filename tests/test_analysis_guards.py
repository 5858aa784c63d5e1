"""Guards against nonsense figures (issues #16 and #24): synthetic edge cases for each guard."""

import json
import sys

import numpy as np
import pytest
from scipy.constants import e
from scipy.signal import fftconvolve
from typer.testing import CliRunner

from qdled.analysis import jvl
from qdled.analysis.lifetime import analyze_lifetime
from qdled.analysis.tem import particle_sizes
from qdled.analysis.trpl import align_irf, fit_trpl, runs_test_z
from qdled.cli.main import app, run
from qdled.errors import InputError

WL = np.arange(560, 700, 1.0)
S = np.exp(-0.5 * ((WL - 628) / 14.0) ** 2)


def _sweep(eqe=0.05, noise_L=0.05, seed=0):
    """A sweep of constant EQE above turn-on, with sub-turn-on rows whose luminance is meter noise."""
    V = np.linspace(-2, 6, 81)
    I_mA = np.where(V > 0, 1e-6 * (np.exp(V / 0.35) - 1), -1e-7)
    N = jvl.photon_flux_from_luminance(1.0, WL, S)  # photons s^-1 m^-2 per cd/m^2
    L_true = np.clip(eqe * (I_mA / 0.04 * 10 / e) / N, 0, None)  # J in A/m^2 -> electrons/s/m^2
    L = L_true + np.abs(np.random.default_rng(seed).normal(0, noise_L, V.size))
    return V, I_mA, L, L_true


def test_sub_turn_on_noise_does_not_make_the_peak_eqe():
    V, I, L, L_true = _sweep()
    noisy = jvl.analyze_jvl(V, I, WL, S, luminance_cd_m2=L, area_mm2=4.0, luminance_floor_cd_m2=0.0)
    assert noisy.peak_eqe_percent > 100  # noise over a nA current: the nonsense of issue #24
    assert any("exceeds 100 %" in w for w in noisy.warnings)
    r = jvl.analyze_jvl(V, I, WL, S, luminance_cd_m2=L, area_mm2=4.0)
    assert r.luminance_floor_cd_m2 == 1.0 and not r.null_reason
    # above the 1 cd/m^2 floor the |N(0, 0.05)| meter noise adds at most ~ 15 % (3 sigma) to L
    assert r.peak_eqe_percent == pytest.approx(5.0, rel=0.15)
    assert all(L[k] >= 1.0 and V[k] > 0 for k in r.rows_used)
    assert r.voltage_range_used_V == (V[r.rows_used[0]], V[r.rows_used[-1]])
    assert not any("exceeds 100" in w for w in r.warnings)
    d = r.to_dict()
    assert d["rows_used"] == list(r.rows_used) and d["luminance_floor_cd_m2"] == 1.0


def test_reverse_bias_only_and_dark_sweeps_say_why():
    V = np.linspace(-5, 0, 11)
    r = jvl.analyze_jvl(V, -1e-6 * np.ones(11), WL, S, luminance_cd_m2=np.zeros(11))
    assert np.isnan(r.peak_eqe_percent) and "no forward-bias rows" in r.null_reason
    V = np.linspace(0, 5, 11)
    r = jvl.analyze_jvl(V, np.linspace(0, 1, 11), WL, S, luminance_cd_m2=np.full(11, 0.2))
    assert np.isnan(r.peak_eqe_percent) and "never reaches the floor of 1 cd/m^2" in r.null_reason
    assert r.rows_used == ()


def test_efficacy_above_the_spectrum_limit_is_flagged():
    # luminance in cd/m^2 but the current column in A read as mA: 1000x too much light per electron
    V, I, _, L_true = _sweep(noise_L=0.0)
    r = jvl.analyze_jvl(V, I * 1e-3, WL, S, luminance_cd_m2=L_true, area_mm2=4.0)
    assert any("exceeds 100 %" in w for w in r.warnings)
    assert any("exceeds the luminous efficacy" in w for w in r.warnings)


def test_rising_lifetime_trace_refused():
    t = np.linspace(0, 100, 50)
    with pytest.raises(InputError, match="does not decay"):
        analyze_lifetime(t, 1000 + 2 * t)
    # burn-in then decay is a real trace, not refused (first tenth 1000-1100, last tenth ~ 300)
    L = 1000 * (1 + 0.1 * np.minimum(t, 10) / 10) * np.exp(-t / 80)
    assert np.isfinite(analyze_lifetime(t, L).t50_h)


def _decay(tau=3.0, n=600, dt=0.05, t_irf=4.0, sigma=0.15, seed=3):
    t = np.arange(n) * dt
    irf = np.exp(-0.5 * ((t - t_irf) / sigma) ** 2)
    ideal = fftconvolve(irf / irf.sum(), 5000 * np.exp(-t / tau))[:n] + 3
    return t, np.random.default_rng(seed).poisson(ideal), irf


def test_irf_from_its_own_file_on_another_time_axis(tmp_path):
    t, y, irf = _decay()
    # the IRF recorded on a finer, shifted grid (half the channel width, starting 1 ns later)
    ti = 1.0 + np.arange(900) * 0.025
    hi = np.exp(-0.5 * ((ti - 4.0) / 0.15) ** 2)
    aligned = align_irf(t, ti, hi)
    ref = fit_trpl(t, y, irf=irf, n_components=1)
    r = fit_trpl(t, y, irf=aligned, n_components=1)
    c = r.components[0]
    assert abs(c["tau_ns"] - 3.0) < 3 * c["tau_stderr_ns"]  # statistical, 3 sigma
    assert c["tau_ns"] == pytest.approx(ref.components[0]["tau_ns"], rel=0.01)
    assert not r.warnings
    with pytest.raises(InputError, match="outside the decay's time window"):
        align_irf(t, ti + 100, hi)
    # through the CLI: --irf FILE
    f, g = tmp_path / "decay.csv", tmp_path / "irf.txt"
    f.write_text("Time (ns),Counts\n" + "".join(f"{a:.4f},{b}\n" for a, b in zip(t, y, strict=True)))
    g.write_text("# IRF, Ludox\n" + "".join(f"{a:.4f}\t{b:.6f}\n" for a, b in zip(ti, hi, strict=True)))
    res = CliRunner().invoke(app, ["analyze", "trpl", str(f), "--irf", str(g), "--components", "1", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["used_irf"] and d["components"][0]["tau_ns"] == pytest.approx(c["tau_ns"], rel=1e-3)
    assert d["fit_channels"] == [0, t.size - 1] and d["warnings"] == []


def test_runs_test_against_its_distribution():
    # independent signs: z ~ N(0, 1); one long run of each sign: strongly negative
    rng = np.random.default_rng(1)
    zs = [runs_test_z(rng.normal(size=500)) for _ in range(200)]
    assert abs(np.mean(zs)) < 0.25 and 0.8 < np.std(zs) < 1.2
    assert runs_test_z(np.r_[np.ones(100), -np.ones(100)]) < -10


def test_degenerate_fit_says_so_in_plain_words():
    t = np.arange(100) * 0.1
    y = np.zeros(100)
    y[50] = 1  # one photon: four exponentials cannot be told apart
    r = fit_trpl(t, y, n_components=4)
    assert any("uncertainties could not be estimated" in w and "fewer components" in w for w in r.warnings)
    assert not any("Tolerance" in w or "error-bars" in w for w in r.warnings)  # lmfit's own words


def _disks(radius_px, n_side=4, noise=0.05, seed=0, size=400):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    img = np.full((size, size), 0.8)
    step = size // n_side
    for i in range(n_side):
        for j in range(n_side):
            cy, cx = step // 2 + i * step, step // 2 + j * step
            img[(yy - cy) ** 2 + (xx - cx) ** 2 <= radius_px**2] = 0.3
    return img + rng.normal(0, noise, img.shape)


def test_tem_adapts_to_large_particles():
    # 50 nm spheres at 1 nm/px: equivalent-circle diameter 50 nm (the 4 nm defaults found specks instead)
    r = particle_sizes(_disks(25, noise=0.15), 1.0)
    assert r.count == 16
    assert r.mean_equivalent_diameter_nm == pytest.approx(50.0, rel=0.03)  # pixelised disk edges: ~ 1 px
    assert r.sigma_px > 1 and r.min_area_px > 9
    d = r.to_dict()
    assert {"sigma_px", "min_area_px", "characteristic_area_px"} <= set(d)


def test_tem_refuses_when_objects_are_a_pixel_or_two():
    img = np.full((200, 200), 0.8)
    for i in range(10, 200, 12):
        for j in range(10, 200, 12):
            img[i : i + 2, j : j + 2] = 0.3  # 2x2-pixel particles: no size can be measured
    img += np.random.default_rng(0).normal(0, 0.05, img.shape)
    with pytest.raises(InputError, match="smaller than 4x4 pixels"):
        particle_sizes(img, 1.0)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["analyze", "batch", "BATCH", "--bins", "0"], "--bins must be between 1 and 10000"),
        (["optics", "--spectrum", "EMPTY"], "empty file"),
        (["analyze", "spectrum", "DIR"], "is a directory"),
        (["analyze", "tem", "BATCH", "--nm-per-pixel", "1"], "cannot read image"),
        (["analyze", "trpl", "EMPTY", "--irf", "EMPTY"], "empty file"),
        (["analyze", "lifetime", "RISING"], "does not decay"),
    ],
)
def test_cli_guards_one_line_exit_2(tmp_path, monkeypatch, capsys, args, needle):
    files = {
        "BATCH": tmp_path / "b.csv",
        "EMPTY": tmp_path / "e.csv",
        "DIR": tmp_path,
        "RISING": tmp_path / "r.csv",
    }
    files["BATCH"].write_text("device,eqe_percent\nA,10\nB,12\n")
    files["EMPTY"].write_text("")
    files["RISING"].write_text("time_h,luminance_cd_m2\n" + "".join(f"{k},{100 + k}\n" for k in range(20)))
    argv = [str(files.get(a, a)) for a in args]
    monkeypatch.setattr(sys, "argv", ["qdled", *argv])
    with pytest.raises(SystemExit) as exc:
        run()
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err


def test_dark_offset_flagged_and_subtracted_on_a_real_ocean_optics_file():
    from pathlib import Path

    from qdled.analysis.spectrum import analyze_spectrum
    from qdled.io import measurements as m

    real = Path(__file__).parent / "fixtures" / "analysis" / "real" / "ocean_ooibase32_tsunami.scope"
    data, _ = m.read_spectrum(real)
    wl, s = data["wavelength_nm"], data["intensity"]
    raw = analyze_spectrum(wl, s)
    assert raw.baseline_offset == pytest.approx(np.median(s[:102]))  # 5 % of 2048 samples at the low end, by hand
    assert any("offset of 172.2" in w for w in raw.warnings)
    fixed = analyze_spectrum(wl, s, subtract_baseline=True)
    assert fixed.baseline_subtracted and not fixed.warnings
    # hand FWHM of the offset-free line: linear interpolation of the half-maximum crossings
    y = s - np.median(s[:102])
    k = int(np.argmax(y))
    half = y[k] / 2
    i = np.nonzero(y[:k] < half)[0][-1]
    j = k + np.nonzero(y[k:] < half)[0][0]
    left = wl[i] + (half - y[i]) * (wl[i + 1] - wl[i]) / (y[i + 1] - y[i])
    right = wl[j - 1] + (half - y[j - 1]) * (wl[j] - wl[j - 1]) / (y[j] - y[j - 1])
    # 1 nm: the package takes the maximum from a parabola through the noisy top (~ 2 % noise), not the top sample
    assert fixed.fwhm_nm == pytest.approx(right - left, abs=1.0)
    assert raw.fwhm_nm > fixed.fwhm_nm + 10  # the offset alone widened it by a third
    assert abs(raw.cie_x - 1 / 3) < 0.01 and fixed.colour_purity > 10 * raw.colour_purity  # offset whitens


def test_near_infrared_emitter_gets_peak_and_fwhm_and_a_reasoned_null_colour():
    from qdled.analysis.spectrum import analyze_spectrum

    wl = np.arange(850, 1000, 1.0)
    r = analyze_spectrum(wl, np.exp(-0.5 * ((wl - 920) / 10) ** 2))
    assert r.peak_nm == pytest.approx(920, abs=1e-6)
    assert r.fwhm_nm == pytest.approx(2 * np.sqrt(2 * np.log(2)) * 10, rel=1e-3)  # Gaussian FWHM = 2.3548 sigma
    assert np.isnan(r.cie_x) and "380-780 nm" in r.cie_null_reason and r.visible_fraction == 0
    d = r.to_dict()
    assert d["wavelength_range_nm"] == [850.0, 999.0] and d["warnings"] == []
    # a dark-subtracted visible line with zero-mean noise: no offset warning, colour given
    rng = np.random.default_rng(4)
    wl = np.arange(500, 760, 0.5)
    r = analyze_spectrum(wl, np.exp(-0.5 * ((wl - 628) / 14) ** 2) + rng.normal(0, 0.005, wl.size))
    assert not r.warnings and r.cie_null_reason is None and np.isfinite(r.cie_x)
