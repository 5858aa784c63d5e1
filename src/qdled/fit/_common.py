"""Shared pieces of the fits: noise models and the lmfit call."""

from __future__ import annotations

import numpy as np

from qdled.errors import InputError

NOISE_MODELS = ("gaussian", "poisson")


def check_sigma(sigma, n: int, what: str = "sigma"):
    """``None``, ``"poisson"`` or a positive array of length ``n`` (returned as array or string)."""
    if sigma is None or (isinstance(sigma, str) and sigma == "poisson"):
        return sigma
    if isinstance(sigma, str):
        raise InputError(f"{what} must be None, 'poisson' or an array, got {sigma!r}")
    s = np.broadcast_to(np.asarray(sigma, dtype=float), (n,))
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise InputError(f"{what} must be finite and > 0")
    return np.array(s)


def noise_note(sigma) -> str:
    """One-line description of a noise model accepted by :func:`check_sigma` (for a fit's notes)."""
    if sigma is None:
        return "noise: equal Gaussian errors, scale from the residuals"
    return "noise: poisson" if isinstance(sigma, str) else "noise: given per point"


def minimize(residual_of, params, sigma, data, model_of, *, max_nfev: int = 2000):
    """Weighted least squares with lmfit (``least_squares``, native bounds, covariance scaled by redchi).

    ``residual_of(params, weights)`` returns ``(model - data) * weights``; ``model_of(params)`` the model.
    ``sigma``: None (uniform weights), an array (absolute), or "poisson": a first unweighted pass, then
    weights ``1/sqrt(model)`` from that pass (Pearson weights, floor at 1 % of the largest model value).
    Returns (lmfit result, sigma used).
    """
    import lmfit

    data = np.asarray(data, dtype=float)
    if sigma is None:
        sig = np.ones_like(data)
    elif isinstance(sigma, str):
        first = lmfit.minimize(residual_of, params, args=(np.ones_like(data),), method="least_squares")
        m = np.abs(model_of(first.params))
        sig = np.sqrt(np.maximum(m, 0.01 * m.max()))
        params = first.params
    else:
        sig = np.asarray(sigma, dtype=float)
    res = lmfit.minimize(
        residual_of, params, args=(1.0 / sig,), method="least_squares", scale_covar=True, max_nfev=max_nfev
    )
    return res, sig


def t95(dof: int) -> float:
    """Two-sided 95 % quantile of Student's t with ``dof`` degrees of freedom (at least 1)."""
    from scipy.stats import t as student_t

    return float(student_t.ppf(0.975, max(int(dof), 1)))


def check_1d(name: str, x, n: int | None = None) -> np.ndarray:
    """A finite 1-D float array (of length ``n`` if given)."""
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if a.ndim != 1 or (n is not None and a.size != n):
        raise InputError(f"{name} must be a 1-D array" + (f" of length {n}" if n is not None else ""))
    if not np.all(np.isfinite(a)):
        raise InputError(f"{name} must be finite")
    return a


def profile_check(result, residual_of, weights, names, tq: float) -> dict:
    """Profile-likelihood check of the Wald intervals: chi-square rise at each interval end.

    For each name, the parameter is fixed at ``value -+ tq * stderr`` (ends outside its bounds are skipped) and
    the others re-optimised; ``(chi2_end - chi2_min) / redchi`` should be ``tq**2`` (~3.84) where the model is
    linear over the interval. Returns ``name -> (rise_low, rise_high)`` (NaN for a skipped end).
    """
    import lmfit

    out = {}
    redchi = float(result.redchi) if result.redchi > 0 else 1.0
    chi2_min = float(result.chisqr)
    for name in names:
        p = result.params[name]
        if not p.vary or p.stderr is None or not np.isfinite(p.stderr) or p.stderr <= 0:
            continue
        rises = []
        for sign in (-1.0, 1.0):
            end = p.value + sign * tq * p.stderr
            if not p.min <= end <= p.max:
                rises.append(float("nan"))
                continue
            trial = result.params.copy()
            trial[name].set(value=end, vary=False)
            if any(q.vary for q in trial.values()):
                r = lmfit.minimize(residual_of, trial, args=(weights,), method="least_squares")
                chi2 = float(r.chisqr)
            else:
                chi2 = float(np.sum(residual_of(trial, weights) ** 2))
            rises.append((chi2 - chi2_min) / redchi)
        out[name] = (rises[0], rises[1])
    return out
