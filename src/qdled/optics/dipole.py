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

from dataclasses import dataclass, field

import numpy as np

from qdled.optics.tmm import half_stacks, net_flux, normalised_kz

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
    thickness_nm : (M,) or (n_wl, M)
        Layer thicknesses, shared by the rows or one set per row: a row is then a different stack
        (same layer count and emitter layer) and the "wavelength" axis a stack axis, so that a
        sweep is solved in one vectorised pass.
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

    @property
    def thickness_rows(self) -> np.ndarray:
        """Thicknesses per row, (n_wl, M)."""
        return np.broadcast_to(self.thickness_nm, (len(self.wavelength_nm), self.n.shape[1] - 2))

    @property
    def emitter_thickness_nm(self) -> np.ndarray:
        """Emitter-layer thickness per row, (n_wl,)."""
        return self.thickness_rows[:, self.emitter]

    def top_media(self):
        """(indices, thicknesses) from the emitter layer up to the top medium."""
        e = self.emitter
        return self.n[:, e + 1 :], self.thickness_nm[..., e + 1 :]

    def bottom_media(self):
        """(indices, thicknesses) from the emitter layer down to the substrate."""
        e = self.emitter
        return self.n[:, e + 1 :: -1], self.thickness_nm[..., :e][..., ::-1]


def make_geometry(n_layers, thickness_nm, emitter: int, n_substrate, n_top, wavelength_nm) -> Geometry:
    """Assemble a :class:`Geometry` from plain arrays (n_layers: (n_wl, M); thickness_nm: (M,) or (n_wl, M))."""
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
    q: list = field(default_factory=list)


def _media_kz(geom: Geometry, u):
    """(kz/k0 of every medium at ``u``, ``sz`` of the emitter, top and bottom half stacks' kz lists)."""
    e = geom.emitter
    q = normalised_kz(geom.n, u * geom.n_emitter[:, None])
    sz = q[e + 1] / geom.n_emitter[:, None]  # the emitter index is real
    return q, sz, q[e + 1 :], q[e + 1 :: -1]


def dipole_fields(geom: Geometry, u, position_nm, *, need_split: bool = True) -> DipoleFields:
    """Evaluate the integrands at normalised wavevectors ``u`` (n_wl, n_u), complex allowed.

    Parameters
    ----------
    geom : Geometry
    u : array (n_wl, n_u)
    position_nm : array (n_pos,) or (n_wl, n_pos)
        Dipole distance from the emitter layer's substrate-side interface [nm] (per row if 2-d).
    need_split : bool
        Also compute the up/down power split (real u only) and the half stacks' fluxes.
    """
    u = np.asarray(u, dtype=complex)
    ne = geom.n_emitter[:, None]
    neff = u * ne
    q_all, sz, q_top, q_bot = _media_kz(geom, u)
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, q=q_top, need_flux=need_split)
    bottom = half_stacks(*geom.bottom_media(), neff, geom.wavelength_nm, q=q_bot, need_flux=need_split)
    q_e = q_all[geom.emitter + 1][:, None, :]
    sz = sz[:, None, :]
    # a node rounded onto the emitter light line (sz = 0): K has an integrable 1/sqrt singularity
    # there that the quadrature's end-crowding map weights to zero; the node contributes nothing
    on_line = sz == 0
    if np.any(on_line):
        sz = np.where(on_line, 1.0, sz)
    k0ne = (2 * np.pi / geom.wavelength_nm * geom.n_emitter)[:, None, None]
    pos = np.asarray(position_nm, dtype=float)
    z_b = pos[..., None] if pos.ndim == 2 else pos[None, :, None]
    z_t = geom.emitter_thickness_nm[:, None, None] - z_b
    k2 = 2j * k0ne * sz
    ph_b = np.exp(k2 * z_b)
    # an emission zone symmetric in the layer (e.g. equal slices) has z_t = reversed z_b: one exponential
    symmetric = z_b.shape[1] > 1 and np.allclose(z_t, z_b[:, ::-1], rtol=0.0, atol=1e-12)
    ph_t = ph_b[:, ::-1] if symmetric else np.exp(k2 * z_t)
    uu = u[:, None, :]
    pre = {"v": 1.5 * uu**3 / sz, "hs": 0.75 * uu / sz, "hp": 0.75 * uu * sz}
    f, up = {}, {}
    a = {p: (bottom[p].r[:, None, :] * ph_b, top[p].r[:, None, :] * ph_t) for p in ("s", "p")}
    denom = {p: 1 / (1 - a[p][0] * a[p][1]) for p in ("s", "p")}
    for name, pol, sign in COMPONENTS:
        a_b, a_t = a[pol]
        f[name] = pre[name] * (1 + sign * a_b) * (1 + sign * a_t) * denom[pol]
        if np.any(on_line):
            f[name] = np.where(on_line, 0.0, f[name])
        if need_split:
            n_e3 = ne[:, :, None]
            flux_up = np.abs(1 + sign * a_b) ** 2 * net_flux(pol, n_e3, q_e, a_t)
            flux_dn = np.abs(1 + sign * a_t) ** 2 * net_flux(pol, n_e3, q_e, a_b)
            tot = flux_up + flux_dn
            up[name] = np.divide(flux_up, tot, out=np.full(tot.shape, 0.5), where=np.abs(tot) > 0)
    return DipoleFields(f=f, up=up, top=top, bottom=bottom, q=q_all)


