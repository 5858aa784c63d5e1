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

References
----------
.. [1] L. Novotny and B. Hecht, Principles of Nano-Optics, 2nd ed. (CUP, 2012), ch. 10.
.. [2] M. Born and E. Wolf, Principles of Optics, 7th ed., sec. 1.6 (Airy summation).
.. [3] S. J. Byrnes, Multilayer optical calculations, arXiv:1603.02720 (flux conventions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POLARISATIONS = ("s", "p")


def kz_normalised(n, neff):
    """``kz/k0 = sqrt(n**2 - neff**2)`` on the branch ``Im >= 0`` (``Re >= 0`` when real).

    Parameters
    ----------
    n, neff : array_like, complex
        Refractive index and normalised in-plane wavevector (broadcastable).
    """
    q = np.sqrt(np.asarray(n, dtype=complex) ** 2 - np.asarray(neff, dtype=complex) ** 2)
    flip = (q.imag < 0) | ((q.imag == 0) & (q.real < 0))
    return np.where(flip, -q, q)


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


def half_stack(pol: str, n, thickness_nm, neff, wavelength_nm) -> HalfStack:
    """Solve the stack ``n[:, 0] | n[:, 1:-1] (thickness_nm) | n[:, -1]``.

    Parameters
    ----------
    pol : {"s", "p"}
    n : complex array (n_wl, L)
        Indices from the incidence medium (0) to the exit medium (L-1), both semi-infinite.
    thickness_nm : array (L-2,)
        Thicknesses of the finite media [nm].
    neff : complex array (n_wl, ...)
        ``kx/k0``; any trailing shape (e.g. the u grid).
    wavelength_nm : array (n_wl,)

    Returns
    -------
    HalfStack
    """
    n = np.asarray(n, dtype=complex)
    neff = np.asarray(neff, dtype=complex)
    d = np.asarray(thickness_nm, dtype=float)
    n_media = n.shape[1]
    extra = (1,) * (neff.ndim - 1)
    k0 = (2 * np.pi / np.asarray(wavelength_nm, dtype=float)).reshape(-1, *extra)
    nj = [n[:, j].reshape(-1, *extra) for j in range(n_media)]
    q = [kz_normalised(nj[j], neff) for j in range(n_media)]
    # one-way phase factors exp(i kz d) of the finite media
    prop = [None] + [np.exp(1j * k0 * q[j] * d[j - 1]) for j in range(1, n_media - 1)] + [None]
    r_if = [fresnel_r(pol, nj[j], nj[j + 1], q[j], q[j + 1]) for j in range(n_media - 1)]
    rho = [None] * (n_media - 1)
    rho[-1] = r_if[-1]
    for j in range(n_media - 3, -1, -1):
        back = rho[j + 1] * prop[j + 1] ** 2
        rho[j] = (r_if[j] + back) / (1 + r_if[j] * back)
    forward = []
    amp = np.ones_like(neff)
    flux = [net_flux(pol, nj[0], q[0], rho[0])]
    for j in range(n_media - 1):
        back = rho[j + 1] * prop[j + 1] ** 2 if j + 1 < n_media - 1 else 0.0
        amp = (1 + r_if[j]) * amp / (1 + r_if[j] * back)
        forward.append(amp)
        if j + 1 == n_media - 1:  # entering the exit medium
            flux.append(net_flux(pol, nj[j + 1], q[j + 1], 0.0) * np.abs(amp) ** 2)
        else:
            amp = amp * prop[j + 1]
            if j + 1 < n_media - 2:  # end of a finite medium followed by another finite one
                flux.append(net_flux(pol, nj[j + 1], q[j + 1], rho[j + 1]) * np.abs(amp) ** 2)
    flux = np.stack(flux)
    return HalfStack(r=rho[0], flux=flux, forward=forward, rho=rho, q=q)


def reflect_transmit(pol: str, n, thickness_nm, neff, wavelength_nm):
    """Power reflectance and transmittance of a stack lit from medium 0 (lossless).

    Returns
    -------
    (R, T) : ndarrays of the shape of ``neff`` (T is NaN where the incident wave is evanescent)
    """
    hs = half_stack(pol, n, thickness_nm, neff, wavelength_nm)
    incident = net_flux(pol, np.asarray(n, dtype=complex)[:, :1].reshape(-1, *(1,) * (np.ndim(neff) - 1)), hs.q[0], 0.0)
    T = np.divide(hs.flux[-1], incident, out=np.full(hs.flux[-1].shape, np.nan), where=incident != 0)
    return np.abs(hs.r) ** 2, T


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
