"""Transfer matrices for planar multilayers, vectorised over wavelength x in-plane wavevector.

The stack is solved with the recursive (Airy / Rouard) half-stack reflection coefficient,
evaluated from the far end of the stack towards the incidence medium, then the forward
amplitudes are propagated back out. Only ``exp(+i kz d)`` with ``Im kz >= 0`` ever appears,
so thick absorbing layers and evanescent waves cannot overflow (no growing exponentials,
unlike the plain 2x2 characteristic-matrix product). Written here rather than taken from the
``tmm`` package because ``tmm`` loops in Python over every (wavelength, angle) point; the
``tmm`` package is used as the independent reference in the tests.

Conventions: ``neff = kx / k0`` (the in-plane wavevector in units of the vacuum wavenumber,
complex allowed for deformed integration contours), ``q = kz / k0 = sqrt(n**2 - neff**2)``
with ``Im q >= 0``. s waves are described by E_y, p waves by H_y (Fresnel coefficients of
Novotny & Hecht; ``r_p -> +1`` on a perfect conductor). Net z-fluxes are returned in units
of ``1/(2 omega mu0)`` (s) and ``1/(2 omega eps0)`` (p), so only ratios within one
polarisation are meaningful.

Uniaxial media with the optic axis along the stack normal (``eps = diag(n_o^2, n_o^2, n_z^2)``,
``n_z`` the extraordinary index ``n_e``): s waves (E in the plane) see only ``n_o``,
``q_s = sqrt(n_o^2 - neff^2)``; for p waves (H_y) Maxwell's equations give
``d^2 H_y/dz^2 + k0^2 (n_o^2 - (n_o/n_z)^2 neff^2) H_y = 0``, i.e.
``q_p = (n_o / n_z) sqrt(n_z^2 - neff^2)``, and the tangential field ``E_x = kz H_y / (omega eps0 n_o^2)``,
so the p admittance and flux keep the form ``q_p / n_o^2``. The 2x2 recursion is then exact (the two
polarisations stay uncoupled); only ``q`` differs per polarisation. ``n_z=None`` is the isotropic
code path, unchanged.

Compiled kernel: :func:`reflectance_transmittance` (R and T, the path benchmarked against ``tmm.coh_tmm`` in
benchmarks/bench_optics.py) runs a numba kernel (:mod:`qdled.optics._tmm_numba`) when numba is installed and
the call is large (:data:`NUMBA_MIN_POINTS`); numba is imported on the first such call, not with this module.
This NumPy code is the reference implementation and the fallback (``BACKEND = "numpy"``, ``QDLED_NUMBA=0``, or
numba missing); both agree to 1e-12 relative (tests/test_optics_tmm_compiled.py; beyond that only at
ill-conditioned points, R ~ 1e-8 far outside the light cone or T past grazing incidence, where both differ
from an extended-precision evaluation by ~1e-12). Why numba, a dependency: NumPy alone stopped at ~0.26 us
per (wavelength, angle, polarisation) point (one complex sqrt and exp per medium plus ~25 array passes) while
issue #21 asks for >= 500x ``tmm.coh_tmm`` (~0.17 us on an idle machine), and no library at hand does it:
``tmm`` evaluates one point per Python call (~85 us). The kernel fuses the two polarisations, shares kz and
the phase factors, needs one complex division per interface and computes the phases in a vectorised pass
(~0.09 us per point, ~850x ``tmm.coh_tmm`` on an idle machine). The half-stack fields of the dipole model
(:func:`half_stacks`) stay in NumPy: compiled, they were only 1.6-1.8x faster (their per-medium output arrays
dominate), 16 % off the EL spectrum, less than numba's import for a single spectrum.

References
----------
.. [1] L. Novotny and B. Hecht, Principles of Nano-Optics, 2nd ed. (CUP, 2012), ch. 10.
.. [2] M. Born and E. Wolf, Principles of Optics, 7th ed., sec. 1.6 (Airy summation).
.. [3] S. J. Byrnes, Multilayer optical calculations, arXiv:1603.02720 (flux conventions).
.. [4] P. Yeh, Optical Waves in Layered Media (Wiley, 1988), ch. 9 (uniaxial layers, c axis along z).
.. [5] L. Penninck, P. De Visschere, J. Beeckman and K. Neyts, Opt. Express 19, 18558 (2011)
   (dipoles in uniaxial microcavities).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import numpy as np

POLARISATIONS = ("s", "p")


def _numba_installed() -> bool:
    """numba can be imported (looked up without importing it: numba is imported on the first kernel call)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):
        return False


