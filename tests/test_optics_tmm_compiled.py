"""The compiled (numba) transfer-matrix kernel against the NumPy reference implementation, 1e-12 relative.

``qdled.optics.tmm.reflectance_transmittance`` runs :mod:`qdled.optics._tmm_numba` when numba is installed;
``reflectance_transmittance_numpy`` is the reference (itself checked against the ``tmm`` package in
tests/test_optics_tmm.py). Both must give the same R and T to rounding on random stacks: both polarisations,
absorbing, metallic and uniaxial layers, evanescent and complex in-plane wavevectors, per-row thicknesses.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from qdled.optics import tmm

pytest.importorskip("numba")
from qdled.optics._tmm_numba import TRIG_MAX, rt_kernel  # noqa: E402

RTOL = 1e-12


def _compiled(*args, **kw):
    pols = kw.pop("pols", tmm.POLARISATIONS)
    return tmm._reflectance_transmittance_numba(rt_kernel, *args, pols, kw.pop("n_z", None))


def _assert_same(got: dict, ref: dict):
    assert got.keys() == ref.keys()
    for pol in ref:
        for x, y in zip(got[pol], ref[pol], strict=True):
            assert x.shape == y.shape
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=0, equal_nan=True)


def _random_case(rng, n_wl=5, n_u=40, uniaxial=False, per_row=False):
    n_layers = int(rng.integers(1, 9))
    n_in = 1.0 + 1.2 * rng.random()  # lossless incidence medium
    mid = 1.2 + 1.5 * rng.random((n_wl, n_layers)) + 1j * rng.random((n_wl, n_layers)) * (rng.random(n_layers) < 0.5)
    metal = rng.random(n_layers) < 0.2  # silver-like layers
    mid[:, metal] = 0.05 + 4.0j + 0.1 * rng.random((n_wl, int(metal.sum())))
    n_out = 1.0 + 2 * rng.random() + 0.3j * rng.random() * (rng.random() < 0.5)
    n = np.concatenate([np.full((n_wl, 1), n_in), mid, np.full((n_wl, 1), n_out)], axis=1)
    d = 300 * rng.random((n_wl, n_layers) if per_row else n_layers)
    wl = np.linspace(450.0, 750.0, n_wl)
    # propagating, evanescent in some layers, evanescent in the incidence medium, and complex (deformed contour)
    u = np.concatenate([np.linspace(0, 0.999, n_u // 2), np.linspace(1.0, 3.0, n_u // 2)])
    neff = n_in * u[None, :] * np.ones((n_wl, 1)) + 1j * 0.05 * rng.random((n_wl, n_u)) * (rng.random() < 0.5)
    n_z = None
    if uniaxial:
        n_z = n.copy()
        aniso = rng.random(n.shape[1]) < 0.6
        aniso[0] = False  # the incidence medium is isotropic
        n_z[:, aniso] = n[:, aniso] - 0.3 * rng.random((n_wl, int(aniso.sum()))) + 0.05j * rng.random()
    return n, d, neff, wl, n_z


@pytest.mark.parametrize("seed", range(12))
def test_compiled_kernel_matches_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    n, d, neff, wl, n_z = _random_case(rng, uniaxial=seed % 3 == 1, per_row=seed % 2 == 1)
    ref = tmm.reflectance_transmittance_numpy(n, d, neff, wl, n_z=n_z)
    _assert_same(_compiled(n, d, neff, wl, n_z=n_z), ref)
    for pol in ("s", "p"):  # one polarisation at a time
        _assert_same(_compiled(n, d, neff, wl, pols=(pol,), n_z=n_z), {pol: ref[pol]})


def test_compiled_kernel_on_the_benchmarked_device():
    from qdled.io.stack import default_stack
    from qdled.optics.outcoupling import geometry

    wl = np.linspace(560.0, 700.0, 61)
    geom, _, _ = geometry(default_stack(), wl)
    n = geom.n.copy()
    n[:, 0] = n[:, 0].real
    neff = n[:, :1].real * np.sin(np.linspace(0, 1.5, 200))[None, :]
    ref = tmm.reflectance_transmittance_numpy(n, geom.thickness_nm, neff, wl)
    _assert_same(_compiled(n, geom.thickness_nm, neff, wl), ref)
    # uniaxial organic layers
    n_z = n.copy()
    n_z[:, 3:6] -= 0.08
    ref = tmm.reflectance_transmittance_numpy(n, geom.thickness_nm, neff, wl, n_z=n_z)
    _assert_same(_compiled(n, geom.thickness_nm, neff, wl, n_z=n_z), ref)


def test_compiled_kernel_edge_cases():
    wl = np.array([500.0, 640.0])
    # grazing (neff = n of the incidence medium: T is NaN), the light line of a layer (kz = 0), evanescent
    neff = np.array([[0.0, 0.7, 1.5, 1.5 + 1e-6j, 2.0, 50.0], [0.3, 1.0, 1.4999, 1.6, 4.0, 1e3]])
    cases = [
        (np.array([[1.5, 1.0], [1.5, 1.0]]), np.zeros((2, 0))),  # one interface, no finite layer
        (np.array([[1.5, 2.0, 1.0]]), [0.0]),  # zero thickness
        (np.array([[1.5, 0.5 + 5j, 1.0]]), [1e6]),  # 1 mm of metal
        (np.array([[1.5, 1.5 + 1e-80j, 1.5, 1.0]]), [10.0, 20.0]),  # kz ~ 1e-80: the scaled square root
    ]
    for n, d in cases:
        with np.errstate(all="ignore"):  # the reference divides by kz = 0 at the light lines (NaN, as compiled)
            ref = tmm.reflectance_transmittance_numpy(n, d, neff, wl)
        _assert_same(_compiled(n, d, neff, wl), ref)
    # phases beyond TRIG_MAX (libm's cos/sin): lossless media and real neff, so kz and the phases are the same
    # numbers in both paths (with complex kz a one-ulp difference of kz moves a phase of 1e5 by ~1e-11)
    n, d = np.array([[1.5, 1.8, 1.45, 1.0]]), [2.0e7, 100.0]
    assert 2 * np.pi / 640 * 1.45 * 2.0e7 > TRIG_MAX
    real_neff = np.linspace(0.0, 1.6, 17)[None, :] * np.ones((2, 1))
    _assert_same(_compiled(n, d, real_neff, wl), tmm.reflectance_transmittance_numpy(n, d, real_neff, wl))
    # a scalar and a 1-d neff (one per row), a 3-d neff
    n, d = np.array([[1.5, 2.0 + 0.1j, 1.0], [1.5, 2.1 + 0.1j, 1.0]]), [120.0]
    for nf in (0.4, np.array([0.4, 0.6]), np.linspace(0, 2, 24).reshape(2, 3, 4)):
        _assert_same(_compiled(n, d, nf, wl), tmm.reflectance_transmittance_numpy(n, d, nf, wl))


def test_grazing_transmittance_is_more_accurate_than_the_reference():
    # Just beyond total internal reflection with a complex neff, T ~ 1e-13 is the ratio of two small fluxes.
    # The reference forms 1 + r with r -> -1 and loses ~4 digits there; the compiled kernel uses
    # (1 + r) = 2 y_0 / (y_0 + y_1). Checked against the same formula in extended precision (long double) from
    # the same double-precision kz arguments: the compiled value to 1e-14, the reference only to 1e-11.
    n, neff, wl = np.array([[1.5, 1.0]]), np.array([[1.5 + 1e-9j]]), [500.0]
    got = _compiled(n, np.zeros((1, 0)), neff, wl)
    ref = tmm.reflectance_transmittance_numpy(n, np.zeros((1, 0)), neff, wl)
    u2 = neff[0, 0] ** 2
    for pol in ("s", "p"):
        q0, q1 = (np.sqrt(np.clongdouble(e - u2)) for e in (2.25, 1.0))
        q0, q1 = (-q if q.imag < 0 else q for q in (q0, q1))
        y0, y1 = (q0, q1) if pol == "s" else (q0 / np.longdouble(2.25), q1)
        exact = y1.real * abs(2 * y0 / (y0 + y1)) ** 2 / y0.real
        assert abs(got[pol][1][0, 0] / exact - 1) < 1e-14
        assert abs(ref[pol][1][0, 0] / exact - 1) < 1e-11


def test_compiled_phase_factors_match_libm():
    # the inline cos/sin (fdlibm kernels, two-part pi/2 reduction) against libm (NumPy's cos/sin)
    from qdled.optics._tmm_numba import _attenuate, _phases

    rng = np.random.default_rng(3)
    nb = 4096
    u2 = rng.random(nb) * 9.0 + 0j
    out = [np.empty(nb) for _ in range(4)]
    eps = 2.3 + 0.02j
    for k0d in (0.0, 0.01, 3.0, 700.0, 4.0e4):
        _phases(eps.real, eps.imag, 1.0, 0.0, True, k0d, u2.real.copy(), u2.imag.copy(), nb, *out)
        _attenuate(k0d, nb, *out)
        q = np.sqrt(eps - u2)
        q[q.imag < 0] *= -1
        np.testing.assert_allclose(out[0] + 1j * out[1], q, rtol=1e-15, atol=0)
        # an ulp of kz moves the phase k0d kz by k0d |kz| 1e-16: the tolerance follows the phase's condition
        ref = np.exp(1j * k0d * q)
        tol = 1e-15 * (1 + k0d * np.abs(q)) * np.abs(ref) + 1e-300
        assert np.all(np.abs(out[2] + 1j * out[3] - ref) <= tol)
    # real kz: the same phases as libm to rounding
    _phases(2.3, 0.0, 1.0, 0.0, True, 4.0e3, u2.real * 0.25, u2.imag * 0, nb, *out)
    _attenuate(4.0e3, nb, *out)
    np.testing.assert_allclose(out[2] + 1j * out[3], np.exp(1j * 4.0e3 * out[0]), rtol=1e-15, atol=0)


def test_dispatch_and_numpy_fallback():
    if os.environ.get("QDLED_NUMBA", "1") != "0":
        assert tmm.BACKEND == "numba"  # selected automatically when numba is installed
    rng = np.random.default_rng(5)
    n, d, neff, wl, _ = _random_case(rng, n_wl=8, n_u=200)
    assert neff.size >= tmm.NUMBA_MIN_POINTS
    _assert_same(tmm.reflectance_transmittance(n, d, neff, wl), tmm.reflectance_transmittance_numpy(n, d, neff, wl))
    # without numba the package imports and runs the NumPy path
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import numpy as np\n"
        "from qdled.optics import tmm\n"
        "assert tmm.BACKEND == 'numpy', tmm.BACKEND\n"
        "R, T = tmm.reflect_transmit('p', np.array([[1.5, 2.0, 1.0]]), [100.0], np.array([[0.2]]), [600.0])\n"
        "assert 'qdled.optics._tmm_numba' not in sys.modules and 0 < R[0, 0] < 1\n"
    )
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    env["QDLED_NUMBA"] = "0"
    code = "from qdled.optics import tmm; assert tmm.BACKEND == 'numpy'"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
