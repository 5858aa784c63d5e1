"""Power dissipation spectrum K(u) of an oscillating dipole inside a planar multilayer.

Classical dipole model of Chance, Prock and Silbey in the plane-wave form of Neyts and
Furno et al.: for an isotropic lossless emitter layer (index ``n_e``), ``u = kx / (k0 n_e)`` is the in-plane
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

**Uniaxial layers** (optic axis along the normal; ordinary ``n_o``, extraordinary ``n_z``; see
:mod:`qdled.optics.tmm`): ``u = kx / (k0 n_r)`` with the reference ``n_r = Re n_o`` of the emitter layer,
``sz`` becomes ``Q_s = q_s / n_r`` (s) and ``Q_p = q_p / n_r`` (p), and solving the 1-d wave equations of
H_y (sources ``i kx (eps_o/eps_z) J_z`` and ``-dJ_x/dz``) and E_y for the dipole's plane-wave spectrum gives

    K_v  = 3/2 Re[ u^3 (n_r^2 eps_o / eps_z^2) / Q_p  (...) ],  K_hs = 3/4 Re[ u / Q_s (...) ],
    K_hp = 3/4 Re[ u Q_p (n_r^2 / eps_o) (...) ],

with the same multiple-reflection factors. Integrated in an infinite uniaxial medium these give the
closed forms ``P_v / P_0 = n_o`` and ``P_h / P_0 = (3 n_o^2 + n_z^2) / (4 n_o)`` relative to the same dipole
in vacuum [5]; K is normalised per orientation by them (:func:`free_power`), so that the Purcell
factor is 1 in the infinite emitter medium, isotropic or not.

**Absorbing emitter layer** (``Geometry.absorbing_emitter``: the emitter keeps its ``k``): a point dipole
in an absorbing medium dissipates an infinite power in its own near field (the homogeneous-medium term
``Re[pre]`` does not decay in u, and neither do its cross terms with the fields reflected at nearby
interfaces, which are not even of one sign), which in a film of dots is non-radiative transfer to the
neighbours, not light. Here (i) K and u are normalised with the lossless host ``Re(n)``; (ii) on the real
axis inside the radiative range (``neff < n_open``, where every wave propagates in the substrate or the top
medium) K is the power flowing out of the dipole plane -- the net Poynting flux of the exact fields in the
absorbing layer just above and below it (``flux_weights``) -- split into the fluxes reaching the emitter
layer's two interfaces and the remainder, absorbed in the emitter on the way ("emitter_absorbed", the
film's reabsorption); (iii) beyond the radiative range (guided modes, plasmons, near field) the emitter is
taken lossless (:func:`lossless_emitter`), as before. The emission-zone average of (ii) is taken in closed
form (:func:`zone_split_absorbing`). For ``s`` and horizontal ``p`` dipoles (i) equals
``Re f`` exactly; for the vertical dipole it leaves out the absorption, at the dipole itself, of the cross
term between its contact field ``-P/eps`` and the wave field (``O(Im eps_z)``). Every definition goes
continuously to the lossless one as ``k -> 0``.

References
----------
.. [1] R. R. Chance, A. Prock and R. Silbey, Adv. Chem. Phys. 37, 1 (1978).
.. [2] K. A. Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
.. [3] M. Furno, R. Meerheim, S. Hofmann, B. Lüssem and K. Leo, Phys. Rev. B 85, 115205 (2012).
.. [4] L. Novotny and B. Hecht, Principles of Nano-Optics, 2nd ed., eq. (10.26)-(10.27).
.. [5] A. Messinger, N. Westerberg and S. M. Barnett, Phys. Rev. A 102, 013721 (2020) (spontaneous
   emission in uniaxial media, closed forms).
.. [6] L. Penninck, P. De Visschere, J. Beeckman and K. Neyts, Opt. Express 19, 18558 (2011)
   (plane-wave expansion of a dipole in uniaxial microcavities).
.. [7] H. J. W. M. Hoekstra and H. B. H. Elrofai, Phys. Rev. E 71, 046609 (2005) (dipoles in layered
   structures with loss: the emitted power is no longer a density of modes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qdled.optics.tmm import half_stacks, net_flux, normalised_kz, uniaxial_kz

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
    n_z : complex (n_wl, M + 2) or None
        Extraordinary (out-of-plane) indices of uniaxial media, ``n`` being then the ordinary (in-plane)
        ones; ``None`` (default): every medium isotropic. The substrate and top medium are isotropic.
    absorbing_emitter : bool
        Keep the emitter layer's ``k`` (see the module docstring); default False: its real part is used.
    """

    wavelength_nm: np.ndarray
    n: np.ndarray
    thickness_nm: np.ndarray
    emitter: int
    n_z: np.ndarray | None = None
    absorbing_emitter: bool = False

    @property
    def n_emitter(self) -> np.ndarray:
        """Reference (real, ordinary) index ``n_r`` of the emitter layer, (n_wl,): ``u = neff / n_r``."""
        return self.n[:, self.emitter + 1].real

    @property
    def uniaxial(self) -> bool:
        """Whether any medium is uniaxial."""
        return self.n_z is not None

    @property
    def n_z_or_n(self) -> np.ndarray:
        """Extraordinary indices (``n`` where isotropic), (n_wl, M + 2)."""
        return self.n if self.n_z is None else self.n_z

    @property
    def emitter_lossy(self) -> bool:
        """Whether the emitter layer absorbs (only with ``absorbing_emitter``)."""
        e = self.emitter + 1
        return bool(np.any(self.n[:, e].imag != 0) or np.any(self.n_z_or_n[:, e].imag != 0))

    @property
    def anisotropic_emitter(self) -> bool:
        """Whether the emitter layer is uniaxial with ``n_z != n_o``."""
        e = self.emitter + 1
        return self.n_z is not None and not np.array_equal(self.n_z[:, e], self.n[:, e])

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

    def top_z(self):
        """Extraordinary indices of :meth:`top_media` (None if isotropic)."""
        return None if self.n_z is None else self.n_z[:, self.emitter + 1 :]

    def bottom_z(self):
        """Extraordinary indices of :meth:`bottom_media` (None if isotropic)."""
        return None if self.n_z is None else self.n_z[:, self.emitter + 1 :: -1]


