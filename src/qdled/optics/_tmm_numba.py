"""Compiled (numba) kernel of :func:`qdled.optics.tmm.reflectance_transmittance`.

Imported lazily by :mod:`qdled.optics.tmm` on the first call when numba is installed; the NumPy code in
``tmm.py`` stays the reference implementation (and the fallback without numba). Compiled with
``cache=True`` (the machine code is stored beside this file and reloaded, ~0.2 s, instead of compiled, ~2-5 s)
and ``fastmath=False`` (IEEE arithmetic, no reassociation).

Per wavelength, the (wavelength, neff) points are taken in blocks of :data:`BLOCK`. A first, branch-free pass
over each block computes kz/k0 of every medium and ``exp(i k0 d Re kz)`` of the finite ones, shared by s and p
(the loops vectorise: square roots of the scaled stable formula, cos/sin from fdlibm's kernels after a two-part
pi/2 reduction, within ~1 ulp of libm); a scalar pass applies ``exp(-k0 d Im kz)`` and libm's cos/sin to phases
beyond :data:`TRIG_MAX`. Then, point by point, the s and p Airy recursions run interleaved (two independent
dependency chains) from the exit medium towards the incidence medium.

Algebra (equal to ``tmm._solve`` up to rounding): with admittances ``y`` (``q`` for s, ``q / n_o^2`` for p),
``a_j = y_j - y_{j+1}``, ``b_j = y_j + y_{j+1}`` (so ``r_j = a_j / b_j``) and ``back = rho_{j+1} prop_{j+1}^2``,

    rho_j = (a_j + b_j back) / D_j,    D_j = b_j + a_j back,
    (1 + r_j) / (1 + r_j back) = 2 y_j / D_j   (the forward amplitude's factor across interface j),

so one complex division per interface instead of three, and no ``1 + r`` (which loses digits as r -> -1 at
grazing incidence: there this kernel is the more accurate of the two, tests/test_optics_tmm_compiled.py).

References: fdlibm 5.3 (Sun Microsystems, 1993), ``k_sin.c``, ``k_cos.c``, ``e_rem_pio2.c`` (polynomial
coefficients and pi/2 splits used unchanged).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Points per block of the kernel's vectorised phase pass (its scratch arrays stay in the L1/L2 caches)
BLOCK = 128
#: |phase| above which libm's sin/cos are used instead of the inline reduction (exact below 2^20 pi/2)
TRIG_MAX = 1.0e5

# fdlibm (k_sin.c, k_cos.c, e_rem_pio2.c): two-part pi/2 (33 bits + tail) and minimax kernels on [-pi/4, pi/4]
_INVPIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e00
_PIO2_1T = 6.07710050650619224932e-11
_S1, _S2, _S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_S4, _S5, _S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_C1, _C2, _C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_C4, _C5, _C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11
# exact powers of two scaling the square root's argument away from under/overflow
_UP600, _DOWN600, _UP300, _DOWN300 = 2.0**600, 2.0**-600, 2.0**300, 2.0**-300


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _cos_sin(x):
    """(cos x, sin x) for |x| <= TRIG_MAX without branches (so that loops over points vectorise)."""
    fn = math.floor(x * _INVPIO2 + 0.5)
    r = (x - fn * _PIO2_1) - fn * _PIO2_1T  # the first product is exact for |fn| < 2^20
    z = r * r
    sin_r = r + z * r * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    hz = 0.5 * z
    w = 1.0 - hz
    cos_r = w + (((1.0 - w) - hz) + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    quadrant = np.int64(fn) & 3
    c = sin_r if quadrant & 1 else cos_r
    s = cos_r if quadrant & 1 else sin_r
    c = -c if (quadrant + 1) & 2 else c
    s = -s if quadrant & 2 else s
    return c, s


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _kz(x, y):
    """``sqrt(x + i y)`` on the branch ``Im >= 0`` (``Re >= 0`` when real), as ``tmm.normalised_kz``; no branches.

    ``|x + i y|`` below 1e-140 or above 1e140 is scaled by 2^(+-600) first (exact), so ``x*x + y*y`` cannot
    underflow or overflow.
    """
    big = max(abs(x), abs(y))
    scale = _UP600 if big < 1e-140 else (_DOWN600 if big > 1e140 else 1.0)
    unscale = _DOWN300 if big < 1e-140 else (_UP300 if big > 1e140 else 1.0)
    xs = x * scale
    ys = y * scale
    r = math.sqrt(xs * xs + ys * ys)
    t = math.sqrt(0.5 * (r + abs(xs)))
    h = 0.5 * ys / (t if t > 0.0 else 1.0)
    re = (t if xs >= 0.0 else abs(h)) * unscale
    im = (h if xs >= 0.0 else math.copysign(t, ys)) * unscale
    flip = im < 0.0
    return (-re if flip else re), (-im if flip else im)


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _inv(z):
    """``1 / z = conj(z) / |z|^2`` (one real division; |z| is far from the over/underflow limits here)."""
    a, b = z.real, z.imag
    s = 1.0 / (a * a + b * b)
    return complex(a * s, -b * s)


@njit(cache=True, fastmath=False, error_model="numpy")
def _phases(eps_r, eps_i, ratio_r, ratio_i, finite, k0d, u2r, u2i, nb, qr, qi, pc, ps):
    """kz/k0 (qr + i qi) of one medium at ``nb`` points and, if ``finite``, ``exp(i k0d Re q)`` (pc + i ps).

    ``ratio`` = (n_o/n_z)^2 (1 for s waves and isotropic media). Branch-free: the loops vectorise. The
    attenuation ``exp(-k0d Im q)`` and phases beyond TRIG_MAX are applied by :func:`_attenuate`.
    """
    for k in range(nb):
        wr = eps_r - (ratio_r * u2r[k] - ratio_i * u2i[k])
        wi = eps_i - (ratio_r * u2i[k] + ratio_i * u2r[k])
        a, b = _kz(wr, wi)
        qr[k] = a
        qi[k] = b
    if finite:
        for k in range(nb):
            c, s = _cos_sin(k0d * qr[k])
            pc[k] = c
            ps[k] = s


@njit(cache=True, fastmath=False, error_model="numpy")
def _attenuate(k0d, nb, qr, qi, pc, ps):
    """Multiply ``exp(i k0d Re q)`` by ``exp(-k0d Im q)``; libm's cos/sin where the phase exceeds TRIG_MAX."""
    for k in range(nb):
        b = k0d * qr[k]
        if abs(b) > TRIG_MAX:
            pc[k] = math.cos(b)
            ps[k] = math.sin(b)
        a = -k0d * qi[k]
        if a != 0.0:
            e = math.exp(a)
            pc[k] *= e
            ps[k] *= e