#: Kernel of :func:`reflectance_transmittance`: "numba" (compiled, :mod:`qdled.optics._tmm_numba`, for calls of
#: at least :data:`NUMBA_MIN_POINTS` points) when numba is installed and the environment does not set
#: ``QDLED_NUMBA=0``, else "numpy" (the reference implementation). Assign "numpy" to force the reference path.
BACKEND = "numba" if _numba_installed() and os.environ.get("QDLED_NUMBA", "1") != "0" else "numpy"


def kz_normalised(n, neff):
    """``kz/k0 = sqrt(n**2 - neff**2)`` on the branch ``Im >= 0`` (``Re >= 0`` when real).

    Parameters
    ----------
    n, neff : array_like, complex
        Refractive index and normalised in-plane wavevector (broadcastable).
    """
    q = np.sqrt(np.asarray(n, dtype=complex) ** 2 - np.asarray(neff, dtype=complex) ** 2)
    # the principal root has Re >= 0 (so a real root is already >= 0): only Im < 0 is flipped
    return np.negative(q, out=q, where=q.imag < 0) if q.ndim else (-q if q.imag < 0 else q)


def fresnel_r(pol: str, n_i, n_j, q_i, q_j):
    """Amplitude reflection coefficient from medium i onto medium j (E_y for s, H_y for p)."""
    if pol == "s":
        return (q_i - q_j) / (q_i + q_j)
    e_i, e_j = n_i * n_i, n_j * n_j
    return (e_j * q_i - e_i * q_j) / (e_j * q_i + e_i * q_j)


def net_flux(pol: str, n, q, rho):
    """Net z-flux of the field ``1 * exp(i kz z) + rho * exp(-i kz z)`` at ``z = 0``.

    Units of ``1/(2 omega mu0)`` (s) or ``1/(2 omega eps0)`` (p) times ``k0``.
    """
    if pol == "s":
        return np.real(np.conj(q) * (1 + rho) * (1 - np.conj(rho)))
    return np.real(q / (n * n) * (1 - rho) * (1 + np.conj(rho)))


@dataclass(frozen=True)
class HalfStack:
    """Response of media ``0 | 1 .. L-2 | L-1`` to a unit wave leaving medium 0 towards L-1.

    Attributes
    ----------
    r : complex ndarray (n_wl, ...)
        Reflection coefficient at the 0|1 interface (seen from medium 0).
    flux : ndarray (L-1, n_wl, ...)
        Net flux through interface ``k | k+1`` for a unit forward amplitude in medium 0.
        ``flux[0]`` is the flux leaving medium 0; ``flux[j-1] - flux[j]`` is absorbed in
        layer j; ``flux[-1]`` enters medium L-1.
    forward : list of complex ndarray
        Forward amplitude at the start of each medium 1 .. L-1.
    rho : list of complex ndarray
        Reflection coefficient at the end of each medium 0 .. L-2.
    q : list of complex ndarray
        ``kz/k0`` in each medium 0 .. L-1.
    """

    r: np.ndarray
    flux: np.ndarray
    forward: list
    rho: list
    q: list

    @property
    def absorbed(self) -> np.ndarray:
        """Flux absorbed in each finite medium 1 .. L-2, shape (L-2, n_wl, ...)."""
        return self.flux[:-1] - self.flux[1:]