def make_geometry(
    n_layers,
    thickness_nm,
    emitter: int,
    n_substrate,
    n_top,
    wavelength_nm,
    *,
    n_layers_z=None,
    absorbing_emitter: bool = False,
) -> Geometry:
    """Assemble a :class:`Geometry` from plain arrays (n_layers: (n_wl, M); thickness_nm: (M,) or (n_wl, M)).

    ``n_layers_z`` (n_wl, M), optional: extraordinary indices of the layers (uniaxial, optic axis along the
    normal; ``n_layers`` are then the ordinary ones); ``absorbing_emitter``: keep the emitter's ``k``.
    """
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    n_layers = np.asarray(n_layers, dtype=complex).reshape(len(wl), -1).copy()
    if not absorbing_emitter:
        n_layers[:, emitter] = n_layers[:, emitter].real
    col = lambda x: np.broadcast_to(np.asarray(x, dtype=complex), wl.shape)[:, None]  # noqa: E731
    n = np.concatenate([col(n_substrate), n_layers, col(n_top)], axis=1)
    n_z = None
    if n_layers_z is not None:
        n_lz = np.asarray(n_layers_z, dtype=complex).reshape(len(wl), -1).copy()
        if not absorbing_emitter:
            n_lz[:, emitter] = n_lz[:, emitter].real
        if not np.array_equal(n_lz, n_layers):  # all isotropic: the isotropic code path
            n_z = np.concatenate([n[:, :1], n_lz, n[:, -1:]], axis=1)
    geom = Geometry(wl, n, np.asarray(thickness_nm, dtype=float), int(emitter), n_z, bool(absorbing_emitter))
    if absorbing_emitter and not geom.emitter_lossy:
        geom = Geometry(wl, n, geom.thickness_nm, geom.emitter, n_z, False)  # k = 0: exactly the lossless path
    return geom


def lossless_emitter(geom: Geometry) -> Geometry:
    """``geom`` with the real part of the emitter layer's indices (as without ``absorbing_emitter``)."""
    if not geom.absorbing_emitter:
        return geom
    e = geom.emitter + 1
    n = geom.n.copy()
    n[:, e] = n[:, e].real
    n_z = None
    if geom.n_z is not None:
        n_z = geom.n_z.copy()
        n_z[:, e] = n_z[:, e].real
    return Geometry(geom.wavelength_nm, n, geom.thickness_nm, geom.emitter, n_z, False)


