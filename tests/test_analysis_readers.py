"""Readers of measurement files: canonical CSV, OceanView, Keithley 2400 export, LabVIEW .lvm,
and the malformed-input errors (one line naming file, line and column)."""

from pathlib import Path

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.io import measurements as m

FIX = Path(__file__).parent / "fixtures" / "analysis"


def test_canonical_spectrum_csv_with_comment():
    data, meta = m.read_spectrum(FIX / "el_spectrum.csv")
    assert meta["format"] == "csv"
    assert data["wavelength_nm"][0] == 560.0 and data["wavelength_nm"][-1] == 700.0
    assert data["wavelength_nm"].size == 29
    # Gaussian centred at 628 nm, FWHM 33 nm, sampled every 5 nm: max at 630 nm, exp(-0.5 (2/14.01)^2)
    assert data["intensity"].max() == pytest.approx(np.exp(-0.5 * (2 / (33 / 2.354820045)) ** 2), abs=1e-5)
    assert data["wavelength_nm"][data["intensity"].argmax()] == 630.0


def test_oceanview_decimal_comma_and_metadata():
    data, meta = m.read_spectrum(FIX / "oceanview.txt")
    assert meta["format"] == "oceanview" and meta["decimal_comma"]
    assert meta["Spectrometer"] == "USB2+F01234"
    np.testing.assert_allclose(data["wavelength_nm"], np.arange(600, 660, 6.0))
    # same numbers as the .lvm copy of this spectrum (written with decimal points)
    lvm, lmeta = m.read_spectrum(FIX / "spectrum.lvm")
    assert lmeta["format"] == "lvm" and lmeta["columns_by_position"] is True
    np.testing.assert_allclose(data["intensity"], lvm["intensity"], atol=0.006)
    np.testing.assert_allclose(data["wavelength_nm"], lvm["wavelength_nm"])


def test_keithley_export_units_converted():
    data, meta = m.read_jvl(FIX / "keithley2400.csv")
    assert meta["format"] == "csv-with-preamble"
    assert meta["NPLC"] == "1"
    # "Current (A)" 6.000000E-03 A -> 6 mA
    assert data["current_mA"][-1] == pytest.approx(6.0)
    assert data["luminance_cd_m2"][-1] == pytest.approx(1800.0)
    assert "photocurrent_A" not in data


def test_canonical_jvl_photocurrent_and_other_readers():
    data, _ = m.read_jvl(FIX / "jvl_photocurrent.csv")
    assert set(data) == {"voltage_V", "current_mA", "photocurrent_A"}
    trpl, _ = m.read_trpl(FIX / "trpl.csv")
    assert trpl["time_ns"].size == 160 and "irf" not in trpl
    life, _ = m.read_lifetime(FIX / "lifetime.csv")
    assert life["luminance_cd_m2"][0] == 1000
    batch, _ = m.read_batch(FIX / "batch.csv")
    assert list(batch["device"]) == ["D01", "D02", "D03", "D04", "D05"]
    assert batch["eqe_percent"].sum() == pytest.approx(124.1)


def test_lvm_named_channels_and_decimal_comma(tmp_path):
    p = tmp_path / "decay.lvm"
    p.write_text(
        "LabVIEW Measurement\nDecimal_Separator\t,\n***End_of_Header***\n\nChannels\t2\n***End_of_Header***\n"
        "Time (ns)\tCounts\tComment\n" + "".join(f"{0.5 * k:.1f}\t{100 - k}\t\n".replace(".", ",") for k in range(10))
    )
    data, meta = m.read_trpl(p)
    assert meta["columns_by_position"] is False
    np.testing.assert_allclose(data["time_ns"], 0.5 * np.arange(10))
    assert data["counts"][3] == 97


