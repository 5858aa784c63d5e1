"""Spectrum analysis of a lab's spectrum: the figures of qdled.spectral collected (peak, width and colour
themselves are tested in test_spectral.py)."""

import numpy as np
import pytest

from qdled.analysis.spectrum import analyze_spectrum
from qdled.errors import InputError
from qdled.spectral import REC2020_RED_XY

FWHM_PER_SIGMA = 2 * np.sqrt(2 * np.log(2))


def _gauss(wl, centre, fwhm):
    return np.exp(-0.5 * ((wl - centre) / (fwhm / FWHM_PER_SIGMA)) ** 2)


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
    assert np.isnan(analyze_spectrum(wl, _gauss(wl, 628, 33)).fwhm_nm)


def test_a_line_at_630nm_is_at_rec2020_red():
    wl = np.linspace(620, 640, 4001)
    assert analyze_spectrum(wl, _gauss(wl, 630.0, 0.05)).distance_to_rec2020_red < 1.5e-3
    assert REC2020_RED_XY == (0.708, 0.292)


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


def test_bad_inputs():
    wl = np.linspace(600, 650, 11)
    with pytest.raises(InputError, match="positive maximum"):
        analyze_spectrum(wl, -np.ones(11))
    with pytest.raises(InputError, match="increase strictly"):
        analyze_spectrum(wl[::-1], np.ones(11))
    with pytest.raises(InputError, match="white_point"):
        analyze_spectrum(wl, np.ones(11), white_point="D50")