def free_power(n_o, n_z) -> tuple[np.ndarray, np.ndarray]:
    """Power of vertical and horizontal dipoles in an infinite uniaxial medium over that in an isotropic
    medium of index ``n_o``: ``(1, (3 + n_z^2 / n_o^2) / 4)`` (real parts of the indices).

    From the closed forms ``P_v / P_vac = n_o``, ``P_h / P_vac = (3 n_o^2 + n_z^2) / (4 n_o)`` for the optic
    axis along the vertical (Messinger, Westerberg & Barnett, Phys. Rev. A 102, 013721 (2020)).
    """
    n_o = np.real(np.asarray(n_o))
    n_z = np.real(np.asarray(n_z))
    return np.ones_like(n_o), 0.75 + 0.25 * (n_z / n_o) ** 2


@dataclass(frozen=True)
class DipoleFields:
    """Complex integrands and up/down split at the nodes ``u`` (see module docstring).

    ``f[c]``: (n_wl, n_pos, n_u) complex with ``K_c = Re f[c]``; ``up[c]``: fraction of the
    component's power reaching the emitter layer's top interface (only meaningful on the real axis);
    ``down[c]``: the same for the bottom interface (``1 - up`` unless the emitter absorbs: the rest is
    absorbed in the emitter layer); ``top``/``bottom``: the half stacks per polarisation.
    """

    f: dict
    up: dict
    top: dict
    bottom: dict
    q: list = field(default_factory=list)
    down: dict = field(default_factory=dict)


def _media_kz(geom: Geometry, u):
    """(kz/k0 of every medium at ``u``, ``sz`` of the emitter, top and bottom half stacks' kz lists).

    Isotropic stacks: lists; uniaxial stacks: dicts {pol: list} and ``sz`` a dict {pol: Q_pol}.
    """
    e = geom.emitter
    nr = geom.n_emitter[:, None]
    if not geom.uniaxial:
        q = normalised_kz(geom.n, u * nr)
        sz = q[e + 1] / nr  # the emitter index is real (or, absorbing, sz = q / n_r)
        return q, sz, q[e + 1 :], q[e + 1 :: -1]
    q = uniaxial_kz(geom.n, geom.n_z, u * nr)
    sz = {"s": q["s"][e + 1] / nr}
    sz["p"] = sz["s"] if q["p"][e + 1] is q["s"][e + 1] else q["p"][e + 1] / nr
    return q, sz, {p: q[p][e + 1 :] for p in q}, {p: q[p][e + 1 :: -1] for p in q}


def _per_pol(x, pol):
    """``x[pol]`` for a per-polarisation dict, else ``x``."""
    return x[pol] if isinstance(x, dict) else x


def _prefactors(geom: Geometry, u, sz) -> dict:
    """Source prefactors ``pre_c`` of the components at ``u`` (module docstring), normalised by :func:`free_power`.

    ``sz``: the emitter's ``Q`` (array, or {pol: Q}).
    """
    e = geom.emitter + 1
    if not geom.uniaxial and not geom.emitter_lossy:  # the isotropic lossless case, as before
        sz = _per_pol(sz, "s")
        return {"v": 1.5 * u**3 / sz, "hs": 0.75 * u / sz, "hp": 0.75 * u * sz}
    rows = (-1,) + (1,) * (np.ndim(u) - 1)
    nr = geom.n_emitter.reshape(rows)
    n_o, n_z = geom.n[:, e].reshape(rows), geom.n_z_or_n[:, e].reshape(rows)
    sz_s, sz_p = _per_pol(sz, "s"), _per_pol(sz, "p")
    eo, ez = n_o**2, n_z**2
    norm_v, norm_h = free_power(geom.n[:, e], geom.n_z_or_n[:, e])
    norm_v, norm_h = norm_v.reshape(rows), norm_h.reshape(rows)
    return {
        "v": 1.5 * u**3 * (nr**2 * eo / ez**2) / sz_p / norm_v,
        "hs": 0.75 * u / sz_s / norm_h,
        "hp": 0.75 * u * sz_p * (nr**2 / eo) / norm_h,
    }


def _branch_sqrt(x):
    """Principal square root flipped to ``Im >= 0``."""
    q = np.sqrt(np.asarray(x, dtype=complex))
    return np.negative(q, out=q, where=q.imag < 0)


