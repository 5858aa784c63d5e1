"""qdled.spectral: the one spectrum type, its peak/FWHM finder, line shapes, colour, photometry and hc/e."""

import numpy as np
import pytest
from scipy import constants as c

from qdled.errors import InputError
from qdled.io.paper import paper_value
from qdled.spectral import (
    FWHM_PER_SIGMA,
    HC_EV_NM,
    KM_LM_PER_W,
    REC2020_RED_XY,
    Spectrum,
    cie_xy,
    gaussian,
    luminance_from_photon_flux,
    luminous_efficacy,
    photon_energy_eV,
    photon_flux_from_luminance,
    photon_wavelength_nm,
    photons_per_joule,
    turn_on_voltage,
    voigt,
)


def _gauss(wl, centre, fwhm):
    return np.exp(-0.5 * ((wl - centre) / (fwhm / FWHM_PER_SIGMA)) ** 2)


@pytest.mark.parametrize(
    "wl, s, match",
    [
        ([600.0, 610.0], [1.0, 2.0], "length >= 3"),
        ([600.0, 610.0, 620.0], [1.0, 2.0], "equal length"),
        ([[600.0, 610.0, 620.0]], [[1.0, 2.0, 1.0]], "1-D"),
        ([600.0, np.nan, 620.0], [1.0, 2.0, 1.0], "finite"),
        ([600.0, 610.0, 620.0], [1.0, np.inf, 1.0], "finite"),
        ([600.0, 600.0, 620.0], [1.0, 2.0, 1.0], "increase strictly"),
        ([620.0, 610.0, 600.0], [1.0, 2.0, 1.0], "increase strictly"),
        ([-10.0, 0.0, 10.0], [1.0, 2.0, 1.0], "> 0"),
        ([600.0, 610.0, 620.0], [0.0, 0.0, 0.0], "positive maximum"),
        ([600.0, 610.0, 620.0], [-1.0, -2.0, -1.0], "positive maximum"),
    ],
)
def test_spectrum_validation(wl, s, match):
    with pytest.raises(InputError, match=match):
        Spectrum(wl, s)


def test_spectrum_is_an_immutable_copy_and_unpacks():
    wl, s = np.linspace(600, 650, 11), np.ones(11)
    spec = Spectrum(wl, s)
    s[0] = 5.0  # the caller's array is not the spectrum's
    assert spec.intensity[0] == 1.0
    with pytest.raises(ValueError):
        spec.intensity[0] = 2.0
    a, b = spec
    assert a is spec.wavelength_nm and b is spec.intensity
    # measured spectra keep their (dark-subtracted, zero-mean) negative samples
    assert Spectrum(wl, np.r_[-0.1, np.ones(10)]).intensity[0] == -0.1


def test_gaussian_peak_and_fwhm_exact_on_fine_and_coarse_grids():
    assert gaussian(628.0, 33.0).peak_nm == pytest.approx(628.0, abs=1e-9)
    # A Gaussian's half-maximum points lie on parabolas in ln(I): exact on coarse grids (linear interpolation
    # gave +0.9 to +2 % on 5-10 nm grids); two grid offsets
    for step in (5.0, 10.0):
        for offset in (0.0, 0.37):
            wl = np.arange(500.0 + offset, 760.0, step)
            assert gaussian(628.0, 33.0, wl).fwhm_nm == pytest.approx(33.0, rel=1e-3)


def test_peak_and_fwhm_with_noise():
    rng = np.random.default_rng(11)
    wl = np.arange(550, 720, 0.5)
    spec = Spectrum(wl, 1000 * _gauss(wl, 626.3, 32.0) + rng.normal(0, 3.0, wl.size))
    # 0.3 % noise on the peak: the top-20 % parabola and log-parabola crossings stay within a few tenths of a nm
    assert spec.peak_nm == pytest.approx(626.3, abs=0.3)
    assert spec.fwhm_nm == pytest.approx(32.0, abs=0.3)
    assert spec.centroid_nm == pytest.approx(626.3, abs=0.3)


def test_fwhm_nan_when_peak_cut():
    wl = np.linspace(600, 630, 61)
    assert np.isnan(Spectrum(wl, _gauss(wl, 628, 33)).fwhm_nm)


def test_normalised_and_scaled():
    spec = gaussian(620.0, 30.0).scaled(7.0)
    assert spec.intensity.max() == pytest.approx(7.0)
    assert spec.normalised().intensity.max() == 1.0
    assert spec.normalised().peak_nm == pytest.approx(spec.peak_nm, abs=1e-9)


def test_voigt_limits_are_normalised_gaussian_and_lorentzian():
    x = np.linspace(-2.0, 2.0, 40001)
    g = voigt(x, 0.0, 0.1)[0]
    assert np.trapezoid(g, x) == pytest.approx(1.0, rel=1e-6)
    assert g.max() == pytest.approx(FWHM_PER_SIGMA / (0.1 * np.sqrt(2 * np.pi)), rel=1e-6)
    lor = voigt(x, [0.5], 0.0, 0.1)[0]
    assert lor.max() == pytest.approx(2 / (np.pi * 0.1), rel=1e-6) and x[np.argmax(lor)] == pytest.approx(0.5)
    with pytest.raises(InputError, match="both be 0"):
        voigt(x, 0.0, 0.0, 0.0)


