"""J-V-L export layouts of real measurement software, and the table fallback they need.

No J-V-L sweep of a real LED and no TEM micrograph with a stated scale could be found under a permissive
licence (tests/fixtures/analysis/real/PROVENANCE.md lists where we looked), so there is no real file here.
What the search did turn up is the column layout that several J-V-L rigs write; these tests write files in
those layouts with numbers made up here and check the reader against a hand calculation:

* tab-separated ``Voltage(V) Current(A) J(mA/cm2) PE(lm/W) EQE(%) L(cd/m2)`` with capital-E exponents and a
  reverse-bias start (a university OLED rig's raw files; that repository has no licence, so only the header
  layout is reproduced);
* a row number and a text bias-mode column (``No.,Mode,Area(cm^2),...,Luminance(cd/m^2),...,QE(%),CIE_x``,
  ``Mode`` = ``CV``/``CC``), the header an IVL system's Visual Basic control code writes;
* a key,value preamble then ``Drive voltage``, ``Current density``, ``Actual luminance`` (a Japanese EL
  measurement system, as documented by a plotting tool for its CSV files).
"""

import numpy as np
import pytest

from qdled.analysis.jvl import analyze_jvl
from qdled.errors import InputError
from qdled.io import measurements as m

GAUSS_WL = np.linspace(400, 700, 301)
GAUSS_I = np.exp(-0.5 * ((GAUSS_WL - 520) / 15) ** 2)


def test_tab_layout_with_current_in_amperes_and_reverse_bias(tmp_path):
    rows = [  # V, I (A), J (mA/cm2), PE, EQE, L -- area 16 mm^2 = 0.16 cm^2, so J = I[mA] / 0.16
        (-1.0, -2.4e-6, -1.5e-2, 1.8, -5.1, 8.9e-2),
        (9.6e-5, 4.3e-10, 2.6875e-6, 3.2e7, 3.5e4, 2.6e-2),  # the instrument's own ratio blows up at 0 V
        (4.0, 8.6e-4, 5.375, 0.29, 0.12, 19.5),
        (6.0, 3.0e-3, 18.75, 0.88, 0.54, 315.0),
    ]
    text = "Voltage(V)\tCurrent(A)\tJ(mA/cm2)\tPE(lm/W)\tEQE(%)\tL(cd/m2)\n"
    text += "".join("\t".join(f"{v:.5E}" for v in r) + "\n" for r in rows)
    (tmp_path / "A1-1.txt").write_text(text)
    data, meta = m.read_jvl(tmp_path / "A1-1.txt")
    np.testing.assert_allclose(data["voltage_V"], [r[0] for r in rows])
    np.testing.assert_allclose(data["current_mA"], [r[1] * 1e3 for r in rows])  # A -> mA
    np.testing.assert_allclose(data["luminance_cd_m2"], [r[5] for r in rows])
    res = analyze_jvl(
        data["voltage_V"], data["current_mA"], GAUSS_WL, GAUSS_I, luminance_cd_m2=data["luminance_cd_m2"], area_mm2=16.0
    )
    np.testing.assert_allclose(res.curves["current_density_mA_cm2"], [r[2] for r in rows], rtol=1e-4)
    # cd/A by hand at 6 V: L / J = 315 cd/m^2 / 187.5 A/m^2; the 0 V row is below the 1 cd/m^2 floor
    assert res.max_current_efficiency_cd_A == pytest.approx(315.0 / 187.5, rel=1e-6)
    assert res.rows_used == (2, 3)


