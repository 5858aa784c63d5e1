"""Loss channels of a dipole in an LED stack: outcoupled, substrate, waveguide, plasmon, absorbed.

Channels are defined by the effective index ``neff = u n_e`` of the emitted plane wave and
by where its power ends up (flux differences of the transfer-matrix solution):

* ``neff < n_outside`` (air cone): power reaching the thick incoherent substrate escapes
  with intensity multiple reflections between the substrate/outside interface (``R_so``)
  and the stack seen from the substrate (``R_ss``): ``T_so / (1 - R_so R_ss)``
  -> **outcoupled**; the part sent back and absorbed by the layers -> **absorbed** (per
  layer); light crossing the top medium -> **top**.
* ``n_outside <= neff < n_substrate``: power entering the substrate is totally reflected
  at its far side -> **substrate**.
* layer absorption during the first pass for ``neff < n_substrate`` -> **absorbed**.
* power leaving through a lossless top medium -> **top**; when that medium's index exceeds the
  substrate's, this holds up to ``neff < n_top`` (e.g. an emitter under a thick high-index
  encapsulant), so the radiative range ends at ``n_open = max(n_substrate, n_top)``.
* ``neff >= n_open``: the whole dissipated power is bound to the layers. It is split
  per polarisation into **waveguide** (below the split) and **plasmon** (above: the
  metal-bound TM mode and near-field losses). TM: the split is the minimum of the TM
  spectrum between the highest-index TM peak (the surface plasmon, when a metal layer
  exists) and the next TM peak below it (or the ``n_open`` light line). TE (no plasmon):
  the split is the highest light line of the non-metal layers (evanescent everywhere
  above it: lossy surface waves). Guided modes are thus classified by their effective
  index against each other and the layers' light lines, not by ``u > 1`` (here the QD
  index is the highest and all guided modes sit below it).

* an absorbing emitter layer (``Geometry.absorbing_emitter``): for ``neff < n_open`` the part of the power
  leaving the dipole plane that is absorbed in the emitter layer before reaching its interfaces (first
  pass, as "absorbed" for the other layers) -> **emitter_absorbed** (the film's reabsorption, for photon
  recycling); 0 for a lossless emitter. Beyond ``n_open`` the emitter is taken lossless (its near-field
  self-absorption is non-radiative transfer within the film; :mod:`qdled.optics.dipole`), so guided power
  stays in waveguide/plasmon, as for the other layers.

Uniaxial layers (``Geometry.n_z``) add their extraordinary light lines ``n_z`` (p waves) to the
breakpoints, the mode scan range and the dielectric light lines of the TM split.

A coherent (semi-infinite) substrate counts all power entering it as outcoupled. A thick incoherent
substrate is treated as transparent (the real part of its index; its absorption over its thickness is not
modelled), and its escape cone is ``neff < min(n_outside, n_substrate)``.

References
----------
.. [1] M. Furno et al., Phys. Rev. B 85, 115205 (2012) (channel definitions).
.. [2] K. A. Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
.. [3] W. Brütting, J. Frischeisen, T. D. Schmidt, B. J. Scholz and C. Mayr, Phys. Status
   Solidi A 210, 44 (2013) (loss channels of OLEDs, mode classification).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks

from qdled.optics.dipole import (
    COMPONENTS,
    Geometry,
    dipole_fields,
    lossless_emitter,
    zone_fields,
    zone_split_absorbing,
)
from qdled.optics.quadrature import adaptive
from qdled.optics.tmm import half_stacks, kz_normalised, net_flux, normalised_kz_p, reflectance_transmittance

CHANNELS = ("outcoupled", "substrate", "waveguide", "plasmon", "absorbed", "top", "emitter_absorbed")

#: contour depth (fraction of the segment length) for the bound-mode region
CONTOUR_ETA = 0.3


@dataclass(frozen=True)
class Mode:
    """A peak of K(u) beyond the substrate light line."""

    wavelength_nm: float
    n_eff: float
    polarisation: str  # "TE" or "TM"
    channel: str  # "waveguide" or "plasmon"


@dataclass(frozen=True)
class Emission:
    """Position-averaged emission of one stack, per wavelength.

    ``power[o][c]``: power of orientation ``o`` ("v", "h") into channel ``c`` (:data:`CHANNELS`), in units
    of the same dipole's power in the infinite emitter medium (lossless host ``Re n`` for an absorbing
    emitter; sums over channels to ``purcell[o]``); ``absorbed_by_layer[o]``: (n_layers, n_wl), the
    emitter's row holding only its absorption of light sent back by the substrate's far side (its
    first-pass absorption is ``power[o]["emitter_absorbed"]``; the two add to the film's reabsorption
    inside the radiative range); ``error``: the quadrature's
    convergence estimate (same units), ``tol`` the tolerance asked for.
    """

    wavelength_nm: np.ndarray
    purcell: dict
    power: dict
    absorbed_by_layer: dict
    n_split_tm: np.ndarray
    n_split_te: np.ndarray
    modes: tuple = field(default_factory=tuple)
    error: float = 0.0
    tol: float = 1e-4

    @property
    def converged(self) -> bool:
        """Whether the quadrature met its tolerance (``error <= 10 tol``; otherwise a warning was issued)."""
        return bool(self.error <= 10 * self.tol)

    def fractions(self, horizontal_fraction: float) -> dict:
        """Channel fractions (n_wl,) of the total dissipated power for an orientation mix."""
        h = horizontal_fraction
        total = h * self.purcell["h"] + (1 - h) * self.purcell["v"]
        return {c: (h * self.power["h"][c] + (1 - h) * self.power["v"][c]) / total for c in CHANNELS}


def _is_metal(n) -> np.ndarray:
    return np.real(np.asarray(n) ** 2) < 0


def _max_dielectric(geom: Geometry, media=slice(1, -1)) -> np.ndarray:
    """Largest real index (ordinary or extraordinary) of the non-metal ``media`` (n_wl,)."""
    out = None
    for n in (geom.n[:, media], geom.n_z_or_n[:, media]):
        m = np.max(np.real(n) * ~_is_metal(n), axis=1)
        out = m if out is None else np.maximum(out, m)
    return out


def _light_lines(geom: Geometry) -> np.ndarray:
    """Real indices of every medium, ordinary and (uniaxial) extraordinary: (n_wl, L) or (n_wl, 2 L)."""
    n = np.real(geom.n)
    return n if geom.n_z is None else np.concatenate([n, np.real(geom.n_z)], axis=1)


def _branch_lines(geom: Geometry) -> np.ndarray:
    """Light lines used as breakpoints: every medium's ordinary index (as before issue #23) and the
    extraordinary index of the emitter and the half-spaces, the only media whose p light line is a branch
    point of K (a finite layer's response is even in its kz)."""
    n = np.real(geom.n)
    if geom.n_z is None:
        return n
    return np.concatenate([n, np.real(geom.n_z[:, [0, geom.emitter + 1, -1]])], axis=1)


def _spp_neff_max(geom: Geometry) -> np.ndarray:
    """Largest surface-plasmon effective index, ``Re sqrt(e_m e_d / (e_m + e_d))`` over the
    metal layers and the highest-index dielectric (n_wl,); 0 without a bound plasmon."""
    n = geom.n[:, 1:-1]
    eps_d = (_max_dielectric(geom, slice(None)) ** 2)[:, None]
    eps_m = n**2
    bound = _is_metal(n) & (np.real(eps_m) + eps_d < 0)
    ratio = eps_m * eps_d / np.where(bound, eps_m + eps_d, -1.0)
    spp = np.where(bound, np.sqrt(np.where(bound, ratio, 0.0)).real, 0.0)
    return np.max(spp, axis=1, initial=0.0)


def _scan_planes(position_nm, weights):
    """At most three dipole planes (first, middle, last) standing for an emission zone."""
    pos = np.asarray(position_nm, dtype=float)
    w = np.asarray(weights, dtype=float)
    n_pos = pos.shape[-1]
    if n_pos > 3:
        pick = [0, n_pos // 2, n_pos - 1]
        pos, w = pos[..., pick], np.full(3, 1 / 3)
    return pos, w


def k_scan(geom: Geometry, position_nm, weights, u_lo, u_hi, n_points: int = 400):
    """TE and TM power spectra on a grid just below the real u axis (n_wl, n_points each).

    Evaluating at ``u - i eps`` (``eps`` = two grid steps) turns every mode pole of the stack
    (``Im u >= 0``; on the axis for lossless guides) into a peak at least two steps wide, so
    no mode is missed by the grid, whatever its true width. Mode positions do not depend on
    the dipole position, only their weights: zones with more than three planes are scanned at
    their first, middle and last plane.

    Returns
    -------
    (u grid (n_wl, n_points) real, K_TE, K_TM)
    """
    pos, w = _scan_planes(position_nm, weights)
    s = np.linspace(0.0, 1.0, n_points + 2)[1:-1]
    lo, hi = np.asarray(u_lo, dtype=float)[:, None], np.asarray(u_hi, dtype=float)[:, None]
    u = lo + (hi - lo) * s[None, :]
    eps = 2.0 * (hi - lo) / (n_points + 1)
    f = zone_fields(geom, u - 1j * eps, pos, w).f
    return u, f["hs"].real, f["v"].real + f["hp"].real


def mode_scan(geom: Geometry, position_nm, weights, n_open, n_points: int = 400):
    """K beyond the radiative range: (neff grid, K_TE, K_TM), all (n_wl, n_points).

    The grid runs from ``n_open`` (the highest index of a lossless half-space) to above the
    highest dielectric index and the largest surface-plasmon index (which exceeds every
    dielectric index it is bound to).
    """
    ne = geom.n_emitter
    lo = np.real(n_open)
    hi = 1.02 * _max_dielectric(geom)
    hi = np.minimum(np.maximum.reduce([hi, 1.05 * lo, 1.05 * _spp_neff_max(geom)]), 3.0 * hi)
    u, te, tm = k_scan(geom, position_nm, weights, lo / ne, hi / ne, n_points)
    return u * ne[:, None], te, tm


def pole_breakpoints(geom: Geometry, position_nm, weights, u_hi, n_points: int = 400, max_poles: int = 8):
    """Breakpoints at the sharp mode poles in ``(0, u_hi)``: (n_wl, k), rows padded with ``u_hi``.

    Used as breakpoints of the real-axis integration (where the channel densities are not
    analytic and the contour cannot be deformed): a quasi-guided mode of a lossless or weakly
    absorbing guide inside the substrate light cone is a Lorentzian of width down to 1e-12 in
    u. Peaks of the off-axis scan (:func:`k_scan`, run a little beyond ``u_hi`` so that a peak
    next to it is seen) are located by three zoomed rescans, then the complex pole
    ``u0 + i gamma`` is found by Newton steps on the mode condition (:func:`_refine_poles`).
    Each pole gives a breakpoint at ``u0`` and, when narrow, ``u0 +- gamma 10^k``: with these
    the end-crowded nodes of :mod:`qdled.optics.quadrature` resolve it. A peak within three scan
    steps of a light line (where the smoothed branch point also makes a peak) is kept only if
    a pole is found.
    """
    n_wl = len(geom.wavelength_nm)
    u_hi = np.asarray(u_hi, dtype=float)
    pos, w = _scan_planes(position_nm, weights)
    step = u_hi / (n_points + 1)
    u_scan = u_hi + 4 * step
    u, te, tm = k_scan(geom, pos, w, np.zeros(n_wl), u_scan, n_points + 4)
    lines = _light_lines(geom) / geom.n_emitter[:, None]
    rows, near = [], []
    for i in range(n_wl):  # peak finding is per spectrum (cheap, 1-d)
        cand = []
        for k in (te[i], tm[i]):
            # a sharp pole shows as a peak ~4 steps wide (2 eps); broad resonances need no breakpoint
            pk, props = find_peaks(k, prominence=1e-3 * max(np.max(np.abs(k)), 1e-30), width=(None, 8))
            cand += list(zip(props["prominences"], u[i, pk], strict=False))
        cand = sorted((c for c in cand if c[1] < u_hi[i] + step[i]), reverse=True)[:max_poles]
        rows.append([uc for _, uc in cand])
        near.append([np.min(np.abs(np.append(lines[i], u_hi[i]) - uc)) <= 3 * step[i] for _, uc in cand])
    n_found = max((len(r) for r in rows), default=0)
    if n_found == 0:
        return u_hi[:, None]
    out = np.array([r + [u_hi[i]] * (n_found - len(r)) for i, r in enumerate(rows)])
    found = np.array([[j < len(r) for j in range(n_found)] for r in rows])
    near_line = np.array([r + [False] * (n_found - len(r)) for r in near])
    m = 21
    s = np.linspace(-1.0, 1.0, m)
    half = 2.0 * step
    for _ in range(3):  # zoom: +-2 steps around each peak, then 10x finer step and depth
        grid = out[:, :, None] + half[:, None, None] * s[None, None, :]
        eps = (2.0 * half / (m - 1))[:, None, None]
        f = zone_fields(geom, (grid - 1j * eps).reshape(n_wl, -1), pos, w).f
        k = sum(np.abs(f[c].real) for c in ("v", "hs", "hp")).reshape(n_wl, n_found, m)
        best = np.take_along_axis(grid, np.argmax(k, axis=-1)[..., None], axis=-1)[..., 0]
        out = np.where(found, np.clip(best, 0.0, u_scan[:, None]), out)
        half = half / 10.0
    pole = _refine_poles(geom, out, found, 2.0 * step)
    has_pole = np.isfinite(pole)
    found &= ~near_line | has_pole
    centre = np.where(has_pole, pole.real, out)
    found &= (centre > 0) & (centre < u_hi[:, None])
    # a pole narrower than the quadrature can see from one breakpoint gets a geometric ladder of
    # breakpoints u0 +- gamma 10^k on both sides, each segment then holding a smooth part of the Lorentzian
    gamma = np.where(has_pole, pole.imag, np.inf)
    ladder = gamma[..., None] * 10.0 ** np.arange(_LADDER_STEPS)
    ladder = np.where(ladder < 0.3 * step[:, None, None], ladder, 0.0)  # 0: a copy of the centre
    pts = np.concatenate([centre[..., None], centre[..., None] - ladder, centre[..., None] + ladder], axis=-1)
    pts = np.where(found[..., None], pts, u_hi[:, None, None]).reshape(n_wl, -1)
    return np.sort(np.clip(pts, 0.0, u_hi[:, None]), axis=1)


#: decades of breakpoints on each side of a sharp pole (widths down to ~1e-13 of the scan range)
_LADDER_STEPS = 12


def mode_denominator(geom: Geometry, u) -> dict:
    """``1 - a_b a_t`` per polarisation at ``u`` (n_wl, n_u): zero at the stack's modes (poles of K).

    Independent of the dipole position (``a_b a_t = r_b r_t exp(2 i k0 n_e sz d_e)``); analytic in ``u``
    on the sheet of the real axis seen from below (see :func:`k_scan`).
    """
    u = np.asarray(u, dtype=complex)
    ne = geom.n_emitter[:, None]
    neff = u * ne
    e = geom.emitter + 1
    k0d = (2 * np.pi / geom.wavelength_nm * geom.emitter_thickness_nm)[:, None]
    if geom.uniaxial or geom.emitter_lossy:
        q_e = {"s": kz_normalised(geom.n[:, e][:, None], neff)}
        q_e["p"] = (
            normalised_kz_p(geom.n[:, e : e + 1], geom.n_z_or_n[:, e : e + 1], neff)[0]
            if geom.anisotropic_emitter
            else q_e["s"]
        )
        phase = {p: np.exp(2j * k0d * q_e[p]) for p in ("s", "p")}
    else:
        sz = kz_normalised(1.0, u)
        phase = dict.fromkeys(("s", "p"), np.exp(2j * k0d * ne * sz))
    top = half_stacks(*geom.top_media(), neff, geom.wavelength_nm, need_flux=False, n_z=geom.top_z())
    bottom = half_stacks(*geom.bottom_media(), neff, geom.wavelength_nm, need_flux=False, n_z=geom.bottom_z())
    return {p: 1 - bottom[p].r * top[p].r * phase[p] for p in ("s", "p")}


def _refine_poles(geom: Geometry, u_peak, found, width0, n_iter: int = 12) -> np.ndarray:
    """Complex poles ``u0 + i gamma`` next to the peaks ``u_peak`` (n_wl, k); NaN where none is found.

    Newton steps on :func:`mode_denominator`, always taken from the mirror point ``u0 - i gamma`` below
    the real axis (where K is evaluated on the sheet continuous with the real axis): the error of a
    step is ``O(gamma^2)`` of the curvature, negligible for the sharp poles that need it. Both
    polarisations are tried; the root nearest the peak within ``width0`` is kept.
    """
    n_wl, k = u_peak.shape
    best = np.full(u_peak.shape, np.nan + 0j)
    if not np.any(found):
        return best
    with np.errstate(all="ignore"):
        for pol in ("s", "p"):
            x = u_peak.astype(float).copy()
            y = np.broadcast_to(1e-3 * np.asarray(width0, dtype=float)[:, None], (n_wl, k)).copy()
            ok = np.array(found)
            for _ in range(n_iter):
                z = x - 1j * y
                h = 1e-4 * y
                pts = np.stack([z, z + h, z - h], axis=-1).reshape(n_wl, -1)
                d = mode_denominator(geom, pts)[pol].reshape(n_wl, k, 3)
                deriv = (d[..., 1] - d[..., 2]) / (2 * h)
                new = z - d[..., 0] / deriv
                ok &= np.isfinite(new) & (np.abs(new.real - u_peak) < width0[:, None]) & (new.imag > -1e-300)
                done = np.abs(new - (x + 1j * y)) < 1e-12 * np.maximum(np.abs(new.imag), 1e-4)
                x = np.where(ok, new.real, x)
                y = np.where(ok, np.maximum(new.imag, 1e-15 * np.maximum(x, 1.0)), y)
                if np.all(done | ~ok):
                    break
            cand = np.where(ok, x + 1j * y, np.nan)
            closer = np.isfinite(cand) & ~(np.abs(best.real - u_peak) <= np.abs(cand.real - u_peak))
            best = np.where(closer, cand, best)
    return best


def classify_modes(geom: Geometry, position_nm, weights, n_open):
    """Mode positions (peaks of K) and the waveguide/plasmon boundaries (n_wl,) for TM and TE.

    Returns
    -------
    (n_split_tm, n_split_te, modes)
    """
    neff, te, tm = mode_scan(geom, position_nm, weights, n_open)
    has_metal = bool(np.any(_is_metal(geom.n[:, 1:-1])))
    n_dielectric = np.max(np.real(geom.n[:, 1:-1]) * ~_is_metal(geom.n[:, 1:-1]), axis=1)  # TE: ordinary
    split_tm = _max_dielectric(geom)  # TM sees the extraordinary indices too
    modes = []
    for i, wl in enumerate(geom.wavelength_nm):  # peak finding is per spectrum (cheap, 1-d)
        tm_pk, _ = find_peaks(tm[i], prominence=0.02 * np.max(tm[i]))
        te_pk, _ = find_peaks(te[i], prominence=0.02 * np.max(te[i]))
        if has_metal and len(tm_pk):
            spp = tm_pk[-1]
            start = tm_pk[-2] if len(tm_pk) > 1 else 0
            split_tm[i] = neff[i, start + int(np.argmin(tm[i, start : spp + 1]))]
        for pol, pk, split in (("TE", te_pk, n_dielectric[i]), ("TM", tm_pk, split_tm[i])):
            for p in pk:
                ch = "plasmon" if neff[i, p] >= split else "waveguide"
                modes.append(Mode(float(wl), float(neff[i, p]), pol, ch))
    return split_tm, n_dielectric, tuple(modes)


def _tail_max_u(geom: Geometry, position_nm, last):
    """u up to which the near field is integrated.

    Beyond every light line power is only dissipated by absorption, reached through
    evanescent fields decaying as ``exp(-2 k0 n_e u d_abs)`` with ``d_abs`` the distance from
    the nearest dipole plane to the nearest absorbing layer; integrate until that is 1e-13
    (at most to u = 4000, reached by a dipole about 0.2 nm from an absorber).
    """
    thick = geom.thickness_rows  # (n_wl, M): rows may be different stacks
    e = geom.emitter
    pos = np.asarray(position_nm, dtype=float)
    pos = pos if pos.ndim == 2 else pos[None, :]
    lossy = np.any((np.imag(geom.n[:, 1:-1]) > 0) | (np.imag(geom.n_z_or_n[:, 1:-1]) > 0), axis=0)  # any row
    lossy[e] = False
    edges = np.concatenate([np.zeros((len(thick), 1)), np.cumsum(thick, axis=1)], axis=1)
    z = edges[:, e : e + 1] + pos  # (n_wl, n_pos)
    gaps = [
        np.min(np.maximum(edges[:, j : j + 1] - z, z - edges[:, j + 1 : j + 2]), axis=1)
        for j in range(thick.shape[1])
        if lossy[j]
    ]
    if np.any(np.imag(geom.n[:, [0, -1]]) > 0):
        gaps += [np.min(z, axis=1), np.min(edges[:, -1:] - z, axis=1)]
    if not gaps:  # nothing absorbs: no power beyond the light lines
        return 2 * np.asarray(last, dtype=float)
    d_abs = np.maximum(np.min(gaps, axis=0), 1e-3)
    k = 2 * np.pi / geom.wavelength_nm * geom.n_emitter
    return np.clip(30.0 / (2 * k * d_abs), 2 * last, 4000.0)


def _drop_empty(a, b):
    """Remove segment columns that have zero length in every row."""
    keep = np.any(b > a, axis=0)
    return a[:, keep], b[:, keep]


def incoherent_substrate(geom: Geometry) -> Geometry:
    """``geom`` with the real part of the substrate index: the thick incoherent substrate is treated as
    transparent (its absorption over its thickness is not modelled; glass: k ~ 5e-7, ~1 % per mm)."""
    if not np.any(geom.n[:, 0].imag) and not np.any(geom.n_z_or_n[:, 0].imag):
        return geom
    n = geom.n.copy()
    n[:, 0] = n[:, 0].real
    if geom.n_z is None:
        return replace(geom, n=n)
    n_z = geom.n_z.copy()
    n_z[:, 0] = n_z[:, 0].real
    return replace(geom, n=n, n_z=n_z)


def radiative_densities(
    geom: Geometry, u, position_nm, n_outside, substrate_coherent: bool = False, weights=None
) -> dict:
    """Channel densities per unit u on the real axis inside the substrate light line.

    Parameters
    ----------
    u : real array (n_wl, n_u), ``u < n_open / n_e`` (see the module docstring)
    n_outside : array (n_wl,)
    weights : array (n_pos,), optional
        Emission-zone weights: the densities are then averaged over the positions (n_pos -> 1),
        before the per-layer bookkeeping.

    Returns
    -------
    dict of (n_wl, n_pos, n_u) (n_pos = 1 with ``weights``): ``"{o}.{channel}"`` and ``"{o}.layer{j}"`` for orientations
    ``o`` in ("v", "h"), and ``"comp.{c}.outcoupled"`` per component ("v", "hs", "hp") --
    the outcoupled density per polarisation used by the far field.
    """
    if not substrate_coherent:
        geom = incoherent_substrate(geom)
    wl = geom.wavelength_nm
    n_wl, n_layers, e = len(wl), geom.n.shape[1] - 2, geom.emitter
    pos = np.atleast_1d(np.asarray(position_nm, dtype=float))
    n_out = np.broadcast_to(np.asarray(n_outside, dtype=complex), wl.shape).real
    neff = u * geom.n_emitter[:, None]
    zero = np.zeros((n_wl, pos.shape[-1] if weights is None else 1, u.shape[1]))
    out = {f"{o}.{c}": zero.copy() for o in ("v", "h") for c in CHANNELS}
    out.update({f"{o}.layer{j}": zero.copy() for o in ("v", "h") for j in range(n_layers)})
    # power carried up / down by each component, per plane or (with weights) zone-averaged
    cone = np.minimum(1.0, np.real(geom.n_z_or_n[:, e + 1]) / geom.n_emitter)[:, None]  # both emitter light cones
    if weights is not None and geom.emitter_lossy:  # absorbing emitter: closed-form zone average of the split
        fields = zone_split_absorbing(geom, u, pos, weights)
        carried = {c: (fields.up[c][:, None, :], fields.down[c][:, None, :]) for c, _, _ in COMPONENTS}
        for c, _, _ in COMPONENTS:
            out[f"{'v' if c == 'v' else 'h'}.emitter_absorbed"] += (fields.f[c] - fields.up[c] - fields.down[c])[
                :, None, :
            ]
    elif weights is not None and np.all(u < cone):  # closed-form zone average
        fields = zone_fields(geom, u, pos, weights, need_split=True)
        carried = {c: (fields.up[c][:, None, :], fields.down[c][:, None, :]) for c, _, _ in COMPONENTS}
    else:
        fields = dipole_fields(geom, u, pos)
        carried = {}
        for c, _, _ in COMPONENTS:
            k = fields.f[c].real
            pair = (k * fields.up[c], k * fields.down[c])
            if geom.emitter_lossy:  # absorbed in the emitter layer before reaching its interfaces
                pair = (*pair, k - pair[0] - pair[1])
            if weights is not None:
                pair = tuple(np.tensordot(x, weights, axes=([1], [0]))[:, None, :] for x in pair)
            carried[c] = pair[:2]
            if geom.emitter_lossy:
                out[f"{'v' if c == 'v' else 'h'}.emitter_absorbed"] += pair[2]
    # flux differences across a lossless layer are round-off: exactly 0
    lossy = (geom.n[:, 1:-1].imag > 0) | (geom.n_z_or_n[:, 1:-1].imag > 0)
    glass_side = {}
    if not substrate_coherent:
        sub_out = np.stack([geom.n[:, 0], n_out.astype(complex)], axis=1)
        full = half_stacks(geom.n, geom.thickness_nm, neff, wl, q=fields.q, n_z=geom.n_z)
        escape = reflectance_transmittance(sub_out, np.zeros((n_wl, 0)), neff, wl)
        for p in ("s", "p"):
            hs = full[p]
            r_so, t_so = escape[p]
            # beyond the substrate light line nothing reaches the outside (T is NaN there: no incident flux)
            t_so = np.where(np.isfinite(t_so), t_so, 0.0)
            incident = net_flux(p, geom.n[:, :1], hs.q[0], 0.0)
            safe = np.where(np.abs(incident) > 0, incident, 1.0)
            r_ss = np.abs(hs.r) ** 2
            glass_side[p] = (
                r_ss[:, None],
                (hs.absorbed / safe)[:, :, None],
                (hs.flux[-1] / safe)[:, None],
                r_so[:, None],
                t_so[:, None],
            )
    # the escape cone: propagating both in the substrate and outside it
    inside = (neff < np.minimum(n_out, geom.n[:, 0].real)[:, None])[:, None, :]
    for name, pol, _ in COMPONENTS:
        o = "v" if name == "v" else "h"
        comp_out = zero.copy()
        for half, part, layer_ids, is_top in (
            (fields.top[pol], carried[name][0], range(e + 1, n_layers), True),
            (fields.bottom[pol], carried[name][1], range(e - 1, -1, -1), False),
        ):
            f0 = half.flux[0][:, None, :]
            power = part / np.where(np.abs(f0) > 0, f0, np.inf)
            for m, j in enumerate(layer_ids):
                out[f"{o}.layer{j}"] += power * (half.absorbed[m] * lossy[:, j, None])[:, None, :]
            leaving = power * half.flux[-1][:, None, :]
            if is_top:
                out[f"{o}.top"] += leaving
            elif substrate_coherent:
                comp_out += leaving
            else:
                r_ss, a_ss, t_ss, r_so, t_so = glass_side[pol]
                denom = np.where(inside, 1 - r_so * r_ss, 1.0)  # outside the cone: total reflection
                esc = np.where(inside, leaving, 0.0) / denom
                out[f"{o}.substrate"] += np.where(inside, 0.0, leaving)
                comp_out += esc * t_so
                out[f"{o}.top"] += esc * r_so * t_ss
                for j in range(n_layers):
                    out[f"{o}.layer{j}"] += esc * r_so * a_ss[j] * lossy[:, j, None, None]
        out[f"{o}.outcoupled"] += comp_out
        out[f"comp.{name}.outcoupled"] = comp_out
    return out


def emission(
    geom: Geometry,
    position_nm,
    weights=None,
    *,
    n_outside=1.0,
    substrate_coherent: bool = False,
    tol: float = 1e-4,
) -> Emission:
    """Purcell factors and loss channels of dipoles at ``position_nm`` in the emitter layer.

    Parameters
    ----------
    geom : Geometry
        Media from the substrate (``geom.n[:, 0]``) to the top (``geom.n[:, -1]``).
    position_nm : array (n_pos,) or (n_wl, n_pos)
        Dipole distances from the emitter layer's substrate side [nm] (per row if 2-d: rows that
        are different stacks, see :class:`qdled.optics.dipole.Geometry`).
    weights : array (n_pos,), optional
        Emission-zone weights (normalised here); default uniform.
    n_outside : complex or array (n_wl,)
        Index of the medium behind the thick substrate (ignored if ``substrate_coherent``).
    substrate_coherent : bool
        Treat the substrate as a coherent half-space (all power into it is outcoupled).
    tol : float
        Quadrature tolerance on every channel (units of the free-dipole power).

    Returns
    -------
    Emission
    """
    pos = np.atleast_1d(np.asarray(position_nm, dtype=float))
    w_pos = np.ones(pos.shape[-1]) if weights is None else np.asarray(weights, dtype=float)
    if not substrate_coherent:
        geom = incoherent_substrate(geom)
    em = replace(_emission_block(geom, pos, w_pos / w_pos.sum(), n_outside, substrate_coherent, tol), tol=tol)
    if not em.converged:
        warnings.warn(
            f"u-quadrature not converged: change {em.error:.2e} between the last two panel counts "
            f"(tolerance {tol:.1e}); results may be inaccurate",
            RuntimeWarning,
            stacklevel=2,
        )
    return em


def _clip_noise(x, noise):
    """``x`` with values in ``[-noise, 0)`` set to zero."""
    return np.where((x < 0) & (x >= -noise), 0.0, x)


def _emission_block(geom: Geometry, pos, w_pos, n_outside, substrate_coherent: bool, tol: float) -> Emission:
    """Body of :func:`emission` (``w_pos`` normalised)."""
    wl = geom.wavelength_nm
    n_wl = len(wl)
    ne = geom.n_emitter
    n_top, n_top_z = geom.n[:, -1], geom.n_z_or_n[:, -1]
    lossless_top = (n_top.imag == 0) & (n_top_z.imag == 0)
    # the light lines of the half-spaces (ordinary for s, extraordinary for p if uniaxial)
    n_open = np.maximum.reduce(
        [
            geom.n[:, 0].real,
            geom.n_z_or_n[:, 0].real,
            np.where(lossless_top, n_top.real, 0.0),
            np.where(lossless_top, n_top_z.real, 0.0),
        ]
    )
    n_out = np.broadcast_to(np.asarray(n_outside, dtype=complex), wl.shape).real
    u_open = n_open / ne
    # beyond the radiative range an absorbing emitter is taken lossless (qdled.optics.dipole, module docstring)
    geom_bound = lossless_emitter(geom)
    split_tm, split_te, modes = classify_modes(geom_bound, pos, w_pos, n_open)
    n_layers = geom.n.shape[1] - 2

    # ---- radiative region [0, u_open]: real axis, all light lines and sharp mode poles as breakpoints
    poles = pole_breakpoints(geom, pos, w_pos, u_open)
    cand = np.concatenate(
        [
            np.zeros((n_wl, 1)),
            _branch_lines(geom) / ne[:, None],
            np.ones((n_wl, 1)),
            n_out[:, None] / ne[:, None],
            poles,
        ],
        axis=1,
    )
    bp = np.sort(np.clip(cand, 0.0, u_open[:, None]), axis=1)
    bp = np.concatenate([bp, u_open[:, None]], axis=1)
    a_rad, b_rad = _drop_empty(bp[:, :-1], bp[:, 1:])

    # the integrands return emission-zone averages per segment (n_wl, n_seg): the figures reported, whose
    # change between panel counts is the error estimate
    def radiative(u, du):
        shape = u.shape
        dens = radiative_densities(geom, u.reshape(n_wl, -1).real, pos, n_out, substrate_coherent, weights=w_pos)
        w = du.real
        return {k: np.sum(v.reshape(shape) * w, axis=-1) for k, v in dens.items() if not k.startswith("comp.")}

    rad, err_rad, _ = adaptive(radiative, a_rad, b_rad, np.zeros_like(a_rad), tol=tol)
    rad = {k: v.sum(axis=-1) for k, v in rad.items()}

    # ---- bound region [u_open, u_max]: deformed contour; breakpoints at branch points only
    u_tm = np.maximum(split_tm / ne, u_open)
    u_te = np.maximum(split_te / ne, u_open)
    u_ez = np.real(geom.n_z_or_n[:, geom.emitter + 1]) / ne  # the emitter's p light line (1 if isotropic)
    last = np.maximum.reduce([u_open, np.ones(n_wl), u_ez, u_tm, u_te])
    u_max = _tail_max_u(geom_bound, pos, last)
    n_tail = int(np.max(np.ceil(np.log2(u_max / last))))
    tail = np.minimum(last[:, None] * 2.0 ** np.arange(1, n_tail + 1)[None, :], u_max[:, None])
    fixed = [u_open, np.maximum(1.0, u_open), np.maximum(u_ez, u_open), u_tm, u_te, last]
    bp = np.concatenate([np.sort(np.stack(fixed, axis=1), axis=1), tail], axis=1)
    a_b, b_b = _drop_empty(bp[:, :-1], bp[:, 1:])
    beyond = {"p": a_b >= u_tm[:, None] - 1e-12, "s": a_b >= u_te[:, None] - 1e-12}

    def bound(u, du):
        fields = zone_fields(geom_bound, u.reshape(n_wl, -1), pos, w_pos)
        return {c: (fields.f[c].reshape(u.shape) * du).sum(-1).real for c, _, _ in COMPONENTS}

    deform = np.full(a_b.shape, CONTOUR_ETA)
    seg, err_bnd, _ = adaptive(bound, a_b, b_b, deform, tol=tol, start_panels=4)
    bnd = {f"{o}.{c}": 0.0 for o in ("v", "h") for c in ("waveguide", "plasmon")}
    for name, pol, _ in COMPONENTS:
        o = "v" if name == "v" else "h"
        bnd[f"{o}.plasmon"] = bnd[f"{o}.plasmon"] + np.sum(np.where(beyond[pol], seg[name], 0.0), axis=-1)
        bnd[f"{o}.waveguide"] = bnd[f"{o}.waveguide"] + np.sum(np.where(beyond[pol], 0.0, seg[name]), axis=-1)

    error = max(err_rad, err_bnd)
    power, purcell, by_layer = {}, {}, {}
    for o in ("v", "h"):
        pw = {}
        for c in CHANNELS:
            if c != "absorbed":
                pw[c] = rad[f"{o}.{c}"] + (bnd[f"{o}.{c}"] if c in ("waveguide", "plasmon") else 0.0)
        layers = np.stack([rad[f"{o}.layer{j}"] for j in range(n_layers)])
        # every channel is a flux into a sink (>= 0); a negative total within the quadrature's accuracy
        # (its tolerance or error estimate) or round-off is a zero channel seen through that error, and
        # is set to zero with its size added to the error. A larger negative value is left visible.
        noise = max(error, tol) + 1e-12 * sum(np.abs(v) for v in pw.values())
        error = max(error, float(np.max(np.abs(np.minimum(layers, 0.0)), initial=0.0)))
        layers = _clip_noise(layers, noise)
        for c in pw:
            error = max(error, float(np.max(np.where(pw[c] < 0, -pw[c], 0.0), initial=0.0)))
            pw[c] = _clip_noise(pw[c], noise)
        pw["absorbed"] = layers.sum(axis=0)
        power[o] = {c: pw[c] for c in CHANNELS}
        by_layer[o] = layers
        purcell[o] = sum(power[o][c] for c in CHANNELS)
    return Emission(wl, purcell, power, by_layer, split_tm, split_te, modes, error)