def normalised_kz(n, neff) -> list:
    """``kz/k0`` of every medium of ``n`` (n_wl, L) at ``neff`` (n_wl, ...), for :func:`half_stack`'s ``q``."""
    n = np.asarray(n, dtype=complex)
    neff = np.asarray(neff, dtype=complex)
    extra = (1,) * (neff.ndim - 1)
    neff2 = neff * neff
    out = []
    for j in range(n.shape[1]):
        q = np.sqrt(n[:, j].reshape(-1, *extra) ** 2 - neff2)
        out.append(_branch(q))  # as kz_normalised
    return out


def _branch(q):
    """``q`` with ``Im q >= 0`` (the decaying / outgoing root), in place."""
    return np.negative(q, out=q, where=q.imag < 0)


def normalised_kz_p(n, n_z, neff, q_s=None) -> list:
    """p-wave ``kz/k0 = sqrt(n_o^2 - (n_o/n_z)^2 neff^2)`` (``Im >= 0``) of every medium of a uniaxial stack.

    Parameters
    ----------
    n, n_z : complex array (n_wl, L)
        Ordinary (in-plane) and extraordinary (along the normal) indices.
    neff : complex array (n_wl, ...)
    q_s : list, optional
        :func:`normalised_kz` of ``n``: reused (the same objects) for the isotropic media, where ``n_z == n``.
    """
    n = np.asarray(n, dtype=complex)
    n_z = np.asarray(n_z, dtype=complex)
    neff = np.asarray(neff, dtype=complex)
    extra = (1,) * (neff.ndim - 1)
    neff2 = neff * neff
    out = []
    for j in range(n.shape[1]):
        if q_s is not None and np.array_equal(n[:, j], n_z[:, j]):
            out.append(q_s[j])
            continue
        eo = (n[:, j] ** 2).reshape(-1, *extra)
        ratio = (n[:, j] ** 2 / n_z[:, j] ** 2).reshape(-1, *extra)
        out.append(_branch(np.sqrt(eo - ratio * neff2)))
    return out


def uniaxial_kz(n, n_z, neff) -> dict:
    """{pol: list of kz/k0 per medium} for a stack with ordinary ``n`` and extraordinary ``n_z`` (n_wl, L)."""
    q_s = normalised_kz(n, neff)
    return {"s": q_s, "p": normalised_kz_p(n, n_z, neff, q_s=q_s)}


def half_stack(pol: str, n, thickness_nm, neff, wavelength_nm, *, q=None, need_flux: bool = True) -> HalfStack:
    """Solve the stack ``n[:, 0] | n[:, 1:-1] (thickness_nm) | n[:, -1]``.

    Parameters
    ----------
    pol : {"s", "p"}
    n : complex array (n_wl, L)
        Indices from the incidence medium (0) to the exit medium (L-1), both semi-infinite.
    thickness_nm : array (L-2,) or (n_wl, L-2)
        Thicknesses of the finite media [nm] (per row if 2-d).
    neff : complex array (n_wl, ...)
        ``kx/k0``; any trailing shape (e.g. the u grid).
    wavelength_nm : array (n_wl,)
    q : list of arrays, optional
        :func:`normalised_kz` of ``n`` at ``neff`` (shared by the two polarisations).
    need_flux : bool or "exit"
        Also propagate the forward amplitudes and fluxes (False: only ``r``, ``rho`` and ``q``
        are filled, ``flux`` and ``forward`` are empty; "exit": ``flux`` holds only the flux
        leaving medium 0 and the flux entering the exit medium).

    Returns
    -------
    HalfStack
    """
    return half_stacks(n, thickness_nm, neff, wavelength_nm, pols=(pol,), q=q, need_flux=need_flux)[pol]


