"""Best stack within bounds: SciPy's differential evolution, evaluations through the sweep machinery.

Each generation's population is evaluated as one batch by the same evaluator and executor as a
sweep (:mod:`qdled.sweep.targets`, :mod:`qdled.sweep.executors`), so a design search runs on a
local pool or a Dask cluster exactly as a sweep does.

References
----------
.. [1] R. Storn and K. Price, J. Global Optim. 11, 341 (1997) (differential evolution).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from qdled.sweep.design import Axis
from qdled.sweep.runner import SweepSpec


@dataclass(frozen=True)
class OptimumResult:
    """The best point found, its target value and the number of evaluations."""

    best: dict[str, float]
    value: float
    n_evaluations: int
    success: bool
    message: str


def _objective_point(spec: SweepSpec, target: str, sign: float, x: np.ndarray) -> float:
    from qdled.sweep.targets import evaluator

    val = evaluator(spec.kind)(spec, np.atleast_2d(x))[target][0]
    return float(sign * val) if np.isfinite(val) else np.inf


def optimize(
    spec: SweepSpec,
    target: str,
    *,
    minimize: bool = False,
    executor=None,
    maxiter: int = 20,
    popsize: int = 8,
    seed: int = 0,
    tol: float = 1e-3,
) -> OptimumResult:
    """Maximise (or minimise) ``target`` over the box spanned by ``spec.axes``' bounds."""
    from scipy.optimize import differential_evolution

    from qdled.sweep.design import check_seed

    seed = check_seed(seed)
    spec = replace(spec, targets=(target,))
    bounds = [a.bounds for a in spec.axes]
    fn = partial(_objective_point, spec, target, 1.0 if minimize else -1.0)
    workers = (
        1
        if executor is None
        else (
            lambda f, xs: [
                r for _, r in sorted(((i, r) for (i, _), r in _indexed(executor, f, xs)), key=lambda t: t[0])
            ]
        )
    )
    res = differential_evolution(
        fn,
        bounds,
        maxiter=maxiter,
        popsize=popsize,
        seed=seed,
        tol=tol,
        polish=False,
        workers=workers,
        updating="deferred" if executor else "immediate",
    )
    best = {a.key: float(v) for a, v in zip(spec.axes, res.x, strict=False)}
    return OptimumResult(
        best, float(res.fun if minimize else -res.fun), int(res.nfev), bool(res.success), str(res.message)
    )


def _call_indexed(f, item):
    return f(item[1])


def _indexed(executor, f, xs):
    items = list(enumerate(xs))
    return executor.map_unordered(partial(_call_indexed, f), items)


__all__ = ["optimize", "OptimumResult", "Axis"]
