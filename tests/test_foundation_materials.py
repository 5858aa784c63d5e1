"""Optical constants against the numbers printed in the database's sources."""

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.materials import MATERIALS, refractive_index


def test_soda_lime_against_rubin_formula():
    # Rubin, Sol. Energy Mater. 12, 275 (1985): n = 1.5130 - 0.003169 l^2 + 0.003962 / l^2 (l in um).
    for wl_um in (0.45, 0.628, 0.75):
        expected = 1.5130 - 0.003169 * wl_um**2 + 0.003962 / wl_um**2
        assert refractive_index("glass", wl_um * 1e3).real == pytest.approx(expected, abs=1e-9)


def test_lif_against_li_sellmeier():
    # Li, J. Phys. Chem. Ref. Data 5, 329 (1976), LiF at 297 K:
    # n^2 = 1 + 0.92549 l^2/(l^2 - 0.07376^2) + 6.96747 l^2/(l^2 - 32.790^2), l in um.
    for wl_um in (0.45, 0.6328, 0.8):
        l2 = wl_um**2
        n = np.sqrt(1 + 0.92549 * l2 / (l2 - 0.07376**2) + 6.96747 * l2 / (l2 - 32.790**2))
        assert refractive_index("LiF", wl_um * 1e3).real == pytest.approx(n, abs=1e-9)
    assert refractive_index("LiF", 632.8).imag == 0.0


def test_tabulated_points_reproduced_exactly():
    # Aftenieva et al., ACS Nano 17, 2399 (2023) SI, tabulated in the database: 0.6250 um -> 2.048774 + 0.068532i
    n = refractive_index("CsPbI3-QD", 625.0)
    assert n == pytest.approx(2.048774 + 0.068532j, abs=1e-6)
    # Koenig et al. 2014 ITO, 72 nm film: 0.25316 um -> 2.33168536 + 0.56970180i
    assert refractive_index("ITO", 253.16) == pytest.approx(2.33168536 + 0.56970180j, abs=1e-7)


def test_aluminium_rakic_lorentz_drude():
    # Rakic et al., Appl. Opt. 37, 5271 (1998), LD model at 628 nm: about 1.32 + 7.25i
    # (literature.md, read from the database entry; the model itself is in the paper's Table 2).
    n = refractive_index("Al", 628.0)
    assert n.real == pytest.approx(1.317, abs=0.01)
    assert n.imag == pytest.approx(7.253, abs=0.02)


def test_all_materials_cover_400_to_800_nm_with_physical_values():
    wl = np.linspace(400, 800, 81)
    for name in MATERIALS:
        n = refractive_index(name, wl)
        assert n.shape == wl.shape
        assert np.all(np.isfinite(n)) and np.all(n.imag >= 0) and np.all(n.real > 0), name


def test_organics_are_normally_dispersive_assumptions():
    for name in ("PTAA", "TmPyPB", "PO-T2T"):
        n = refractive_index(name, [450.0, 628.0, 800.0]).real
        assert n[0] > n[1] > n[2]
        assert 1.6 <= n[1] <= 1.8


@pytest.mark.parametrize("bad", [np.nan, -5.0, 0.0, []])
def test_bad_wavelength_rejected(bad):
    with pytest.raises(InputError, match="wavelength_nm"):
        refractive_index("ITO", bad)


def test_unknown_material_named():
    with pytest.raises(InputError, match="unobtainium"):
        refractive_index("unobtainium", 600)


def test_out_of_range_named():
    with pytest.raises(InputError, match="outside the data"):
        refractive_index("CsPbI3-QD", 5000.0)


def test_cauchy_organics_refuse_wavelengths_outside_their_basis():
    # 0.628 (um typed as nm) gave n = 42092 for PTAA; the Cauchy models hold in the transparent region only
    from qdled.errors import InputError
    from qdled.materials import refractive_index

    for wl in (0.628, 250.0, 5000.0):
        with pytest.raises(InputError, match="PTAA"):
            refractive_index("PTAA", wl)
    assert refractive_index("PTAA", 628.0).real == pytest.approx(1.67, abs=0.01)