@pytest.mark.parametrize(
    "header, factor",
    [
        ("Voltage (V),Current (mA),Photocurrent (nA)", 1.0),
        ("SMU-1 Voltage (V),SMU-1 Current (uA),Photocurrent (nA)", 1e-3),
    ],
)
def test_keithley_header_variants_and_units(tmp_path, header, factor):
    p = tmp_path / "k.csv"
    p.write_text(f"Model 2400\n{header}\n0,0,0\n2.5,2,30\n")
    data, _ = m.read_jvl(p)
    assert data["current_mA"][1] == pytest.approx(2 * factor)
    assert data["photocurrent_A"][1] == pytest.approx(30e-9)


def test_semicolon_csv_with_decimal_comma(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("wavelength_nm;intensity\n600,5;1,25\n601,5;2,5\n602,5;1\n")
    data, _ = m.read_spectrum(p)
    np.testing.assert_allclose(data["wavelength_nm"], [600.5, 601.5, 602.5])
    np.testing.assert_allclose(data["intensity"], [1.25, 2.5, 1.0])


def test_responsivity_reader(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("Wavelength (nm),Responsivity (A/W)\n500,0.30\n600,0.38\n700,0.45\n")
    data, _ = m.read_responsivity(p)
    np.testing.assert_allclose(data["responsivity_A_per_W"], [0.30, 0.38, 0.45])


BAD = {
    "missing_column": (
        "read_spectrum",
        "wavelength_nm,intensty\n600,1\n610,2\n620,1\n",
        r"line 1: missing column 'intensity'",
    ),
    "non_numeric": (
        "read_spectrum",
        "wavelength_nm,intensity\n600,1\n610,abc\n620,1\n",
        r"line 3, column 'intensity': non-numeric value 'abc'",
    ),
    "nan": (
        "read_spectrum",
        "wavelength_nm,intensity\n600,1\n610,nan\n620,1\n",
        r"line 3, column 'intensity': value 'nan' is not finite",
    ),
    "empty": ("read_spectrum", "", r"empty file"),
    "header_only": ("read_spectrum", "wavelength_nm,intensity\n", r"no data rows"),
    "decreasing": (
        "read_spectrum",
        "wavelength_nm,intensity\n600,1\n620,2\n610,1\n",
        r"line 4, column 'wavelength_nm': values must increase",
    ),
    "short_row": (
        "read_spectrum",
        "wavelength_nm,intensity\n600,1\n610\n620,1\n",
        r"line 3: expected at least 2 columns",
    ),
    "negative_current": (
        "read_jvl",
        "voltage_V,current_mA,luminance_cd_m2\n0,0,0\n2,-0.5,1\n",
        r"line 3, column 'current_mA': negative value",
    ),
    "no_light_column": (
        "read_jvl",
        "voltage_V,current_mA\n0,0\n2,0.5\n",
        r"missing column 'photocurrent_A or luminance_cd_m2'",
    ),
    "negative_counts": (
        "read_trpl",
        "time_ns,counts\n" + "".join(f"{k},{5 - k}\n" for k in range(10)),
        r"line 8, column 'counts': negative",
    ),
    "nonuniform_time": (
        "read_trpl",
        "time_ns,counts\n" + "".join(f"{k * k},{9}\n" for k in range(10)),
        r"column 'time_ns': time step not uniform",
    ),
    "eqe_over_100": (
        "read_batch",
        "device,eqe_percent\nA,20\nB,120\n",
        r"line 3, column 'eqe_percent': 120 exceeds 100",
    ),
    "ocean_no_data": ("read_spectrum", "Spectrometer: X\n>>>>>Begin Spectral Data<<<<<\n", r"no spectral data"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_input_names_file_line_column(tmp_path, case):
    reader, text, pattern = BAD[case]
    p = tmp_path / f"{case}.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=pattern) as exc:
        getattr(m, reader)(p)
    msg = str(exc.value)
    assert "\n" not in msg and str(p) in msg


def test_missing_file_and_bad_image(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        m.read_spectrum(tmp_path / "nope.csv")
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(InputError, match="cannot read image"):
        m.read_image(bad)
