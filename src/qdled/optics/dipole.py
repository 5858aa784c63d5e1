"""Power dissipation spectrum K(u) of an oscillating dipole inside a planar multilayer.

Classical dipole model of Chance, Prock and Silbey in the plane-wave form of Neyts and
Furno et al.: the emitter layer (index ``n_e``) is treated as lossless (its real part is
used; self-absorption of the QD film is not modelled), ``u = kx / (k0 n_e)`` is the in-plane
wavevector normalised to the emitter medium, ``sz = sqrt(1 - u**2)`` (Im >= 0) and

    K_v  = 3/2 Re[ u^3/sz (1 + a_b^p)(1 + a_t^p) / (1 - a_b^p a_t^p) ]
    K_hs = 3/4 Re[ u/sz   (1 + a_b^s)(1 + a_t^s) / (1 - a_b^s a_t^s) ]
    K_hp = 3/4 Re[ u sz   (1 - a_b^p)(1 - a_t^p) / (1 - a_b^p a_t^p) ]

with ``a_t = r_t exp(2 i k0 n_e sz z_t)`` (``r_t``: reflection coefficient of the layers
above the emitter layer at its top interface, ``z_t``: dipole-to-top distance; likewise
``a_b`` below). K is normalised so that ``int_0^inf K du = 1`` for the same dipole in the
infinite emitter medium; the integral is therefore the Purcell factor of the total
(radiative + near-field) decay rate. ``K_h = K_hs + K_hp`` is a horizontal dipole (mixing
``h K_h + (1 - h) K_v`` for a horizontal fraction ``h``). The function returns the complex
integrands (before ``Re``) so that they can be integrated along deformed contours.

References
----------
.. [1] R. R. Chance, A. Prock and R. Silbey, Adv. Chem. Phys. 37, 1 (1978).
.. [2] K. A. Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
.. [3] M. Furno, R. Meerheim, S. Hofmann, B. Lüssem and K. Leo, Phys. Rev. B 85, 115205 (2012).
.. [4] L. Novotny and B. Hecht, Principles of Nano-Optics, 2nd ed., eq. (10.26)-(10.27).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.optics.tmm import half_stack, kz_normalised, net_flux

#: orientation components: (name, polarisation, source symmetry sign)
COMPONENTS = (("v", "p", 1.0), ("hs", "s", 1.0), ("hp", "p", -1.0))


@dataclass(frozen=True)
class Geometry:
    """Plain-array description of a stack around its emitter layer.

    Attributes
    ----------
    wavelength_nm : (n_wl,)
    n : complex (n_wl, M + 2)
        Substrate (or coherent half-space), the M layers from the substrate side up, top medium.
        The emitter layer's index is made real (lossless emitter).
    thickness_nm : (M,)
    emitter : int
        Index of the emitter among the M layers.
    """

    wavelength_nm: np.ndarray
    n: np.ndarray
    thickness_nm: np.ndarray
    emitter: int

    @property
    def n_emitter(self) -> np.ndarray:
        """Real index of the emitter layer, (n_wl,)."""
        return self.n[:, self.emitter + 1].real

    def top_media(self):
        """(indices, thicknesses) from the emitter layer up to the top medium."""
        e = self.emitter
        return self.n[:, e + 1 :], self.thickness_nm[e + 1 :]

    def bottom_media(self):
        """(indices, thicknesses) from the emitter layer down to the substrate."""
        e = self.emitter
        return self.n[:, e + 1 :: -1], self.thickness_nm[:e][::-1]


def make_geometry(n_layers, thickness_nm, emitter: int, n_substrate, n_top, wavelength_nm) -> Geometry:
    """Assemble a :class:`Geometry` from plain arrays (n_layers: (n_wl, M))."""
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    n_layers = np.asarray(n_layers, dtype=complex).reshape(len(wl), -1).copy()
    n_layers[:, emitter] = n_layers[:, emitter].real
    col = lambda x: np.broadcast_to(np.asarray(x, dtype=complex), wl.shape)[:, None]  # noqa: E731
    n = np.concatenate([col(n_substrate), n_layers, col(n_top)], axis=1)
    return Geometry(wl, n, np.asarray(thickness_nm, dtype=float), int(emitter))


@dataclass(frozen=True)
class DipoleFields:
    """Complex integrands and up/down split at the nodes ``u`` (see module docstring).

    ``f[c]``: (n_wl, n_pos, n_u) complex with ``K_c = Re f[c]``; ``up[c]``: fraction of the
    component's power leaving upwards (only meaningful on the real axis); ``top``/``bottom``:
    the half stacks per polarisation.
    """

    f: dict
    up: dict
    top: dict
    bottom: dict


def dipole_fields(geom: Geometry, u, position_nm, *, need_split: bool = True) -> DipoleFields:
    """Evaluate the integrands at normalised wavevectors ``u`` (n_wl, n_u), complex allowed.

    Parameters
    ----------
    geom : Geometry
    u : array (n_wl, n_u)
    position_nm : array (n_pos,)
        Dipole distance from the emitter layer's substrate-side interface [nm].
    need_split : bool
        Also compute the up/down power split (real u only).
    """
    u = np.asarray(u, dtype=complex)
    ne = geom.n_emitter[:, None]
    neff = u * ne
    top = {p: half_stack(p, *geom.top_media(), neff, geom.wavelength_nm) for p in ("s", "p")}
    bottom = {p: half_stack(p, *geom.bottom_media(), neff, geom.wavelength_nm) for p in ("s", "p")}
    sz = kz_normalised(1.0, u)[:, None, :]
    k0ne = (2 * np.pi / geom.wavelength_nm * geom.n_emitter)[:, None, None]
    z_b = np.asarray(position_nm, dtype=float)[None, :, None]
    z_t = geom.thickness_nm[geom.emitter] - z_b
    ph_b = np.exp(2j * k0ne * sz * z_b)
    ph_t = np.exp(2j * k0ne * sz * z_t)
    uu = u[:, None, :]
    pre = {"v": 1.5 * uu**3 / sz, "hs": 0.75 * uu / sz, "hp": 0.75 * uu * sz}
    f, up = {}, {}
    q_e = (ne * kz_normalised(1.0, u))[:, None, :]
    a = {p: (bottom[p].r[:, None, :] * ph_b, top[p].r[:, None, :] * ph_t) for p in ("s", "p")}
    denom = {p: 1 / (1 - a[p][0] * a[p][1]) for p in ("s", "p")}
    for name, pol, sign in COMPONENTS:
        a_b, a_t = a[pol]
        f[name] = pre[name] * (1 + sign * a_b) * (1 + sign * a_t) * denom[pol]
        if need_split:
            n_e3 = ne[:, :, None]
            flux_up = np.abs(1 + sign * a_b) ** 2 * net_flux(pol, n_e3, q_e, a_t)
            flux_dn = np.abs(1 + sign * a_t) ** 2 * net_flux(pol, n_e3, q_e, a_b)
            tot = flux_up + flux_dn
            up[name] = np.divide(flux_up, tot, out=np.full(tot.shape, 0.5), where=np.abs(tot) > 0)
    return DipoleFields(f=f, up=up, top=top, bottom=bottom)


def power_dissipation(geom: Geometry, u, position_nm) -> dict:
    """K(u) on the real axis for each component ("v", "hs", "hp") and orientation ("h").

    Returns
    -------
    dict of ndarray (n_wl, n_pos, n_u)
    """
    fields = dipole_fields(geom, np.asarray(u, dtype=float), position_nm, need_split=False)
    out = {k: v.real for k, v in fields.f.items()}
    out["h"] = out["hs"] + out["hp"]
    return out


__all__ = ["COMPONENTS", "Geometry", "make_geometry", "DipoleFields", "dipole_fields", "power_dissipation"]
