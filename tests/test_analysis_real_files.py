"""Readers and analyses on real instrument exports (tests/fixtures/analysis/real, see PROVENANCE.md there).

Each file is checked against a number obtained another way: the array shapes asserted by the test suite of
WrightTools (the project the files come from, MIT licence), the instrument's own header values (JASCO
NPOINTS/FIRSTX/MAXY...), or a hand parse of the raw text done here with plain string operations.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.analysis.tauc import HC_EV_NM, tauc_bandgap
from qdled.analysis.trpl import fit_trpl
from qdled.cli.main import app
from qdled.errors import InputError
from qdled.io import measurements as m

REAL = Path(__file__).parent / "fixtures" / "analysis" / "real"


def _raw_pairs(path, sep, start, stop=None):
    """Hand parse: (x, y) floats from lines[start:stop] split on ``sep`` (no reader code involved)."""
    lines = (REAL / path).read_text(encoding="latin-1").splitlines()[start:stop]
    pairs = [ln.split(sep)[:2] for ln in lines if ln.strip()]
    return np.array([[float(a), float(b)] for a, b in pairs])


def test_cary50_single_sample_descending_with_method_trailer():
    data, meta = m.read_absorbance(REAL / "cary50_CuPCtS_H2O_vis.csv")
    assert data["wavelength_nm"].size == 141  # WrightTools tests/collection/from_cary.py
    assert meta["format"] == "cary" and meta["sample"] == "sample1" and meta["reversed"]
    assert meta["trailer_lines"] > 20  # the method block after the data is skipped, not parsed
    raw = _raw_pairs("cary50_CuPCtS_H2O_vis.csv", ",", 2, 143)
    np.testing.assert_array_equal(data["wavelength_nm"], raw[::-1, 0])
    np.testing.assert_array_equal(data["absorbance"], raw[::-1, 1])


def test_cary_eleven_samples_by_name_with_transmittance_converted():
    # sample lengths asserted by WrightTools (tests/collection/from_cary.py::test_filters)
    names = ["600LP", "600LP1", "600LP2", "550LP", "600SP800N", "600SP800N1", "530SP", "GSBS", "550LP2", "530SP2"]
    names.append("530SP_HI")
    lengths = (121, 196, 301, 301, 301, 301, 301, 301, 301, 401, 101)
    for name, n in zip(names, lengths, strict=True):
        data, meta = m.read_spectrum(REAL / "cary_filters.csv", column=name)
        assert data["wavelength_nm"].size == n, name
        assert meta["sample"] == name
    # sample "600LP2" (columns 5-6) against the raw cells of the first data row
    data, meta = m.read_spectrum(REAL / "cary_filters.csv", column="600LP2")
    line3 = (REAL / "cary_filters.csv").read_text().splitlines()[2].split(",")
    i = int(np.argmin(np.abs(data["wavelength_nm"] - float(line3[4]))))
    assert data["intensity"][i] == float(line3[5]) and meta["column"] == "%T"
    # every %T sample here is a blocking filter whose %T goes slightly negative in the noise: no absorbance
    # exists there, refused naming the line (the conversion itself is tested in test_analysis_formats.py)
    for name in names[1:]:
        with pytest.raises(InputError, match=r"cary_filters.csv, line \d+, column '%T'"):
            m.read_absorbance(REAL / "cary_filters.csv", column=name)
    with pytest.raises(InputError, match="--column 'nope' not found"):
        m.read_spectrum(REAL / "cary_filters.csv", column="nope")


def test_jasco_header_values_and_pbse_first_exciton():
    data, meta = m.read_absorbance(REAL / "jasco_v570_PbSe_batch_1.txt")
    wl, A = data["wavelength_nm"], data["absorbance"]
    assert meta["format"] == "jasco" and meta["reversed"]
    # the file's own header: NPOINTS 1801, FIRSTX 2500, LASTX 700, FIRSTY 0.10852, MAXY 1.58144, MINY 0.10755
    assert wl.size == int(meta["NPOINTS"]) == 1801
    assert (wl[-1], wl[0]) == (float(meta["FIRSTX"]), float(meta["LASTX"]))
    assert A[-1] == float(meta["FIRSTY"])
    assert (A.max(), A.min()) == (float(meta["MAXY"]), float(meta["MINY"]))
    # first exciton by hand: the absorbance maximum between 1300 and 1600 nm of the raw text
    raw = _raw_pairs("jasco_v570_PbSe_batch_1.txt", "\t", 19)
    sel = (raw[:, 0] > 1300) & (raw[:, 0] < 1600)
    e_x = HC_EV_NM / raw[sel][np.argmax(raw[sel, 1]), 0]
    r = tauc_bandgap(wl, A)
    # Savitzky-Golay smoothing moves the maximum of a ~0.1 eV wide peak by a few meV
    assert r.edge_feature_eV == pytest.approx(e_x, abs=0.01)
    assert r.search_range_eV[1] == pytest.approx(r.edge_feature_eV)
    assert e_x - 0.15 < r.bandgap_eV < e_x  # the gap of the first excitonic edge lies just below its peak
    # searching the whole spectrum (the old default) finds a steeper edge far above the first exciton
    whole = tauc_bandgap(wl, A, energy_range_eV=(0.4, 2.0))
    assert whole.bandgap_eV > e_x + 0.3


def test_shimadzu_headerless_mos2_a_exciton_edge():
    path = REAL / "shimadzu_MoS2_fromCzech2015.txt"
    data, meta = m.read_absorbance(path)
    n_lines = sum(1 for ln in path.read_text().splitlines() if ln.strip())
    assert data["wavelength_nm"].size == n_lines == 821
    assert meta["columns_by_position"] and meta["units_inferred"] == ["wavelength_nm: nm (no header)"]
    raw = _raw_pairs("shimadzu_MoS2_fromCzech2015.txt", ",", 0)
    # the A exciton by hand: the raw point between 670 and 700 nm above both neighbours 2 nm away
    k = [i for i in range(4, len(raw) - 4) if 670 < raw[i, 0] < 700 and raw[i, 1] > max(raw[i - 4, 1], raw[i + 4, 1])]
    e_a = HC_EV_NM / np.mean(raw[k, 0])
    # MoS2 A exciton near 1.8-1.9 eV (Mak et al., Phys. Rev. Lett. 105, 136805 (2010): 1.88 eV in a monolayer;
    # lower in multilayers)
    assert 1.75 < e_a < 1.95
    r = tauc_bandgap(data["wavelength_nm"], data["absorbance"])
    assert r.edge_feature_eV == pytest.approx(e_a, abs=0.01)
    assert e_a - 0.2 < r.bandgap_eV < e_a


def test_ocean_ooibase32_scope_file():
    data, meta = m.read_spectrum(REAL / "ocean_ooibase32_tsunami.scope")
    assert data["wavelength_nm"].size == 2048  # WrightTools tests/data/from_ocean_optics.py
    assert meta["format"] == "oceanview" and meta["Spectrometer Serial Number"] == "USB2E2859"
    raw = _raw_pairs("ocean_ooibase32_tsunami.scope", "\t", 14, 14 + 2048)
    np.testing.assert_array_equal(data["intensity"], raw[:, 1])


def test_becker_hickl_spcm_ascii_and_the_poor_fit_warning():
    data, meta = m.read_trpl(REAL / "bh_spcm_test_data.asc")
    t, c = data["time_ns"], data["counts"]
    assert t.size == 1024  # WrightTools tests/data/from_spcm.py
    assert meta["format"] == "becker-hickl-asc"
    raw = _raw_pairs("bh_spcm_test_data.asc", ",", 10, 10 + 1024)
    assert c.sum() == raw[:, 1].sum()
    # times are printed with 6 decimals: the regular axis stays within half the last digit of the file's
    np.testing.assert_allclose(t, raw[:, 0], atol=5e-7 + 1e-3 * 0.003257)
    # one exponential does not describe this decay: reduced chi-square ~ 3e2 and long same-sign residual runs
    r = fit_trpl(t, c, n_components=1)
    assert r.reduced_chi_square > 100
    assert any("poor fit" in w for w in r.warnings) and any("structured residuals" in w for w in r.warnings)
    res = CliRunner().invoke(app, ["analyze", "trpl", str(REAL / "bh_spcm_test_data.asc"), "--components", "1"])
    assert res.exit_code == 0 and "warning: poor fit" in res.stderr
    # three exponentials do not converge on this 3.3 ns window: said in plain words, not the fitting library's
    with pytest.raises(InputError, match="TRPL fit failed: the 3-exponential model could not be fitted") as exc:
        fit_trpl(t, c, n_components=3)
    assert "Tolerance" not in str(exc.value)


def test_cli_reads_real_exports():
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", "tauc", str(REAL / "jasco_v570_PbSe_batch_1.txt"), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["edge_feature"] == "below the first excitonic maximum" and d["search_range_eV"][1] < 0.87
    res = runner.invoke(app, ["analyze", "spectrum", str(REAL / "cary_filters.csv"), "--column", "4", "--json"])
    assert res.exit_code == 0, res.output  # fourth file column: the %T of sample 600LP1


def test_wasatch_enlighten_raman_shift_converted_with_the_stated_laser_line(tmp_path):
    data, meta = m.read_spectrum(REAL / "wasatch_enlighten_benzene_785nm.csv")
    assert meta["Laser Wavelength"] == "784.896" and "Raman shift" in meta["units_inferred"][0]
    assert data["wavelength_nm"].size == 2002  # rows of the Pixel column, 0..2001 (hand count below)
    lines = (REAL / "wasatch_enlighten_benzene_785nm.csv").read_text().splitlines()
    assert lines[-1].split(",")[0] == "2001"
    # benzene's ring-breathing band: 992 cm-1 in the liquid (Shimanouchi, Tables of Molecular Vibrational
    # Frequencies, NSRDS-NBS 39 (1972): nu2 993 cm-1, gas); 2 cm-1 for the 1 cm-1 grid and the calibration
    peak_nm = data["wavelength_nm"][np.argmax(data["intensity"])]
    shift = 1e7 / 784.896 - 1e7 / peak_nm
    assert shift == pytest.approx(992, abs=2)
    # without a laser wavelength the shift cannot become a wavelength: refused, naming the column
    text = "\n".join(ln for ln in lines if not ln.startswith("Laser Wavelength"))
    p = tmp_path / "no_laser.csv"
    p.write_text(text)
    with pytest.raises(InputError, match="'Wavenumber' is a Raman shift"):
        m.read_spectrum(p)
