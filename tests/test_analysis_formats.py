"""Reader layouts beyond the canonical CSV, written here (synthetic), and encodings / empty files (issue #16).

Each layout is checked against values computed in the test from the numbers written into the file.
"""

import codecs

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.io import measurements as m
from qdled.io.stack import load_stack
from qdled.io.text import decode_text

SPEC = "Wavelength,Intensity\n600,1\n610,4\n620,9\n630,4\n"


def test_header_without_units_descending_tabs_decimal_commas(tmp_path):
    p = tmp_path / "eu.txt"
    p.write_text(
        "Datum\t2024-03-01\nWavelength\tIntensity\n"
        + "".join(f"{w},5\t{w / 100:.2f}".replace(".", ",") + "\n" for w in range(700, 590, -10))
    )
    data, meta = m.read_spectrum(p)
    np.testing.assert_allclose(data["wavelength_nm"], np.arange(600, 701, 10) + 0.5)
    np.testing.assert_allclose(data["intensity"], np.arange(600, 701, 10) / 100)
    assert meta["reversed"] and meta["decimal_comma"] and meta["Datum"] == "2024-03-01"
    assert meta["units_inferred"] == ["wavelength_nm: nm (no unit in the header)"]


def test_x_unit_option_converts_energy_and_micrometres(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("1.8,1\n1.9,3\n2.0,2\n2.1,1\n")
    data, meta = m.read_spectrum(p, x_unit="eV")
    # hc/e = 1239.841984 eV nm (CODATA 2018); ascending wavelength = descending energy
    np.testing.assert_allclose(data["wavelength_nm"], 1239.841984 / np.array([2.1, 2.0, 1.9, 1.8]))
    assert meta["reversed"]
    data, _ = m.read_spectrum(p, x_unit="um")
    np.testing.assert_allclose(data["wavelength_nm"], [1800, 1900, 2000, 2100])
    with pytest.raises(InputError, match="x_unit 'furlong' not understood"):
        m.read_spectrum(p, x_unit="furlong")


def test_multi_column_time_series_and_column_choice(tmp_path):
    p = tmp_path / "series.csv"
    p.write_text("wavelength_nm,t0,t1,t2\n" + "".join(f"{w},{w},{2 * w},{3 * w}\n" for w in (600, 610, 620)))
    for col, factor in (("t1", 2), ("4", 3), (2, 1)):
        data, meta = m.read_spectrum(p, column=col)
        np.testing.assert_allclose(data["intensity"], factor * np.array([600, 610, 620]))
    with pytest.raises(InputError, match="--column 9 out of range"):
        m.read_spectrum(p, column=9)
    with pytest.raises(InputError, match="is a wavelength_nm column"):
        m.read_spectrum(p, column=1)


def test_transmittance_column_converted_to_absorbance(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        "nm,%T\n" + "".join(f"{w},{t}\n" for w, t in zip(range(500, 560, 10), (100, 50, 10, 1, 10, 50), strict=True))
    )
    data, meta = m.read_absorbance(p)
    np.testing.assert_allclose(data["absorbance"], [0, np.log10(2), 1, 2, 1, np.log10(2)], atol=1e-12)


def test_trpl_rounded_time_axis_accepted_and_real_gaps_refused(tmp_path):
    dt = 1 / 48  # 0.0208333.. ns written with 4 decimals: rounding errors up to 0.24 % of the step
    p = tmp_path / "d.csv"
    p.write_text("Time (ns),Counts\n" + "".join(f"{k * dt:.4f},{int(1000 * np.exp(-k / 30))}\n" for k in range(200)))
    data, meta = m.read_trpl(p)
    np.testing.assert_allclose(np.diff(data["time_ns"]), dt, rtol=1e-4)  # the fitted step, not the rounded one
    q = tmp_path / "gap.csv"
    q.write_text("time_ns,counts\n" + "".join(f"{k * 0.1 + (0.05 if k > 50 else 0):.4f},5\n" for k in range(100)))
    with pytest.raises(InputError, match="time step not uniform"):
        m.read_trpl(q)


def test_picoquant_histogram_ascii_two_curves(tmp_path):
    # layout of PicoHarp 300 / TimeHarp histogram ASCII exports (PicoQuant software manuals)
    p = tmp_path / "ph.dat"
    counts = [[int(500 * np.exp(-k / 40) + 2), int(300 * np.exp(-k / 10) + 1)] for k in range(300)]
    p.write_text(
        "#PicoHarp 300  Histogram Data\t\t\t2021-03-22 04:00:21 PM\n#channels per curve\n300\n#display curve no.\n"
        "0\t1\n#memory block no.\n0\t0\n#ns/channel\n0.0160\t0.0160\n#counts\n"
        + "".join(f"{a}\t{b}\n" for a, b in counts)
    )
    data, meta = m.read_trpl(p)
    assert meta["format"] == "picoquant-ascii"
    np.testing.assert_allclose(data["time_ns"], 0.016 * np.arange(300))
    np.testing.assert_array_equal(data["counts"], [a for a, _ in counts])
    irf, _ = m.read_irf(p, column="curve 2")
    np.testing.assert_array_equal(irf["irf"], [b for _, b in counts])


def test_utf16_and_bom_files_read_like_utf8(tmp_path):
    ref, _ = m.read_spectrum(_write(tmp_path / "u8.csv", SPEC.encode()))
    for name, raw in (
        ("bom8.csv", codecs.BOM_UTF8 + SPEC.encode()),
        ("u16.csv", SPEC.encode("utf-16")),  # Windows "Unicode": UTF-16 LE with BOM
        ("u16be.csv", codecs.BOM_UTF16_BE + SPEC.encode("utf-16-be")),
        ("u16nobom.csv", SPEC.encode("utf-16-le")),
        ("cp1252.csv", ("Operator: J\xfcrgen, 25 \xb0C, 1 \xb5s\n" + SPEC).encode("cp1252")),
    ):
        data, _ = m.read_spectrum(_write(tmp_path / name, raw))
        np.testing.assert_array_equal(data["intensity"], ref["intensity"])


def _write(p, raw):
    p.write_bytes(raw)
    return p


def test_undecodable_files_refused_in_one_line(tmp_path):
    rng = np.random.default_rng(0)
    junk = _write(tmp_path / "junk.csv", rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match="not a text file") as exc:
        m.read_spectrum(junk)
    assert str(junk) in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(InputError, match="not a text file"):
        decode_text(b"abc\x00\x01\x02def", "x")


def test_stack_toml_encodings(tmp_path):
    text = '[[layers]]\nname = "QD"\nmaterial = "CsPbI3-QD"\nthickness_nm = 30\nemitter = true\n'
    s8 = load_stack(_write(tmp_path / "a.toml", text.encode()))
    s16 = load_stack(_write(tmp_path / "b.toml", text.encode("utf-16")))
    sbom = load_stack(_write(tmp_path / "c.toml", codecs.BOM_UTF8 + text.encode()))
    assert s8 == s16 == sbom
    for name, raw, pattern in (
        ("junk.toml", bytes(range(256)) * 4, "not a text file"),
        ("latin.toml", ("# J\xfcrgen\n" + text).encode("latin-1"), "not a text file"),
        ("empty.toml", b"", "empty file"),
    ):
        p = _write(tmp_path / name, raw)
        with pytest.raises(InputError, match=pattern) as exc:
            load_stack(p)
        assert str(p) in str(exc.value) and "\n" not in str(exc.value)


READERS = {
    "read_spectrum": "wavelength_nm,intensity\n",
    "read_absorbance": "wavelength_nm,absorbance\n",
    "read_trpl": "time_ns,counts\n",
    "read_irf": "time_ns,irf\n",
    "read_lifetime": "time_h,luminance_cd_m2\n",
    "read_jvl": "voltage_V,current_mA,luminance_cd_m2\n",
    "read_batch": "device,eqe_percent\n",
    "read_responsivity": "wavelength_nm,responsivity_A_per_W\n",
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("content", ["", "   \n\n", "HEADER", "bom"])
def test_every_reader_refuses_empty_and_header_only_files(tmp_path, reader, content):
    p = tmp_path / "f.csv"
    body = {"HEADER": READERS[reader], "bom": codecs.BOM_UTF8.decode() + READERS[reader]}.get(content, content)
    p.write_text(body)
    with pytest.raises(InputError) as exc:
        getattr(m, reader)(p)
    msg = str(exc.value)
    assert str(p) in msg and "\n" not in msg and ("empty file" in msg or "no data rows" in msg)


@pytest.mark.parametrize("reader", sorted(READERS) + ["read_image"])
def test_directory_and_missing_file_named(tmp_path, reader):
    with pytest.raises(InputError, match="is a directory"):
        getattr(m, reader)(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        getattr(m, reader)(tmp_path / "nope.csv")


def test_all_zero_and_one_row_spectra_named(tmp_path):
    z = _write(tmp_path / "zero.csv", b"wavelength_nm,intensity\n600,0\n610,0\n620,0\n")
    with pytest.raises(InputError, match="zero everywhere") as exc:
        m.read_spectrum(z)
    assert str(z) in str(exc.value)
    one = _write(tmp_path / "one.csv", b"wavelength_nm,intensity\n600,1\n")
    with pytest.raises(InputError, match="need at least 3 data rows") as exc:
        m.read_spectrum(one)
    assert str(one) in str(exc.value)


def test_non_image_for_tem_is_one_line(tmp_path):
    for name, raw in (("x.png", b"not a png"), ("y.tif", SPEC.encode()), ("z.png", b"")):
        p = _write(tmp_path / name, raw)
        with pytest.raises(InputError) as exc:
            m.read_image(p)
        assert str(p) in str(exc.value) and "\n" not in str(exc.value)


def test_jvl_current_without_unit_needs_the_option(tmp_path):
    p = _write(tmp_path / "j.csv", b"Voltage,Current,Luminance\n0,0,0\n3,0.002,100\n")
    with pytest.raises(InputError, match="--current-unit"):
        m.read_jvl(p)
    data, _ = m.read_jvl(p, current_unit="A")
    assert data["current_mA"][1] == pytest.approx(2.0)


def test_wavelength_preferred_over_wavenumber_and_energy_needs_a_unit(tmp_path):
    # ENLIGHTEN-style columns: pixel, wavelength, wavenumber (no unit), processed intensity
    p = _write(
        tmp_path / "w.csv", b"Pixel,Wavelength,Wavenumber,Processed\n0,600,16666.7,1\n1,610,16393.4,3\n2,620,16129,2\n"
    )
    data, meta = m.read_spectrum(p)
    np.testing.assert_allclose(data["wavelength_nm"], [600, 610, 620])
    assert meta["column"] == "Processed"
    q = _write(tmp_path / "e.csv", b"Energy (eV),Intensity\n1.9,1\n2.0,3\n2.1,2\n")
    data, _ = m.read_spectrum(q)
    np.testing.assert_allclose(data["wavelength_nm"], 1239.841984 / np.array([2.1, 2.0, 1.9]))