def half_stacks(
    n, thickness_nm, neff, wavelength_nm, *, pols=POLARISATIONS, q=None, need_flux: bool = True, n_z=None
) -> dict:
    """:func:`half_stack` for several polarisations, sharing ``kz`` and the phase factors: {pol: HalfStack}.

    ``n_z`` (n_wl, L), optional: extraordinary indices of uniaxial media (optic axis along the normal; ``n``
    is then the ordinary index); ``q`` may then be a dict {pol: list} (:func:`uniaxial_kz`).
    """
    n = np.asarray(n, dtype=complex)
    neff = np.asarray(neff, dtype=complex)
    n_media = n.shape[1]
    extra = (1,) * (neff.ndim - 1)
    k0 = (2 * np.pi / np.asarray(wavelength_nm, dtype=float)).reshape(-1, *extra)
    # k0 d per finite medium, shared by the rows or one value per row
    d = np.asarray(thickness_nm, dtype=float)
    k0d = [k0 * (d[..., j].reshape(-1, *extra) if d.ndim == 2 else d[j]) for j in range(n_media - 2)]
    nj = [n[:, j].reshape(-1, *extra) for j in range(n_media)]
    if q is None:
        q = normalised_kz(n, neff) if n_z is None else uniaxial_kz(n, n_z, neff)
    if isinstance(q, dict):  # uniaxial: kz per polarisation; phase factors shared where kz is the same object
        q_s, q_p = q["s"], q["p"]
        prop_s = [None] + [np.exp(1j * k0d[j - 1] * q_s[j]) for j in range(1, n_media - 1)] + [None]
        prop_p = [prop_s[j] if q_p[j] is q_s[j] else np.exp(1j * k0d[j - 1] * q_p[j]) for j in range(1, n_media - 1)]
        prop_p = [None, *prop_p, None]
        out = {}
        for pol in pols:
            prop = prop_s if pol == "s" else prop_p
            prop2 = [None] + [p * p for p in prop[1:-1]] + [None]
            out[pol] = _solve(pol, nj, q[pol], prop, prop2, need_flux)
        return out
    # one-way phase factors exp(i kz d) of the finite media and their squares (round trips)
    prop = [None] + [np.exp(1j * k0d[j - 1] * q[j]) for j in range(1, n_media - 1)] + [None]
    prop2 = [None] + [p * p for p in prop[1:-1]] + [None]
    return {pol: _solve(pol, nj, q, prop, prop2, need_flux) for pol in pols}


def _compiled_kernel(name: str):
    """The numba kernel ``name`` of :mod:`qdled.optics._tmm_numba`, or None (BACKEND "numpy" or numba unusable)."""
    global BACKEND
    if BACKEND != "numba":
        return None
    try:
        from qdled.optics import _tmm_numba
    except ImportError:  # numba installed but unusable (e.g. built for another NumPy): the reference path
        BACKEND = "numpy"
        return None
    return getattr(_tmm_numba, name)


def _solve(pol: str, nj, q, prop, prop2, need_flux: bool) -> HalfStack:
    """Recursion of :func:`half_stack` for one polarisation (media lists prepared by :func:`half_stacks`)."""
    n_media = len(nj)
    # Fresnel coefficients as (y_i - y_j) / (y_i + y_j) with the admittances y = q (s) or q / n^2 (p),
    # the form of fresnel_r divided through by n_i^2 n_j^2: one division per medium, not per interface
    y = q if pol == "s" else [q[j] / (nj[j] * nj[j]) for j in range(n_media)]
    r_if = [(y[j] - y[j + 1]) / (y[j] + y[j + 1]) for j in range(n_media - 1)]
    rho = [None] * (n_media - 1)
    den = [None] * (n_media - 1)  # multiple-reflection denominators, reused by the forward amplitudes
    rho[-1] = r_if[-1]
    for j in range(n_media - 3, -1, -1):
        back = rho[j + 1] * prop2[j + 1]
        den[j] = 1 + r_if[j] * back
        rho[j] = (r_if[j] + back) / den[j]
    if not need_flux:
        return HalfStack(r=rho[0], flux=np.empty(0), forward=[], rho=rho, q=q)
    every = need_flux != "exit"
    forward = []
    amp = np.ones_like(q[0])
    flux = [net_flux(pol, nj[0], q[0], rho[0])]
    for j in range(n_media - 1):
        amp = (1 + r_if[j]) * amp
        if j + 1 < n_media - 1:
            amp = amp / den[j]
        if every:
            forward.append(amp)
        if j + 1 == n_media - 1:  # entering the exit medium
            flux.append(net_flux(pol, nj[j + 1], q[j + 1], 0.0) * np.abs(amp) ** 2)
        else:
            amp = amp * prop[j + 1]
            if every and j + 1 < n_media - 2:  # end of a finite medium followed by another finite one
                flux.append(net_flux(pol, nj[j + 1], q[j + 1], rho[j + 1]) * np.abs(amp) ** 2)
    flux = np.stack(flux)
    return HalfStack(r=rho[0], flux=flux, forward=forward, rho=rho, q=q)


