"""Transfer matrices of qdled.optics.tmm against the independent `tmm` package (S. Byrnes)."""

import numpy as np
import pytest

from qdled.optics.tmm import flux_profile, half_stack, kz_normalised, reflect_transmit

tmm = pytest.importorskip("tmm")


def _random_stack(rng, n_layers):
    n_in = 1.0 + rng.random()  # lossless incidence medium (tmm requires it for oblique angles)
    mid = 1.2 + 1.5 * rng.random(n_layers) + 1j * rng.random(n_layers) * 2.0
    n_out = 1.0 + 2 * rng.random() + 0.5j * rng.random()
    return np.concatenate([[n_in], mid, [n_out]]), 300 * rng.random(n_layers)


@pytest.mark.parametrize("seed", range(4))
def test_rt_matches_tmm_package(seed):
    # Reference: tmm.coh_tmm (Byrnes, arXiv:1603.02720), looped point by point; 1e-8 absolute.
    rng = np.random.default_rng(seed)
    n, d = _random_stack(rng, 2 + seed)
    wl = np.array([450.0, 628.0, 800.0])
    theta = np.radians([0.0, 25.0, 55.0, 80.0])
    neff = n[0].real * np.sin(theta)[None, :] * np.ones((len(wl), 1))
    n_wl = np.tile(n, (len(wl), 1))
    for pol in ("s", "p"):
        R, T = reflect_transmit(pol, n_wl, d, neff, wl)
        for i, w in enumerate(wl):
            for k, th in enumerate(theta):
                ref = tmm.coh_tmm(pol, list(n), [np.inf, *d, np.inf], th, w)
                assert R[i, k] == pytest.approx(ref["R"], abs=1e-8)
                assert T[i, k] == pytest.approx(ref["T"], abs=1e-8)


def test_layer_absorption_and_profile_match_tmm_package():
    # Reference: tmm.absorp_in_each_layer; the position-resolved flux at each interface must
    # reproduce the per-layer absorption (flux differences), 1e-8.
    rng = np.random.default_rng(7)
    n, d = _random_stack(rng, 4)
    wl = np.array([600.0])
    th = 0.6
    neff = np.array([[n[0].real * np.sin(th)]])
    for pol in ("s", "p"):
        ref = tmm.coh_tmm(pol, list(n), [np.inf, *d, np.inf], th, 600.0)
        layer_abs = tmm.absorp_in_each_layer(ref)[1:-1]
        hs = half_stack(pol, n[None, :], d, neff, wl)
        incident = hs.flux[0] / (1 - np.abs(hs.r) ** 2)
        np.testing.assert_allclose((hs.absorbed / incident).ravel(), layer_abs, atol=1e-8)
        z = np.concatenate([[0.0], np.cumsum(d)]) - 1e-9
        z[0] = 0.0
        prof = flux_profile(pol, n[None, :], d, neff, wl, z)[:, 0, 0] / incident[0, 0]
        np.testing.assert_allclose(-np.diff(prof), layer_abs, atol=1e-6)


def test_thick_absorber_and_evanescent_waves_are_stable():
    # A 1 mm metal layer: R equals that of the bare half-space (Fresnel), no overflow;
    # evanescent waves (neff > n everywhere) give |r| <= 1 for a passive stack.
    n = np.array([[1.5, 0.5 + 5j, 1.0]])
    neff = np.array([[0.3, 1.2, 5.0, 50.0]])
    R, T = reflect_transmit("p", n, [1e6], neff, [600.0])
    R0, _ = reflect_transmit("p", n[:, :2], [], neff, [600.0])
    assert np.all(np.isfinite(R)) and np.allclose(R, R0, atol=1e-12)
    assert np.all(T[:, :2] == pytest.approx(0.0, abs=1e-12)) and np.all(np.isnan(T[:, 2:]))
    hs = half_stack("s", np.array([[2.0, 1.5, 1.4, 1.0]]), [200.0, 5000.0], neff * 2, [600.0])
    assert np.all(np.isfinite(hs.r)) and np.all(np.abs(hs.r) <= 1 + 1e-12)


def test_kz_branch():
    q = kz_normalised(np.array([1.0, 1.0, 1 + 1j]), np.array([0.5, 2.0, 3.0]))
    assert np.all(q.imag >= 0)
    assert q[0] == pytest.approx(np.sqrt(0.75))
    assert q[1] == pytest.approx(1j * np.sqrt(3.0))