def flux_weights(geom: Geometry, u, q_e) -> dict:
    """Per component ``C`` with K = C * (flux of the fields leaving the dipole plane), for real ``u``.

    Homogeneous-medium amplitudes of the plane-wave spectrum (H_y for p, E_y for s) of the normalised dipole:
    ``C_hs = 3/8 u n_r / |q_s|^2``, ``C_hp = 3/8 u n_r``, ``C_v = 3/4 u^3 n_r^3 |eps_o|^2 / (|eps_z|^2 |q_p|^2)``, each
    over :func:`free_power`; for a lossless emitter ``2 C F(0) = Re pre``.
    """
    e = geom.emitter + 1
    nr = geom.n_emitter[:, None]
    eo, ez = geom.n[:, e][:, None] ** 2, geom.n_z_or_n[:, e][:, None] ** 2
    norm_v, norm_h = free_power(geom.n[:, e], geom.n_z_or_n[:, e])
    qs, qp = _per_pol(q_e, "s"), _per_pol(q_e, "p")
    ur = np.real(u)
    return {
        "v": 0.75 * ur**3 * nr**3 * np.abs(eo) ** 2 / (np.abs(ez) ** 2 * np.abs(qp) ** 2) / norm_v[:, None],
        "hs": 0.375 * ur * nr / np.abs(qs) ** 2 / norm_h[:, None],
        "hp": 0.375 * ur * nr * np.ones_like(np.abs(qp)) / norm_h[:, None],
    }