def test_hc_over_e_and_photon_energy():
    assert HC_EV_NM == pytest.approx(c.h * c.c / c.e * 1e9, rel=1e-15)
    assert HC_EV_NM == pytest.approx(1239.84198, rel=1e-8)
    assert photon_energy_eV(623.0) == pytest.approx(1.99011, abs=1e-5)
    np.testing.assert_allclose(photon_wavelength_nm(photon_energy_eV(np.array([400.0, 700.0]))), [400.0, 700.0])
    for bad in (0.0, -1.0, np.nan):
        with pytest.raises(InputError, match="wavelength_nm"):
            photon_energy_eV(bad)


def test_630nm_line_is_rec2020_red():
    # BT.2020 defines its red primary as the spectral locus at 630 nm: (0.708, 0.292), rounded to 1e-3.
    wl = np.linspace(620, 640, 4001)
    x, y = cie_xy(Spectrum(wl, _gauss(wl, 630.0, 0.05)))
    assert abs(x - REC2020_RED_XY[0]) < 1e-3 and abs(y - REC2020_RED_XY[1]) < 1e-3


def test_xy_matches_colour_sd_to_XYZ():
    import colour

    wl = np.arange(380, 781, 1.0)
    s = _gauss(wl, 628, 33) + 0.3 * _gauss(wl, 540, 60)
    sd = colour.SpectralDistribution(dict(zip(wl, s, strict=False)))
    with colour.utilities.suppress_warnings(colour_runtime_warnings=True):
        ref = colour.XYZ_to_xy(colour.sd_to_XYZ(sd))
    # same CMFs, same 1 nm grid: only the quadrature differs (trapezoid vs ASTM E308 sum)
    np.testing.assert_allclose(cie_xy(Spectrum(wl, s)), ref, atol=2e-5)


def test_paper_el_colour_point():
    # A Gaussian of the paper's EL peak and width is only an approximation of the measured shape: 3e-3.
    x, y = cie_xy(gaussian(paper_value("nsa_pf6.el_peak_nm"), paper_value("nsa_pf6.el_fwhm_nm")))
    assert x == pytest.approx(paper_value("nsa_pf6.cie_x"), abs=3e-3)
    assert y == pytest.approx(paper_value("nsa_pf6.cie_y"), abs=3e-3)


def test_no_visible_weight_is_refused():
    with pytest.raises(InputError, match="360-830 nm"):
        cie_xy(gaussian(1500.0, 20.0, np.linspace(1400, 1600, 101)))
    with pytest.raises(InputError, match="visible"):
        photon_flux_from_luminance(1.0, gaussian(1500.0, 20.0, np.linspace(1400, 1600, 101)))


def test_luminous_efficacy_of_a_555nm_line_is_km():
    line = gaussian(555.0, 0.5, np.arange(550.0, 560.01, 0.01))
    assert luminous_efficacy(line) == pytest.approx(KM_LM_PER_W, rel=1e-3)


def test_photometry_round_trip_and_photons_per_joule():
    spec = gaussian(628.0, 33.0)
    assert photons_per_joule(spec) == pytest.approx(628e-9 / (c.h * c.c), rel=5e-3)  # ~ the centre's photons
    n = photon_flux_from_luminance(683.0 / np.pi, spec)
    assert luminance_from_photon_flux(n, spec) == pytest.approx(683.0 / np.pi, rel=1e-12)


def test_spectrometer_noise_does_not_bias_the_luminous_efficacy():
    # negative samples are kept (zero-mean noise): clipping them biased K low by ~1 % at 2 % noise
    wl = np.arange(500.0, 760.0, 0.5)
    clean = luminous_efficacy(gaussian(628.0, 33.0, wl))
    noisy = [
        luminous_efficacy(Spectrum(wl, _gauss(wl, 628.0, 33.0) + np.random.default_rng(k).normal(0, 0.02, wl.size)))
        for k in range(20)
    ]
    assert np.mean(noisy) == pytest.approx(clean, rel=2e-3)


def test_turn_on_voltage():
    V = np.array([1.0, 2.0, 3.0])
    assert turn_on_voltage(V, [0.1, 10.0, 100.0]) == pytest.approx(1.5)  # log-interpolated
    assert turn_on_voltage(V, [0.5, 2.0, 3.0]) == pytest.approx(1.5)  # log10: half-way from 0.5 to 2
    assert turn_on_voltage(V, [0.0, 2.0, 3.0]) == pytest.approx(1.5)  # linear from L = 0
    assert turn_on_voltage(V, [2.0, 3.0, 4.0]) == 1.0
    assert np.isnan(turn_on_voltage(V, [0.0, 0.1, 0.5]))
