"""Emission zone (position, optionally width) and dipole orientation of an LED from angle-resolved EL
spectra (angle x wavelength), through the far field of :func:`qdled.optics.far_field`.

Model: at air angle ``theta`` and wavelength ``lambda`` the measured EL is

    I(theta, lambda) = S(lambda) [h I_h(theta, lambda; zone) + (1 - h) I_v(theta, lambda; zone)]

(the s + p sum, or one polarisation when the file says so) with the intrinsic source spectrum ``S`` and the
far-field intensities of horizontal and vertical dipoles averaged over the zone profile. The zone is either a
plane (``profile="delta"``, position ``x`` as a fraction of the emitting layer from its substrate side) or a
Gaussian of centre ``x`` and standard deviation ``w`` (fractions of the layer, truncated to it).

The source spectrum is either given (a free overall scale is fitted) or left free at every measured wavelength:
for each trial zone and orientation the amplitudes ``S(lambda)`` that best match all angles are solved by
linear least squares (variable projection: the projected Jacobian gives the nonlinear parameters' block of the
full covariance, and the amplitudes count against the degrees of freedom), so that only the change of the
spectrum with angle informs the fit -- the spectrum seen near the normal effectively sets the source.

The far field is computed once on a grid of emitter planes across the layer (``n_grid``) for horizontal and
vertical dipoles; a plane in between is a cubic-spline interpolation along the position and a Gaussian profile
a weighted sum of the grid planes (the far field varies on the scale lambda / (4 n) ~ 80 nm, much coarser
than the grid).

References
----------
.. [1] M. Flämmich, M. C. Gather, N. Danz, D. Michaelis, A. H. Bräuer, K. Meerholz and N. Kaiser,
   Org. Electron. 11, 1039 (2010) (emission-zone and orientation from angle-resolved EL spectra).
.. [2] K. A. Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
.. [3] M. Furno et al., Phys. Rev. B 85, 115205 (2012).
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline

from qdled.errors import InputError
from qdled.fit._common import check_1d, check_sigma, minimize, noise_note, profile_check, t95
from qdled.fit.orientation import ISOTROPIC
from qdled.fit.result import FitResult, summarise

PROFILES = ("delta", "gaussian")
#: emitter planes of the far-field grid across the emitting layer
N_GRID = 21
#: Gaussian zone width range (standard deviation, fraction of the layer)
WIDTH_RANGE = (0.03, 1.0)


def zone_basis(stack, wavelength_nm, angle_deg, n_grid: int = N_GRID) -> dict:
    """Far-field components on a grid of emitter planes: ``{"x", "hs", "hp", "v"}`` with arrays
    (n_grid, n_wl, n_angle) in W/sr per W of the free dipole (:func:`qdled.optics.far_field`)."""
    from qdled.optics import far_field

    x = np.linspace(0.0, 1.0, int(n_grid))
    out = {"x": x, "hs": [], "hp": [], "v": []}
    for f in x:
        h = far_field(stack, wavelength_nm, angle_deg, zone=float(f), horizontal_fraction=1.0)
        v = far_field(stack, wavelength_nm, angle_deg, zone=float(f), horizontal_fraction=0.0)
        out["hs"].append(h.intensity_s)
        out["hp"].append(h.intensity_p)
        out["v"].append(v.intensity_p)
    return {k: np.asarray(v) for k, v in out.items()}


class _ZoneModel:
    """Zone-averaged far-field components for a delta or Gaussian profile (see the module docstring)."""

    def __init__(self, basis: dict, profile: str):
        self.x = basis["x"]
        self.profile = profile
        self.basis = {c: basis[c] for c in ("hs", "hp", "v")}
        self.spline = {c: CubicSpline(self.x, basis[c], axis=0) for c in self.basis} if profile == "delta" else None
        dx = np.gradient(self.x)
        self.trap = np.where((np.arange(self.x.size) == 0) | (np.arange(self.x.size) == self.x.size - 1), 0.5, 1) * dx

    def components(self, position: float, width: float | None = None) -> dict:
        if self.profile == "delta":
            return {c: s(position) for c, s in self.spline.items()}
        w = np.exp(-0.5 * ((self.x - position) / width) ** 2) * self.trap
        w = w / w.sum()
        return {c: np.tensordot(w, b, axes=1) for c, b in self.basis.items()}


def fit_emission_zone(
    angle_deg,
    wavelength_nm,
    intensity,
    stack,
    *,
    profile: str = "delta",
    source=None,
    polarisation=None,
    vary_orientation: bool = True,
    horizontal_fraction: float | None = None,
    sigma=None,
    n_grid: int = N_GRID,
    basis: dict | None = None,
) -> FitResult:
    """Fit emission-zone position (and width) and horizontal dipole fraction to angle-resolved EL.

    Parameters
    ----------
    angle_deg, wavelength_nm, intensity : arrays (n,)
        One row per (air angle [deg, 0-90), wavelength [nm]) point; every wavelength measured at every angle.
    stack : qdled.io.stack.Stack
        The device (incoherent substrate into air).
    profile : "delta" or "gaussian"
    source : (wavelength_nm, intensity), optional
        Intrinsic source spectrum; default: a free amplitude per wavelength (see the module docstring).
    polarisation : None, or array (n,) of "p"/"s"/"sum"
        Polarisation of each row (default: unpolarised, s + p).
    vary_orientation : bool
        Fit the horizontal fraction too (else hold it at ``horizontal_fraction`` or the stack's value).
    sigma : None, "poisson" or array (n,)
        Noise model (see :func:`qdled.fit.fit_orientation`).
    n_grid : int
        Emitter planes of the far-field grid.
    basis : dict, optional
        Precomputed :func:`zone_basis` of this stack on the sorted distinct wavelengths and angles of the data
        (to reuse across fits of the same geometry).

    Returns
    -------
    FitResult
        ``parameters``: ``position`` (fraction of the emitting layer from its substrate side), ``width``
        (Gaussian only), ``horizontal_fraction``; ``curves`` holds the rows, data and model.

    References
    ----------
    Flämmich et al., Org. Electron. 11, 1039 (2010); Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
    """
    import lmfit

    if profile not in PROFILES:
        raise InputError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    ang = check_1d("angle_deg", angle_deg)
    n = ang.size
    wl = check_1d("wavelength_nm", wavelength_nm, n)
    y = check_1d("intensity", intensity, n)
    sig = check_sigma(sigma, n)
    if np.any((ang < 0) | (ang >= 90)):
        raise InputError(f"angle_deg must be in [0, 90), got {ang.min():g} .. {ang.max():g}")
    pol = np.full(n, "sum") if polarisation is None else np.array([str(p).strip().lower() for p in polarisation])
    if pol.shape != (n,) or not np.all(np.isin(pol, ("p", "s", "sum"))):
        raise InputError("polarisation must be 'p', 's' or 'sum' for every row")
    angs, ia = np.unique(ang, return_inverse=True)
    wls, iw = np.unique(wl, return_inverse=True)
    if len(angs) < 3:
        raise InputError(f"emission-zone fit needs at least 3 angles, got {len(angs)}")
    h0 = stack.emitter.horizontal_fraction if horizontal_fraction is None else float(horizontal_fraction)
    if not 0 <= h0 <= 1:
        raise InputError(f"horizontal_fraction must be in [0, 1], got {horizontal_fraction!r}")
    if basis is None:
        basis = zone_basis(stack, wls, angs, n_grid)
    elif basis["hs"].shape[1:] != (len(wls), len(angs)):
        raise InputError(f"basis shape {basis['hs'].shape[1:]} does not match the data ({len(wls)}, {len(angs)})")
    model = _ZoneModel(basis, profile)
    use_s = np.isin(pol, ("s", "sum"))
    use_p = np.isin(pol, ("p", "sum"))

    normal = source is None
    if not normal:
        s_wl, s_val = (np.asarray(a, dtype=float) for a in source)
        if s_wl.ndim != 1 or s_wl.shape != s_val.shape or s_wl.size < 3 or np.any(np.diff(s_wl) <= 0):
            raise InputError("source spectrum needs increasing wavelength_nm and matching intensity (>= 3 points)")
        if wls.min() < s_wl.min() or wls.max() > s_wl.max():
            raise InputError("source spectrum must cover the measured wavelengths")
        s_at = np.interp(wls, s_wl, s_val)[iw]

    def bracket(p):
        c = model.components(p["position"].value, p["width"].value if profile == "gaussian" else None)
        h = p["horizontal_fraction"].value
        hs, hp, v = (c[k][iw, ia] for k in ("hs", "hp", "v"))
        return np.where(use_s, h * hs, 0.0) + np.where(use_p, h * hp + (1 - h) * v, 0.0)

    def source_of(b, w):
        """Per-wavelength source amplitudes minimising the weighted residual (linear, eliminated)."""
        num = np.bincount(iw, weights=w**2 * y * b, minlength=len(wls))
        den = np.bincount(iw, weights=w**2 * b * b, minlength=len(wls))
        return num / np.where(den > 0, den, np.inf)

    def model_of(p, w=None):
        b = bracket(p)
        if normal:
            return b * source_of(b, np.ones(n) if w is None else w)[iw]
        return p["scale"].value * s_at * b

    def residual(p, w):
        return (model_of(p, w) - y) * w

    params = lmfit.Parameters()
    params.add("position", 0.5, min=0.0, max=1.0)
    if profile == "gaussian":
        params.add("width", 0.25, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1])
    params.add(
        "horizontal_fraction", h0 if not vary_orientation else ISOTROPIC, min=0.0, max=1.0, vary=vary_orientation
    )
    if not normal:
        b0 = bracket(params) * s_at
        params.add("scale", float(np.dot(b0, y) / max(np.dot(b0, b0), 1e-300)), min=0.0)
    # a coarse start: the far field may have several local minima across the layer (and in h)
    best = None
    h_starts = (0.2, ISOTROPIC, 0.95) if vary_orientation else (h0,)
    for x0 in (0.1, 0.3, 0.5, 0.7, 0.9):
        for hs0 in h_starts:
            params["position"].value, params["horizontal_fraction"].value = x0, hs0
            r = np.sum(residual(params, np.ones(n)) ** 2)
            if best is None or r < best[0]:
                best = (r, x0, hs0)
    params["position"].value, params["horizontal_fraction"].value = best[1], best[2]
    res, used = minimize(residual, params, sig, y, model_of)
    n_elim = len(wls) if normal else 0
    physical = {"position": ("fraction of the emitting layer", (0.0, 1.0))}
    if profile == "gaussian":
        physical["width"] = ("fraction of the emitting layer", WIDTH_RANGE)
    physical["horizontal_fraction"] = ("", (0.0, 1.0))
    prof = profile_check(res, residual, 1.0 / used, list(physical), t95(res.ndata - res.nvarys - n_elim))
    notes = [
        f"profile: {profile}",
        "source: "
        + ("free amplitude per wavelength (eliminated by linear least squares)" if normal else "given, free scale"),
        noise_note(sig),
    ]
    if not vary_orientation:
        notes.append(f"horizontal_fraction held at {h0:g}")
    layer = stack.layers[stack.emitter_index]
    notes.append(f"emitting layer {layer.name}, {layer.thickness_nm:g} nm")
    curves = {
        "angle_deg": ang,
        "wavelength_nm": wl,
        "polarisation": pol,
        "data": y,
        "model": model_of(res.params, 1.0 / used),
        "sigma": used,
    }
    return summarise("emission-zone", res, physical, notes=notes, curves=curves, n_eliminated=n_elim, profile=prof)


__all__ = ["fit_emission_zone", "zone_basis", "PROFILES"]