def dipole_fields(geom: Geometry, u, position_nm, *, need_split: bool = True) -> DipoleFields:
    """Evaluate the integrands at normalised wavevectors ``u`` (n_wl, n_u), complex allowed.

    Parameters
    ----------
    geom : Geometry
    u : array (n_wl, n_u)
    position_nm : array (n_pos,) or (n_wl, n_pos)
        Dipole distance from the emitter layer's substrate-side interface [nm] (per row if 2-d).
    need_split : bool
        Also compute the up/down power split (real u only) and the half stacks' fluxes. With an
        absorbing emitter, ``Re f`` is then the power flowing out of the dipole plane (module docstring).
    """
    u = np.asarray(u, dtype=complex)
    ne = geom.n_emitter[:, None]
    neff = u * ne
    q_all, sz, q_top, q_bot = _media_kz(geom, u)
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, q=q_top, need_flux=need_split, n_z=geom.top_z())
    bottom = half_stacks(
        *geom.bottom_media(), neff, geom.wavelength_nm, q=q_bot, need_flux=need_split, n_z=geom.bottom_z()
    )
    e = geom.emitter + 1
    q_e = {p: _per_pol(q_all, p)[e][:, None, :] for p in ("s", "p")}
    szp = {p: _per_pol(sz, p)[:, None, :] for p in ("s", "p")}
    # a node rounded onto the emitter light line (sz = 0): K has an integrable 1/sqrt singularity
    # there that the quadrature's end-crowding map weights to zero; the node contributes nothing
    on_line = (szp["s"] == 0) | (szp["p"] == 0)
    if np.any(on_line):
        szp = {p: np.where(on_line, 1.0, v) for p, v in szp.items()}
    k0ne = (2 * np.pi / geom.wavelength_nm * geom.n_emitter)[:, None, None]
    pos = np.asarray(position_nm, dtype=float)
    z_b = pos[..., None] if pos.ndim == 2 else pos[None, :, None]
    z_t = geom.emitter_thickness_nm[:, None, None] - z_b
    # an emission zone symmetric in the layer (e.g. equal slices) has z_t = reversed z_b: one exponential
    symmetric = z_b.shape[1] > 1 and np.allclose(z_t, z_b[:, ::-1], rtol=0.0, atol=1e-12)
    ph_b, ph_t = {}, {}
    for p in ("s", "p"):
        if p == "p" and szp["p"] is szp["s"]:
            ph_b["p"], ph_t["p"] = ph_b["s"], ph_t["s"]
            continue
        k2 = 2j * k0ne * szp[p]
        ph_b[p] = np.exp(k2 * z_b)
        ph_t[p] = ph_b[p][:, ::-1] if symmetric else np.exp(k2 * z_t)
    uu = u[:, None, :]
    pre = _prefactors(geom, uu, szp)
    f, up, down = {}, {}, {}
    a = {p: (bottom[p].r[:, None, :] * ph_b[p], top[p].r[:, None, :] * ph_t[p]) for p in ("s", "p")}
    denom = {p: 1 / (1 - a[p][0] * a[p][1]) for p in ("s", "p")}
    lossy = geom.emitter_lossy
    if need_split:
        n_e3 = ne[:, :, None] if not (lossy or geom.uniaxial) else geom.n[:, e][:, None, None]
        # fluxes of the standing waves on each side of the dipole plane, shared by the components of a polarisation
        side_flux = {p: (net_flux(p, n_e3, q_e[p], a[p][1]), net_flux(p, n_e3, q_e[p], a[p][0])) for p in ("s", "p")}
        if lossy:
            weight = flux_weights(geom, u, {p: _per_pol(q_all, p)[e] for p in ("s", "p")})
            # the fluxes reaching the interfaces carry the amplitudes |exp(i kz z)|^2 further, with the
            # interfaces' own reflection coefficients
            at_interface = {
                p: (
                    np.abs(ph_t[p]) * net_flux(p, n_e3, q_e[p], top[p].r[:, None, :]),
                    np.abs(ph_b[p]) * net_flux(p, n_e3, q_e[p], bottom[p].r[:, None, :]),
                )
                for p in ("s", "p")
            }
    for name, pol, sign in COMPONENTS:
        a_b, a_t = a[pol]
        f[name] = pre[name] * (1 + sign * a_b) * (1 + sign * a_t) * denom[pol]
        if np.any(on_line):
            f[name] = np.where(on_line, 0.0, f[name])
        if need_split:
            amp_up, amp_dn = np.abs(1 + sign * a_b) ** 2, np.abs(1 + sign * a_t) ** 2
            flux_up = amp_up * side_flux[pol][0]
            flux_dn = amp_dn * side_flux[pol][1]
            tot = flux_up + flux_dn
            if not lossy:
                up[name] = np.divide(flux_up, tot, out=np.full(tot.shape, 0.5), where=np.abs(tot) > 0)
                continue
            # absorbing emitter: K is the flux leaving the dipole plane
            f[name] = weight[name][:, None, :] * tot * np.abs(denom[pol]) ** 2 + 1j * f[name].imag
            safe = np.where(np.abs(tot) > 0, tot, 1.0)
            up[name] = np.where(np.abs(tot) > 0, amp_up * at_interface[pol][0] / safe, 0.0)
            down[name] = np.where(np.abs(tot) > 0, amp_dn * at_interface[pol][1] / safe, 0.0)
    if need_split and not lossy:
        down = {c: 1 - v for c, v in up.items()}
    return DipoleFields(f=f, up=up, top=top, bottom=bottom, q=q_all, down=down)


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
    symmetrically down): also linear in ``E``. ``need_split`` needs real ``u`` inside the emitter's light
    cones of both polarisations and a lossless emitter.

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
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, q=q_top, need_flux=need_split, n_z=geom.top_z())
    bottom = half_stacks(
        *geom.bottom_media(), neff, geom.wavelength_nm, q=q_bot, need_flux=need_split, n_z=geom.bottom_z()
    )
    szp = {p: _per_pol(sz, p) for p in ("s", "p")}
    on_line = (szp["s"] == 0) | (szp["p"] == 0)  # see dipole_fields
    if np.any(on_line):
        szp = {p: np.where(on_line, 1.0, v) for p, v in szp.items()}
    w = np.asarray(weights, dtype=float)
    big_w = float(np.sum(w))
    k0ne = (2 * np.pi / geom.wavelength_nm * geom.n_emitter)[:, None]
    sums = {}
    for p in ("s", "p"):
        if p == "p" and szp["p"] is szp["s"]:
            sums["p"] = sums["s"]
            continue
        k2 = 2j * k0ne * szp[p]
        e_b, e_t = _zone_sums(k2, position_nm, w, geom.emitter_thickness_nm)
        sums[p] = (e_b, e_t, np.exp(k2 * geom.emitter_thickness_nm[:, None]))
    pre = _prefactors(geom, u, szp)
    f, up, down = {}, {}, {}
    for pol in ("s", "p"):
        r_b, r_t = bottom[pol].r, top[pol].r
        e_b, e_t, phase = sums[pol]
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


