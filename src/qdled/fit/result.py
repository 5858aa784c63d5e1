"""The result of every fit: values, standard errors, 95 % intervals, correlations, identifiability.

Standard errors come from the least-squares covariance ``(J^T J)^-1`` at the optimum (``J`` the Jacobian of
the weighted residuals), scaled by the reduced chi-square (lmfit's ``scale_covar``): with correctly stated
noise the scale is ~1, with unknown noise the residual scatter sets it. The 95 % interval is the Wald interval
``value +- t(0.975, dof) stderr``, clipped to the parameter's physical range (the true value lies inside it).

A parameter is flagged **degenerate** (not identifiable from these data) when the covariance could not be
estimated (singular ``J^T J``), when its unclipped 95 % interval is at least as wide as its whole physical
range (the data do not narrow it down, whatever the point estimate says), or when its correlation with another
free parameter exceeds ``DEGENERATE_CORRELATION`` in magnitude (the data fix only a combination of the two).

References
----------
.. [1] M. Newville et al., LMFIT: Non-Linear Least-Square Minimization and Curve-Fitting for Python, Zenodo,
   doi:10.5281/zenodo.11813 (covariance from the Jacobian, ``scale_covar``).
.. [2] W. H. Press et al., Numerical Recipes, 3rd ed. (CUP, 2007), sec. 15.6 (confidence limits on
   estimated model parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import t as student_t

#: correlations reported when ``|r|`` exceeds this
CORRELATION_REPORT = 0.9
#: a parameter correlated beyond this with another free one is flagged degenerate
DEGENERATE_CORRELATION = 0.999


@dataclass(frozen=True)
class Estimate:
    """One fitted parameter: value, standard error, 95 % interval (clipped to ``bounds``), identifiability."""

    name: str
    value: float
    stderr: float
    ci95: tuple[float, float]
    bounds: tuple[float, float]
    unit: str = ""
    degenerate: bool = False
    at_bound: bool = False
    profile_rise: tuple | None = None

    @property
    def interval_reliable(self) -> bool | None:
        """Whether the profile check (``profile_rise``: chi-square rise at the interval ends, ideally ~3.84)
        supports the Wald interval (both checked ends within a factor 2 of ``t**2``); None if not checked."""
        if self.profile_rise is None:
            return None
        rises = [r for r in self.profile_rise if np.isfinite(r)]
        target = float(student_t.ppf(0.975, 1000)) ** 2
        return all(0.5 * target <= r <= 2 * target for r in rises)

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "stderr": self.stderr,
            "ci95": list(self.ci95),
            "unit": self.unit,
            "degenerate": self.degenerate,
            "at_bound": self.at_bound,
            "interval_reliable": self.interval_reliable,
        }


@dataclass(frozen=True)
class FitResult:
    """Outcome of one fit (see the module docstring for the statistics).

    Attributes
    ----------
    kind : str
        "orientation", "emission-zone", "sizes" or "jvl".
    parameters : dict of str -> Estimate
        The physical parameters (nuisance amplitudes are in ``nuisance``).
    correlations : tuple of (name, name, r)
        Pairs of free parameters with ``|r| > 0.9``.
    redchi, chisqr : float
        Reduced and total chi-square of the weighted residuals.
    n_data, n_free : int
    converged : bool
        The optimiser reported success.
    nuisance : dict of str -> float
        Best values of nuisance parameters (scales, offsets).
    notes : tuple of str
        Assumptions and warnings of this fit (noise model, fixed parameters, ...).
    curves : dict
        Arrays for plots: ``x`` (and ``y2`` axes where relevant), ``data``, ``model``, ``sigma``.
    """

    kind: str
    parameters: dict
    correlations: tuple
    redchi: float
    chisqr: float
    n_data: int
    n_free: int
    converged: bool
    nuisance: dict = field(default_factory=dict)
    notes: tuple = ()
    curves: dict = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, name: str) -> Estimate:
        return self.parameters[name]

    @property
    def degenerate(self) -> tuple:
        """Names of the parameters the data cannot identify."""
        return tuple(k for k, v in self.parameters.items() if v.degenerate)

    def to_dict(self) -> dict:
        """JSON-ready dict (what ``qdled fit ... --json`` prints)."""
        return {
            "kind": self.kind,
            "parameters": {k: v.to_dict() for k, v in self.parameters.items()},
            "correlations_above_0.9": [{"a": a, "b": b, "r": r} for a, b, r in self.correlations],
            "reduced_chi_square": self.redchi,
            "chi_square": self.chisqr,
            "n_data": self.n_data,
            "n_free": self.n_free,
            "converged": self.converged,
            "degenerate": list(self.degenerate),
            "nuisance": dict(self.nuisance),
            "notes": list(self.notes),
        }


def summarise(
    kind: str,
    result,
    physical: dict,
    *,
    n_data: int | None = None,
    notes=(),
    curves=None,
    transforms: dict | None = None,
    n_eliminated: int = 0,
    profile: dict | None = None,
) -> FitResult:
    """Build a :class:`FitResult` from an lmfit ``MinimizerResult``.

    Parameters
    ----------
    physical : dict of name -> (unit, (lo, hi))
        The physical parameters to report and their physical ranges (for the degeneracy test); every other
        free parameter is a nuisance.
    n_data : int, optional
        Number of data points (default ``result.ndata``).
    transforms : dict of name -> (reported name, function, derivative, unit), optional
        Report ``f(p)`` instead of ``p`` (e.g. a log10 mobility as the mobility), error by the delta method.
    profile : dict, optional
        Output of :func:`qdled.fit._common.profile_check` (chi-square rises at the interval ends).
    n_eliminated : int
        Linear parameters solved inside the residual (variable projection): they count against the degrees
        of freedom, and lmfit's redchi-scaled errors are rescaled to the true degrees of freedom (the
        projected Jacobian gives the nonlinear parameters' block of the full covariance).
    """
    params = result.params
    n = int(result.ndata if n_data is None else n_data)
    free = [k for k, p in params.items() if p.vary]
    dof = max(n - len(free) - n_eliminated, 1)
    rescale = float(np.sqrt(max(n - len(free), 1) / dof))  # lmfit scaled the covariance with n - len(free)
    tq = float(student_t.ppf(0.975, dof))
    covariance_ok = bool(getattr(result, "errorbars", False))
    out = {}
    for name, (unit, (lo, hi)) in physical.items():
        p = params[name]
        value = float(p.value)
        err = float(p.stderr) * rescale if (p.vary and covariance_ok and p.stderr is not None) else float("nan")
        if not p.vary:
            err = 0.0
        half = tq * err
        locked = any(abs(r) > DEGENERATE_CORRELATION for r in (p.correl or {}).values())
        degenerate = p.vary and (not np.isfinite(err) or 2 * half >= (hi - lo) or locked)
        ci = (max(value - half, lo), min(value + half, hi)) if np.isfinite(half) else (lo, hi)
        at_bound = p.vary and min(value - p.min, p.max - value) <= 1e-6 * (p.max - p.min)
        report, u = name, unit
        if transforms and name in transforms:
            report, f, df, u = transforms[name]
            value, err, ci = f(value), abs(df(value)) * err, (f(ci[0]), f(ci[1]))
        rise = None if not profile or name not in profile else tuple(float(r) for r in profile[name])
        out[report] = Estimate(
            report, value, err, tuple(float(c) for c in ci), (lo, hi), u, bool(degenerate), at_bound, rise
        )
    corr = []
    for i, a in enumerate(free):
        for b in free[i + 1 :]:
            r = (params[a].correl or {}).get(b)
            if r is not None and abs(r) > CORRELATION_REPORT:
                corr.append((a, b, float(r)))
    nuisance = {k: float(params[k].value) for k in free if k not in physical}
    notes = list(notes)
    for name, e in out.items():
        if e.interval_reliable is False and not e.degenerate:
            lo_r, hi_r = e.profile_rise
            notes.append(
                f"{name}: the chi-square rises by {lo_r:.2g} / {hi_r:.2g} (not ~{tq**2:.2g}) at the ends of its 95 % "
                "interval: the model is not linear there and the interval is approximate"
            )
    chisqr = float(result.chisqr)
    return FitResult(
        kind=kind,
        parameters=out,
        correlations=tuple(corr),
        redchi=chisqr / dof,
        chisqr=chisqr,
        n_data=n,
        n_free=len(free) + n_eliminated,
        converged=bool(result.success),
        nuisance=nuisance,
        notes=tuple(notes),
        curves=dict(curves or {}),
    )


__all__ = ["Estimate", "FitResult", "summarise", "CORRELATION_REPORT"]