def _zone_sums(k2, position_nm, weights, thickness_nm):
    """``sum_p w_p exp(k2 z_b,p)`` and ``sum_p w_p exp(k2 z_t,p)`` ((n_wl, n_u) each) over the dipole planes.

    Equally spaced planes (the usual emission zone of equal slices) use a Horner recurrence in
    ``rho = exp(k2 dz)``, ``|rho| <= 1`` (``Im kz >= 0``), started from the plane nearest the
    interface of each side: one exponential per side instead of one per plane.
    """
    pos = np.asarray(position_nm, dtype=float)
    pos = pos if pos.ndim == 2 else pos[None, :]
    w = np.asarray(weights, dtype=float)
    d = np.asarray(thickness_nm, dtype=float)[:, None]
    z_b, z_t = pos, d - pos  # (n_wl or 1, n_pos)
    step = np.diff(pos, axis=1)
    if pos.shape[1] > 2 and np.allclose(step, step[:, :1], rtol=1e-12, atol=1e-12) and np.all(step[:, :1] > 0):
        rho = np.exp(k2 * step[:, :1])
        acc_b, acc_t = np.full(k2.shape, w[-1], dtype=complex), np.full(k2.shape, w[0], dtype=complex)
        for j in range(len(w) - 2, -1, -1):
            acc_b = acc_b * rho + w[j]  # planes away from the bottom interface, innermost last
            acc_t = acc_t * rho + w[-1 - j]  # the same from the top interface
        return np.exp(k2 * z_b[:, :1]) * acc_b, np.exp(k2 * z_t[:, -1:]) * acc_t
    e_b = np.einsum("p,wpu->wu", w, np.exp(k2[:, None, :] * z_b[..., None]))
    e_t = np.einsum("p,wpu->wu", w, np.exp(k2[:, None, :] * z_t[..., None]))
    return e_b, e_t


@dataclass(frozen=True)
class ZoneFields:
    """Emission-zone averages of the integrands (see :func:`zone_fields`).

    ``f[c]``: (n_wl, n_u) complex, ``sum_p w_p f_c(z_p)``; ``up[c]``, ``down[c]``: (n_wl, n_u) real,
    the zone-averaged K_c carried upwards / downwards (empty unless requested); ``top``/``bottom``:
    the half stacks per polarisation.
    """

    f: dict
    up: dict
    down: dict
    top: dict
    bottom: dict
    q: list = field(default_factory=list)


def zone_fields(geom: Geometry, u, position_nm, weights, *, need_split: bool = False) -> ZoneFields:
    """:func:`dipole_fields` averaged over the dipole planes with ``weights``, at the cost of about one plane.

    The mode denominator ``1 - a_b a_t = 1 - r_b r_t exp(2 i k0 n_e sz d)`` does not depend on the
    dipole position, so each integrand is linear in ``exp(2 i k0 n_e sz z)`` of the two sides:

        sum_p w_p f_c(z_p) = pre_c [(1 + a_b a_t) W + sign (r_b E_b + r_t E_t)] / (1 - a_b a_t),

    with ``E = sum_p w_p exp(2 i k0 n_e sz z_p)`` and ``W = sum_p w_p``. For real ``u < 1`` (the
    emitter's own light cone) the power sent up is, by the flux balance of the emitter layer,
    ``pre_c (1 - |r_t|^2) [W (1 + |r_b|^2) + 2 sign Re(r_b E_b)] / (2 |1 - a_b a_t|^2)`` (and
    symmetrically down): also linear in ``E``. ``need_split`` needs real ``u < 1``.

    Parameters
    ----------
    geom : Geometry
    u : array (n_wl, n_u), complex allowed
    position_nm : array (n_pos,) or (n_wl, n_pos)
    weights : array (n_pos,)
    """
    u = np.asarray(u, dtype=complex)
    neff = u * geom.n_emitter[:, None]
    q_all, sz, q_top, q_bot = _media_kz(geom, u)
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, q=q_top, need_flux=need_split)
    bottom = half_stacks(*geom.bottom_media(), neff, geom.wavelength_nm, q=q_bot, need_flux=need_split)
    on_line = sz == 0  # see dipole_fields
    if np.any(on_line):
        sz = np.where(on_line, 1.0, sz)
    k2 = 2j * (2 * np.pi / geom.wavelength_nm * geom.n_emitter)[:, None] * sz
    w = np.asarray(weights, dtype=float)
    big_w = float(np.sum(w))
    e_b, e_t = _zone_sums(k2, position_nm, w, geom.emitter_thickness_nm)
    phase = np.exp(k2 * geom.emitter_thickness_nm[:, None])
    pre = {"v": 1.5 * u**3 / sz, "hs": 0.75 * u / sz, "hp": 0.75 * u * sz}
    f, up, down = {}, {}, {}
    for pol in ("s", "p"):
        r_b, r_t = bottom[pol].r, top[pol].r
        prod = r_b * r_t * phase
        inv = 1 / (1 - prod)
        lin = r_b * e_b + r_t * e_t
        for name, p_c, sign in COMPONENTS:
            if p_c != pol:
                continue
            f[name] = pre[name] * ((1 + prod) * big_w + sign * lin) * inv
            if np.any(on_line):
                f[name] = np.where(on_line, 0.0, f[name])
            if need_split:
                rb2, rt2 = np.abs(r_b) ** 2, np.abs(r_t) ** 2
                scale = pre[name].real * 0.5 * np.abs(inv) ** 2
                up[name] = scale * (1 - rt2) * (big_w * (1 + rb2) + 2 * sign * np.real(r_b * e_b))
                down[name] = scale * (1 - rb2) * (big_w * (1 + rt2) + 2 * sign * np.real(r_t * e_t))
    return ZoneFields(f=f, up=up, down=down, top=top, bottom=bottom, q=q_all)


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


__all__ = [
    "COMPONENTS",
    "Geometry",
    "make_geometry",
    "DipoleFields",
    "dipole_fields",
    "ZoneFields",
    "zone_fields",
    "power_dissipation",
]
