"""Spectrum analysis vs analytic results, colour-science and the paper's EL colour point."""

import numpy as np
import pytest

from qdled.analysis.spectrum import REC2020_RED_XY, analyze_spectrum, fwhm_nm, spectrum_to_xy
from qdled.errors import InputError

FWHM_PER_SIGMA = 2 * np.sqrt(2 * np.log(2))


def _gauss(wl, centre, fwhm):
    return np.exp(-0.5 * ((wl - centre) / (fwhm / FWHM_PER_SIGMA)) ** 2)


def test_630nm_line_is_rec2020_red():
    # BT.2020 defines its red primary as the spectral locus at 630 nm: (0.708, 0.292), rounded to 1e-3.
    wl = np.linspace(620, 640, 4001)
    x, y = spectrum_to_xy(wl, _gauss(wl, 630.0, 0.05))
    assert abs(x - REC2020_RED_XY[0]) < 1e-3 and abs(y - REC2020_RED_XY[1]) < 1e-3


def test_xy_matches_colour_sd_to_XYZ():
    import colour

    wl = np.arange(380, 781, 1.0)
    s = _gauss(wl, 628, 33) + 0.3 * _gauss(wl, 540, 60)
    sd = colour.SpectralDistribution(dict(zip(wl, s, strict=False)))
    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        ref = colour.XYZ_to_xy(colour.sd_to_XYZ(sd))
    # same CMFs, same 1 nm grid: only the quadrature differs (trapezoid vs ASTM E308 sum)
    np.testing.assert_allclose(spectrum_to_xy(wl, s), ref, atol=2e-5)


def test_gaussian_peak_fwhm_centroid_with_noise():
    rng = np.random.default_rng(11)
    wl = np.arange(550, 720, 0.5)
    s = 1000 * _gauss(wl, 626.3, 32.0) + rng.normal(0, 3.0, wl.size)
    r = analyze_spectrum(wl, s)
    # 0.3 % noise on the peak; interpolated half-maximum crossings: tolerance a few tenths of a nm
    assert r.fwhm_nm == pytest.approx(32.0, abs=0.3)
    assert r.peak_nm == pytest.approx(626.3, abs=0.3)
    assert r.centroid_nm == pytest.approx(626.3, abs=0.3)
    # CIE 1976 u'v' from xy by its definition (CIE 015:2018 eq. 8.11)
    d = -2 * r.cie_x + 12 * r.cie_y + 3
    assert r.cie_u_prime == pytest.approx(4 * r.cie_x / d, rel=1e-9)
    assert r.cie_v_prime == pytest.approx(9 * r.cie_y / d, rel=1e-9)


def test_fwhm_nan_when_peak_cut():
    wl = np.linspace(600, 630, 61)
    assert np.isnan(fwhm_nm(wl, _gauss(wl, 628, 33)))


@pytest.mark.parametrize("white", ["E", "D65"])
def test_dominant_wavelength_of_a_line_is_the_line(white):
    wl = np.linspace(600, 640, 8001)
    r = analyze_spectrum(wl, _gauss(wl, 620.0, 0.05), white_point=white)
    assert r.dominant_wavelength_nm == pytest.approx(620.0, abs=0.15)  # 0.1 nm CMF grid
    assert r.colour_purity == pytest.approx(1.0, abs=2e-3)
    assert r.white_point == white


def test_purity_drops_when_white_is_added():
    wl = np.arange(380, 781, 1.0)
    line = _gauss(wl, 628, 20)
    r1 = analyze_spectrum(wl, line)
    r2 = analyze_spectrum(wl, line + 0.05)  # flat (illuminant-E-like) background
    assert r2.colour_purity < r1.colour_purity - 0.05
    assert r2.dominant_wavelength_nm == pytest.approx(r1.dominant_wavelength_nm, abs=1.0)  # E-white: same hue


def test_paper_el_colour_point():
    # Li et al., Nat. Commun. 15, 5696 (2024), Fig. 4b,c: EL peak 628 nm, FWHM 33 nm, CIE (0.691, 0.308).
    # A Gaussian of that peak/width is only an approximation of the measured shape: tolerance 3e-3.
    wl = np.arange(500, 780, 1.0)
    x, y = spectrum_to_xy(wl, _gauss(wl, 628, 33))
    assert x == pytest.approx(0.691, abs=3e-3) and y == pytest.approx(0.308, abs=3e-3)


def test_bad_inputs():
    wl = np.linspace(600, 650, 11)
    with pytest.raises(InputError, match="positive maximum"):
        analyze_spectrum(wl, -np.ones(11))
    with pytest.raises(InputError, match="increase strictly"):
        spectrum_to_xy(wl[::-1], np.ones(11))
    with pytest.raises(InputError, match="white_point"):
        analyze_spectrum(wl, np.ones(11), white_point="D50")


@pytest.mark.parametrize("step_nm", [5.0, 10.0])
def test_fwhm_of_a_coarsely_sampled_gaussian(step_nm):
    # A Gaussian's half-maximum points lie on parabolas in ln(I): exact; linear interpolation gave +0.9 to
    # +2 % on 5-10 nm grids (Gaussian 628 nm, FWHM 33 nm as the paper's EL; two grid offsets).
    from qdled.analysis.spectrum import fwhm_nm

    for offset in (0.0, 0.37):
        wl = np.arange(500.0 + offset, 760.0, step_nm)
        s = np.exp(-4 * np.log(2) * ((wl - 628.0) / 33.0) ** 2)
        assert fwhm_nm(wl, s) == pytest.approx(33.0, rel=1e-3)