def reflect_transmit(pol: str, n, thickness_nm, neff, wavelength_nm):
    """Power reflectance and transmittance of a stack lit from medium 0 (lossless).

    Returns
    -------
    (R, T) : ndarrays of the shape of ``neff`` (T is NaN where the incident wave is evanescent)
    """
    return reflectance_transmittance(n, thickness_nm, neff, wavelength_nm, pols=(pol,))[pol]


#: Smallest call (neff.size) of :func:`reflectance_transmittance` sent to the compiled kernel; calls on a bare
#: interface (no finite layer) stay in NumPy too. Importing numba and loading the compiled code costs ~0.25 s
#: once per process, while the emission model's own calls (the bare substrate|outside interface, up to a few
#: thousand points) take < 1 ms in NumPy: so ``qdled optics``, the EL spectrum and sweeps neither import numba
#: nor change by a bit.
NUMBA_MIN_POINTS = 1024

#: (wavelength, neff) points per block of :func:`reflectance_transmittance`: its ~60 temporaries of this
#: size stay in the CPU's first-level caches (1,525 points: 0.29 us per point against 0.47 us unblocked)
_RT_BLOCK = 1536


def reflectance_transmittance(n, thickness_nm, neff, wavelength_nm, *, pols=POLARISATIONS, n_z=None) -> dict:
    """:func:`reflect_transmit` for several polarisations sharing ``kz`` and the phase factors: {pol: (R, T)}.

    Only the reflection recursion and the forward amplitude into the exit medium are computed
    (no intermediate fluxes). ``n_z`` (n_wl, L), optional: extraordinary indices of uniaxial media
    (see :func:`half_stacks`); the incidence medium must be isotropic. Runs the compiled kernel when
    :data:`BACKEND` is "numba" and the call is worth it (at least one finite layer and
    :data:`NUMBA_MIN_POINTS` points), else :func:`reflectance_transmittance_numpy` (the reference; same
    results to rounding, ``tests/test_optics_tmm_compiled.py``).
    """
    big = np.shape(n)[-1] > 2 and np.size(neff) >= NUMBA_MIN_POINTS
    if big and (kernel := _compiled_kernel("rt_kernel")) is not None:
        return _reflectance_transmittance_numba(kernel, n, thickness_nm, neff, wavelength_nm, pols, n_z)
    return reflectance_transmittance_numpy(n, thickness_nm, neff, wavelength_nm, pols=pols, n_z=n_z)


def _reflectance_transmittance_numba(kernel, n, thickness_nm, neff, wavelength_nm, pols, n_z) -> dict:
    """:func:`reflectance_transmittance` through ``kernel`` (:func:`qdled.optics._tmm_numba.rt_kernel`)."""

    def c_array(x, dtype):  # C-contiguous and writable: one compiled signature for every call
        return np.require(x, dtype=dtype, requirements=("C", "W"))

    n = np.asarray(n, dtype=complex)
    neff = np.asarray(neff, dtype=complex).reshape(np.shape(neff) or (1,))  # a scalar as one per row
    wl = np.asarray(wavelength_nm, dtype=float).reshape(-1)
    d = np.asarray(thickness_nm, dtype=float)
    n_media = n.shape[1]
    (n_rows,) = np.broadcast_shapes((n.shape[0],), neff.shape[:1], wl.shape, d.shape[:-1] or (1,))
    shape = (n_rows, *neff.shape[1:])
    flat = c_array(np.broadcast_to(neff.reshape(neff.shape[0], -1), (n_rows, int(np.prod(shape[1:])))), complex)
    nn = c_array(np.broadcast_to(n, (n_rows, n_media)), complex)
    if n_z is None:
        nz, aniso = nn, np.zeros(n_media, dtype=bool)
    else:
        nz = c_array(np.broadcast_to(np.asarray(n_z, dtype=complex), (n_rows, n_media)), complex)
        aniso = np.array([not np.array_equal(nn[:, j], nz[:, j]) for j in range(n_media)], dtype=bool)
    dd = c_array(np.broadcast_to(d if d.ndim == 2 else d[None, :], (n_rows, n_media - 2)), float)
    k0 = c_array(np.broadcast_to(2 * np.pi / wl, (n_rows,)), float)
    res = {p: (np.empty(flat.shape), np.empty(flat.shape)) for p in POLARISATIONS}
    kernel(nn, nz, aniso, dd, k0, flat, "s" in pols, "p" in pols, *res["s"], *res["p"])
    return {p: tuple(x.reshape(shape) for x in res[p]) for p in pols}