def test_text_mode_column_and_row_numbers(tmp_path):
    header = (
        "No.,Mode,Area(cm^2),Temperature('C),Voltage(V),Current(A),J(mA/cm^2),Abs J(mA/cm^2),Luminance(cd/m^2),"
        "Current Efficiency(cd/A),Power Efficiency(Im/W),QE(%),CIE_x,CIE_y"
    )
    body = [
        "1,CV,0.04,25.1,3.0,1.0E-5,0.25,0.25,1.2,0.48,0.50,0.21,0.31,0.62",
        "2,CV,0.04,25.1,4.0,1.0E-4,2.5,2.5,30,1.2,0.94,0.52,0.31,0.62",
        "3,CC,0.04,25.2,5.0,1.0E-3,25,25,420,1.68,1.06,0.73,0.31,0.62",
    ]
    (tmp_path / "ivl.csv").write_text("\n".join([header, *body]) + "\n")
    data, meta = m.read_jvl(tmp_path / "ivl.csv")
    np.testing.assert_allclose(data["voltage_V"], [3.0, 4.0, 5.0])
    np.testing.assert_allclose(data["current_mA"], [0.01, 0.1, 1.0])
    np.testing.assert_allclose(data["luminance_cd_m2"], [1.2, 30.0, 420.0])
    assert meta["text_columns"] == ["Mode"] and meta["format"] == "csv"
    res = analyze_jvl(
        data["voltage_V"], data["current_mA"], GAUSS_WL, GAUSS_I, luminance_cd_m2=data["luminance_cd_m2"], area_mm2=4.0
    )
    # the file's own cd/A column: L / J with J = I / 0.04 cm^2
    assert res.max_current_efficiency_cd_A == pytest.approx(420 / 250.0, rel=1e-9) == pytest.approx(1.68)


def test_time_stamp_column_in_a_tab_export(tmp_path):
    text = "Time\tVoltage (V)\tCurrent (mA)\tLuminance (cd/m2)\n"
    text += "2026-01-05 10:00:01\t2.0\t0.001\t0.0\n2026-01-05 10:00:02\t3.0\t0.05\t12.0\n"
    (tmp_path / "log.txt").write_text(text)
    data, meta = m.read_jvl(tmp_path / "log.txt")
    np.testing.assert_allclose(data["luminance_cd_m2"], [0.0, 12.0])
    assert meta["text_columns"] == ["Time"]


def test_drive_voltage_actual_luminance_after_key_value_preamble(tmp_path):
    text = (
        "Sample,dev1\nDate,2026/01/05\nArea [mm2],4\n\n"
        "Drive voltage [V],Current [mA],Current density [mA/cm2],Actual luminance [cd/m2],Luminous efficacy [cd/A],"
        "EQE [%]\n3.0,0.01,0.25,1.2,0.48,0.2\n4.0,0.1,2.5,30,1.2,0.5\n"
    )
    (tmp_path / "el.csv").write_text(text)
    data, meta = m.read_jvl(tmp_path / "el.csv")
    np.testing.assert_allclose(data["voltage_V"], [3.0, 4.0])
    np.testing.assert_allclose(data["luminance_cd_m2"], [1.2, 30.0])
    assert meta["format"] == "csv-with-preamble" and meta["Area [mm2]"] == "4"
    # a normalised ("relative") luminance is not a luminance in cd/m^2: refused, not guessed
    (tmp_path / "rel.csv").write_text(text.replace("Actual luminance [cd/m2]", "Relative luminance"))
    with pytest.raises(InputError, match="missing column 'photocurrent_A or luminance_cd_m2'"):
        m.read_jvl(tmp_path / "rel.csv")


@pytest.mark.parametrize(
    "text",
    [
        # text in different columns on each line: no consistent layout
        "a,b,c,d\nx,1,2,3\n1,y,2,3\n1,2,z,3\n",
        # a consistent layout but no header line with as many cells above it
        "CV,1,2,3\nCV,4,5,6\nCV,7,8,9\n",
    ],
)
def test_mixed_rows_without_a_consistent_layout_or_header_are_refused(tmp_path, text):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(InputError, match="no data rows"):
        m.read_jvl(tmp_path / "bad.csv")


def test_an_all_number_block_wins_over_mixed_preamble_lines(tmp_path):
    # preamble lines that look like mixed rows (text + numbers) under a header-like line: the numeric block is
    # still the data, as before the fallback existed
    text = (
        "Setting,Value,Unit,Min,Max\nIntegration,100,ms,1,1000\nAverages,5,n,1,10\n\n"
        "Voltage (V),Current (mA),Luminance (cd/m2)\n1,0.001,0\n2,0.01,0.5\n3,0.1,20\n"
    )
    (tmp_path / "pre.csv").write_text(text)
    data, meta = m.read_jvl(tmp_path / "pre.csv")
    np.testing.assert_allclose(data["voltage_V"], [1, 2, 3])
    assert "text_columns" not in meta
