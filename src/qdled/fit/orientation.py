"""Horizontal dipole fraction of an emitter film from angle-resolved p-polarised PL through a glass
half-cylinder prism (the method of Frischeisen et al. [1]; review and practice in Schmidt et al. [2]).

Model: the film's stack on a coherent semi-infinite glass substrate; at each angle ``theta`` inside the glass
(and wavelength) the measured intensity is ``A_lambda [h I_hp + (1 - h) I_v]`` (p) or ``A_lambda h I_hs`` (s)
with the component intensities of :func:`qdled.fit.prism.substrate_intensity`, the horizontal fraction ``h``
(2/3 = isotropic) and one free scale ``A_lambda`` per wavelength (the absolute signal level is never known).
Sensitivity comes from beyond the critical angle of the glass/air interface, where vertical dipoles feed a
strong p-polarised lobe [1]. The component intensities are computed once per fit (``h`` and the scales enter
linearly), so a fit costs one optics evaluation.

References
----------
.. [1] J. Frischeisen, D. Yokoyama, A. Endo, C. Adachi and W. Brütting, Appl. Phys. Lett. 96, 073302 (2010).
.. [2] T. D. Schmidt, T. Lampe, D. Sylvinson M. R., P. I. Djurovich, M. E. Thompson and W. Brütting,
   Phys. Rev. Applied 8, 037001 (2017).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from qdled.errors import InputError
from qdled.fit._common import check_1d, check_sigma, minimize, noise_note, profile_check, t95
from qdled.fit.prism import substrate_intensity
from qdled.fit.result import FitResult, summarise

#: horizontal fraction of randomly oriented (isotropic) dipoles
ISOTROPIC = 2.0 / 3.0


def film_on_glass(thickness_nm: float = 35.0, material: str = "CsPbI3-QD", n_glass: float = 1.5):
    """A bare emitter film on a coherent semi-infinite glass half-space under air (the prism geometry)."""
    from qdled.io.stack import stack_from_dict

    return stack_from_dict(
        {
            "name": f"{material} film on glass",
            "substrate": {"n": float(n_glass), "coherent": True},
            "top": "air",
            "layers": [{"name": "QD", "material": material, "thickness_nm": float(thickness_nm), "emitter": True}],
        },
        "film_on_glass",
    )


def _polarisation(pol, n: int) -> np.ndarray:
    if pol is None:
        return np.full(n, "p")
    if isinstance(pol, str):
        pol = [pol] * n
    out = np.array([str(x).strip().lower() for x in pol])
    if out.shape != (n,) or not np.all(np.isin(out, ("p", "s"))):
        raise InputError("polarisation must be 'p' or 's' for every row")
    return out


def fit_orientation(
    angle_deg,
    intensity,
    stack,
    wavelength_nm,
    *,
    polarisation="p",
    sigma=None,
    zone=None,
) -> FitResult:
    """Fit the horizontal dipole fraction to angle-resolved PL measured in the substrate.

    Parameters
    ----------
    angle_deg, intensity : array (n,)
        Emission angle inside the glass [deg, 0-90) and measured intensity (any scale), one row per point.
    stack : qdled.io.stack.Stack
        The emitter film on a coherent semi-infinite substrate (``substrate = {n = 1.5, coherent = true}``).
    wavelength_nm : float or array (n,)
        Wavelength of each row [nm]; one free scale per distinct wavelength.
    polarisation : "p", "s" or array (n,) of them
        Polarisation of each row (default all p, the standard measurement).
    sigma : None, "poisson" or array (n,)
        Noise: None = equal unknown Gaussian errors (scale from the residual scatter), "poisson" = counting
        noise (weights 1/sqrt(model)), or standard deviations per point.
    zone : optional
        Emitter positions (see :func:`qdled.optics.outcoupling.emission_zone`); default the stack's.

    Returns
    -------
    FitResult
        ``parameters["horizontal_fraction"]``; ``curves`` holds angle, wavelength, polarisation, data, model.

    References
    ----------
    Frischeisen et al., Appl. Phys. Lett. 96, 073302 (2010); Schmidt et al., Phys. Rev. Applied 8, 037001 (2017).
    """
    import lmfit

    ang = check_1d("angle_deg", angle_deg)
    n = ang.size
    y = check_1d("intensity", intensity, n)
    wl = np.broadcast_to(check_1d("wavelength_nm", wavelength_nm), (n,)).copy()
    pol = _polarisation(polarisation, n)
    sig = check_sigma(sigma, n)
    if np.any((ang < 0) | (ang >= 90)):
        raise InputError(f"angle_deg must be in [0, 90), got {ang.min():g} .. {ang.max():g}")
    if n < 5:
        raise InputError(f"orientation fit needs at least 5 points, got {n}")
    wls, iw = np.unique(wl, return_inverse=True)
    angs, ia = np.unique(ang, return_inverse=True)
    si = substrate_intensity(stack, wls, angs, zone)
    avg = {c: si._avg(c)[iw, ia] for c in ("v", "hp", "hs")}
    is_p = pol == "p"
    base_h = np.where(is_p, avg["hp"], avg["hs"])  # per unit h
    base_v = np.where(is_p, avg["v"], 0.0)  # per unit (1 - h)
    peak = np.array([max(np.max(np.abs(y[iw == k])), 1e-300) for k in range(len(wls))])
    norm = np.array([max(np.max(base_h[iw == k] + base_v[iw == k]), 1e-300) for k in range(len(wls))])

    params = lmfit.Parameters()
    params.add("horizontal_fraction", ISOTROPIC, min=0.0, max=1.0)
    for k in range(len(wls)):
        params.add(f"scale_{k}", peak[k] / norm[k], min=0.0)

    def model_of(p):
        h = p["horizontal_fraction"].value
        a = np.array([p[f"scale_{k}"].value for k in range(len(wls))])[iw]
        return a * (h * base_h + (1 - h) * base_v)

    def residual(p, w):
        return (model_of(p) - y) * w

    res, used = minimize(residual, params, sig, y, model_of)
    prof = profile_check(res, residual, 1.0 / used, ["horizontal_fraction"], t95(res.ndata - res.nvarys))
    notes = [
        noise_note(sig),
        f"one free scale per wavelength ({len(wls)})",
    ]
    curves = {
        "angle_deg": ang,
        "wavelength_nm": wl,
        "polarisation": pol,
        "data": y,
        "model": model_of(res.params),
        "sigma": used,
    }
    out = summarise(
        "orientation", res, {"horizontal_fraction": ("", (0.0, 1.0))}, notes=notes, curves=curves, profile=prof
    )
    nuisance = {f"scale_{wls[k]:g}nm": out.nuisance[f"scale_{k}"] for k in range(len(wls))}
    return replace(out, nuisance=nuisance)


__all__ = ["fit_orientation", "film_on_glass", "ISOTROPIC"]