def zone_split_absorbing(geom: Geometry, u, position_nm, weights) -> ZoneFields:
    """Emission-zone averages of the flux split of an absorbing emitter (real ``u``), in closed form.

    Per plane (module docstring, :func:`dipole_fields`) ``K = C |inv|^2 [|1 + s a_b|^2 F(a_t) + |1 + s a_t|^2 F(a_b)]``
    and the power reaching the top interface ``C |inv|^2 |1 + s a_b|^2 |E_t| F(r_t)`` (likewise the bottom),
    with ``F(rho) = Re y (1 - |rho|^2) + 2 Im y Im rho`` (``y``: the admittance ``q`` or ``q / n_o^2``),
    ``a_b = r_b E_b``, ``a_t = r_t E_t`` and ``E_b = exp(k2 z)``, ``E_t = exp(k2 (d - z))``, ``k2 = 2 i kz``.
    Expanded, every term is a constant times ``exp(c z)`` or ``exp(c (d - z))`` for six exponents ``c``
    (``k2``, ``2 Re k2``, ``Re k2``, ``conj k2``, ``conj k2 - k2``, ``k2 - Re k2``, all with ``Re c <= 0``), so
    the zone average costs six weighted sums (:func:`_zone_sums`) instead of a field per plane.

    Returns
    -------
    ZoneFields
        ``f[c]``: zone-averaged K (real); ``up[c]``/``down[c]``: the power reaching the top / bottom
        interface (not fractions); the emitter's absorption is ``f - up - down``.
    """
    u = np.asarray(u, dtype=complex)
    nr = geom.n_emitter[:, None]
    neff = u * nr
    q_all, _, q_top, q_bot = _media_kz(geom, u)
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, q=q_top, need_flux=True, n_z=geom.top_z())
    bottom = half_stacks(*geom.bottom_media(), neff, geom.wavelength_nm, q=q_bot, need_flux=True, n_z=geom.bottom_z())
    e = geom.emitter + 1
    q_e = {p: _per_pol(q_all, p)[e] for p in ("s", "p")}
    weight = flux_weights(geom, u, q_e)
    w = np.asarray(weights, dtype=float)
    big_w = float(np.sum(w))
    d = geom.emitter_thickness_nm[:, None]
    k0 = (2 * np.pi / geom.wavelength_nm)[:, None]
    n_o2 = (geom.n[:, e] ** 2)[:, None]
    f, up, down = {}, {}, {}
    for pol in ("s", "p"):
        k2 = 2j * k0 * q_e[pol]
        g = k2.real
        sums = {}
        for key, c in (("k2", k2), ("2g", 2 * g), ("g", g + 0j), ("ck2", np.conj(k2)), ("osc", np.conj(k2) - k2)):
            sums[key] = _zone_sums(c, position_nm, w, geom.emitter_thickness_nm)
        sums["kg"] = _zone_sums(k2 - g, position_nm, w, geom.emitter_thickness_nm)
        y = q_e[pol] if pol == "s" else q_e[pol] / n_o2
        y_r, y_i = y.real, y.imag
        r = {"b": bottom[pol].r, "t": top[pol].r}
        side = {"b": 0, "t": 1}
        ek2d = np.exp(k2 * d)
        e2gd = np.exp(2 * g * d)
        egd = np.exp(g * d)
        f_rho = {k: y_r * (1 - np.abs(r[k]) ** 2) + 2 * y_i * r[k].imag for k in r}
        for name, p_c, sign in COMPONENTS:
            if p_c != pol:
                continue
            flux, reach = {}, {}
            for near, far in (("b", "t"), ("t", "b")):  # flux leaving the dipole plane towards `far`
                i, j = side[near], side[far]
                rn, rf = r[near], r[far]
                rn2, rf2 = np.abs(rn) ** 2, np.abs(rf) ** 2
                flux[far] = (
                    y_r * (big_w + 2 * sign * np.real(rn * sums["k2"][i]) + rn2 * sums["2g"][i])
                    - y_r * rf2 * (sums["2g"][j] + 2 * sign * np.real(rn * ek2d * sums["ck2"][j]) + rn2 * e2gd * big_w)
                    + 2
                    * y_i
                    * (
                        np.imag(rf * sums["k2"][j])
                        + sign * np.imag(rn * rf * ek2d) * big_w
                        + sign * np.imag(np.conj(rn) * rf * ek2d * sums["osc"][i])
                        + rn2 * np.imag(rf * ek2d * sums["ck2"][i])
                    )
                )
                reach[far] = f_rho[far] * (
                    sums["g"][j] + 2 * sign * np.real(rn * egd * sums["kg"][i]) + rn2 * egd * sums["g"][i]
                )
            scale = weight[name] * np.abs(1 / (1 - r["b"] * r["t"] * ek2d)) ** 2
            f[name] = (scale * (flux["t"] + flux["b"])).real  # real by construction; the sums carry 0j
            up[name] = (scale * reach["t"]).real
            down[name] = (scale * reach["b"]).real
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
    "free_power",
    "flux_weights",
    "lossless_emitter",
    "DipoleFields",
    "dipole_fields",
    "ZoneFields",
    "zone_fields",
    "zone_split_absorbing",
    "power_dissipation",
]