def reflectance_transmittance_numpy(n, thickness_nm, neff, wavelength_nm, *, pols=POLARISATIONS, n_z=None) -> dict:
    """:func:`reflectance_transmittance` in NumPy: the reference implementation (and the path without numba)."""
    n = np.asarray(n, dtype=complex)
    neff = np.asarray(neff, dtype=complex)
    if neff.ndim == 2 and neff.size > 2 * _RT_BLOCK:  # cache-sized column blocks (~1.6x faster per point)
        parts = [
            reflectance_transmittance_numpy(n, thickness_nm, neff[:, cols], wavelength_nm, pols=pols, n_z=n_z)
            for cols in np.array_split(np.arange(neff.shape[1]), -(-neff.size // _RT_BLOCK))
        ]
        return {p: tuple(np.concatenate([part[p][i] for part in parts], axis=1) for i in (0, 1)) for p in pols}
    extra = (1,) * (neff.ndim - 1)
    hs = half_stacks(n, thickness_nm, neff, wavelength_nm, pols=pols, need_flux="exit", n_z=n_z)
    out = {}
    for pol, h in hs.items():
        incident = net_flux(pol, n[:, :1].reshape(-1, *extra), h.q[0], 0.0)
        T = np.divide(h.flux[-1], incident, out=np.full(h.flux[-1].shape, np.nan), where=incident != 0)
        out[pol] = (np.abs(h.r) ** 2, T)
    return out


def flux_profile(pol: str, n, thickness_nm, neff, wavelength_nm, z_nm):
    """Net z-flux at depths ``z_nm`` measured from the first interface (position-resolved).

    Parameters
    ----------
    z_nm : array (n_z,)
        Depths inside the finite media [nm] (0 .. sum(thickness_nm)).

    Returns
    -------
    ndarray (n_z, n_wl, ...)
        Net flux for a unit forward amplitude in medium 0; ``-d(flux)/dz`` is the local
        absorption density and ``flux[0] - flux(z)`` the power absorbed before depth z.
    """
    hs = half_stack(pol, n, thickness_nm, neff, wavelength_nm)
    n = np.asarray(n, dtype=complex)
    d = np.asarray(thickness_nm, dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(d)])
    z = np.asarray(z_nm, dtype=float)
    extra = (1,) * (np.ndim(neff) - 1)
    k0 = (2 * np.pi / np.asarray(wavelength_nm, dtype=float)).reshape(-1, *extra)
    out = []
    for zi in z:
        j = int(np.clip(np.searchsorted(edges, zi, side="right"), 1, len(d)))  # medium index 1..L-2
        local = zi - edges[j - 1]
        qj = hs.q[j]
        up = hs.forward[j - 1] * np.exp(1j * k0 * qj * local)
        rho_z = hs.rho[j] * np.exp(2j * k0 * qj * (d[j - 1] - local))
        out.append(net_flux(pol, n[:, j].reshape(-1, *extra), qj, rho_z) * np.abs(up) ** 2)
    return np.stack(out)