@njit(cache=True, fastmath=False, error_model="numpy")
def rt_kernel(n, n_z, aniso, d, k0, neff, want_s, want_p, r_s, t_s, r_p, t_p):
    """Fill ``r_s, t_s, r_p, t_p`` (n_wl, m) with R and T of every (wavelength, neff) point.

    Parameters
    ----------
    n, n_z : complex (n_wl, L)
        Ordinary and extraordinary indices (``n_z`` is read only where ``aniso`` is True).
    aniso : bool (L,)
        Media whose p waves need their own kz (``n_z != n`` somewhere in the column).
    d : float (n_wl, L-2)
        Thicknesses of the finite media [nm].
    k0 : float (n_wl,)
        ``2 pi / wavelength``.
    neff : complex (n_wl, m)
    want_s, want_p : bool
        Polarisations to compute (the others' outputs are left untouched).
    """
    n_wl, n_media = n.shape
    m = neff.shape[1]
    inv_eps = np.empty(n_media, dtype=np.complex128)
    # per medium and point of a block: kz/k0 and exp(i k0 d kz/k0), s (and p where the medium is uniaxial)
    qsr = np.empty((n_media, BLOCK))
    qsi = np.empty((n_media, BLOCK))
    psc = np.empty((n_media, BLOCK))
    pss = np.empty((n_media, BLOCK))
    qpr = np.empty((n_media, BLOCK))
    qpi = np.empty((n_media, BLOCK))
    ppc = np.empty((n_media, BLOCK))
    pps = np.empty((n_media, BLOCK))
    u2r = np.empty(BLOCK)
    u2i = np.empty(BLOCK)
    ys = np.empty(n_media, dtype=np.complex128)  # admittances
    yp = np.empty(n_media, dtype=np.complex128)
    ps_ = np.empty(n_media, dtype=np.complex128)  # one-way phase factors
    pp_ = np.empty(n_media, dtype=np.complex128)
    id_s = np.empty(n_media, dtype=np.complex128)  # 1 / D_j
    id_p = np.empty(n_media, dtype=np.complex128)
    for i in range(n_wl):
        for j in range(n_media):
            inv_eps[j] = _inv(n[i, j] * n[i, j])
        for start in range(0, m, BLOCK):
            nb = min(BLOCK, m - start)
            for k in range(nb):
                u = neff[i, start + k]
                u2 = u * u
                u2r[k] = u2.real
                u2i[k] = u2.imag
            for j in range(n_media):
                e = n[i, j] * n[i, j]
                finite = 0 < j < n_media - 1
                k0d = k0[i] * d[i, j - 1] if finite else 0.0
                _phases(e.real, e.imag, 1.0, 0.0, finite, k0d, u2r, u2i, nb, qsr[j], qsi[j], psc[j], pss[j])
                if finite:
                    _attenuate(k0d, nb, qsr[j], qsi[j], psc[j], pss[j])
                if aniso[j]:
                    rz = e / (n_z[i, j] * n_z[i, j])
                    _phases(e.real, e.imag, rz.real, rz.imag, finite, k0d, u2r, u2i, nb, qpr[j], qpi[j], ppc[j], pps[j])
                    if finite:
                        _attenuate(k0d, nb, qpr[j], qpi[j], ppc[j], pps[j])
            for k in range(nb):
                for j in range(n_media):
                    qs = complex(qsr[j, k], qsi[j, k])
                    ys[j] = qs
                    ps_[j] = complex(psc[j, k], pss[j, k])
                    if aniso[j]:
                        yp[j] = complex(qpr[j, k], qpi[j, k]) * inv_eps[j]
                        pp_[j] = complex(ppc[j, k], pps[j, k])
                    else:
                        yp[j] = qs * inv_eps[j]
                        pp_[j] = ps_[j]
                # s and p recursions interleaved (two independent dependency chains)
                j = n_media - 2  # exit interface: r = a / b, and (1 + r) = 2 y_j / b_j
                ibs = _inv(ys[j] + ys[j + 1])
                ibp = _inv(yp[j] + yp[j + 1])
                rho_s = (ys[j] - ys[j + 1]) * ibs
                rho_p = (yp[j] - yp[j + 1]) * ibp
                id_s[j] = ibs
                id_p[j] = ibp
                for j in range(n_media - 3, -1, -1):
                    p1 = ps_[j + 1]
                    p2 = pp_[j + 1]
                    back_s = rho_s * (p1 * p1)
                    back_p = rho_p * (p2 * p2)
                    a_s = ys[j] - ys[j + 1]
                    b_s = ys[j] + ys[j + 1]
                    a_p = yp[j] - yp[j + 1]
                    b_p = yp[j] + yp[j + 1]
                    ids = _inv(b_s + a_s * back_s)
                    idp = _inv(b_p + a_p * back_p)
                    rho_s = (a_s + b_s * back_s) * ids
                    rho_p = (a_p + b_p * back_p) * idp
                    id_s[j] = ids
                    id_p[j] = idp
                amp_s = 2.0 * ys[0] * id_s[0]
                amp_p = 2.0 * yp[0] * id_p[0]
                for j in range(1, n_media - 1):
                    amp_s = amp_s * ps_[j] * (2.0 * ys[j] * id_s[j])
                    amp_p = amp_p * pp_[j] * (2.0 * yp[j] * id_p[j])
                kk = start + k
                if want_s:
                    r_s[i, kk] = rho_s.real * rho_s.real + rho_s.imag * rho_s.imag
                    inc = ys[0].real
                    tr = ys[n_media - 1].real * (amp_s.real * amp_s.real + amp_s.imag * amp_s.imag)
                    t_s[i, kk] = tr / inc if inc != 0.0 else np.nan
                if want_p:
                    r_p[i, kk] = rho_p.real * rho_p.real + rho_p.imag * rho_p.imag
                    inc = yp[0].real
                    tr = yp[n_media - 1].real * (amp_p.real * amp_p.real + amp_p.imag * amp_p.imag)
                    t_p[i, kk] = tr / inc if inc != 0.0 else np.nan
