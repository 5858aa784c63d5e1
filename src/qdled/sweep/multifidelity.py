"""Multi-fidelity device sweeps: drift-diffusion on a coarse grid, the compact model corrected in between.

A device sweep over layer thicknesses with the drift-diffusion (DD) device
(:func:`qdled.device.chain.simulate_stack_drift_diffusion`, ~2-5 s a stack) costs hours on a fine grid; the
compact series model (:func:`qdled.device.chain.simulate_stack`, ~0.2-0.4 s a stack) is the fast surrogate
(issue 17, item 6), fitted to the DD device's luminance maximum and peak EQE on the default stack
(:mod:`qdled.device.calibration`), but away from it the two differ (the compact model turns on ~1.5 V earlier,
and its thickness dependences are its own). :func:`multifidelity_sweep` therefore

1. solves the DD device on a coarse sub-grid of the fine grid (``coarse`` values per axis, taken from the fine
   axis values, both ends included),
2. runs the compact model on every point of the fine grid,
3. corrects the compact model by the DD/compact discrepancy measured at the coarse points and interpolated over
   the coarse grid (:func:`corrected_surrogate`):

   * multiplicative (``f_DD = f_compact exp(delta)``, ``delta = ln f_DD - ln f_compact`` interpolated) for the
     positive, factor-like targets (peak EQE, maximum luminance, current density): outcoupling, charge balance
     and exciton yield enter both models as factors, the current densities of the two differ by a nearly
     constant factor while spanning an order of magnitude, and the corrected value stays positive;
   * additive (``delta = f_DD - f_compact``) for the voltage at maximum luminance, where the models differ by
     an offset (the DD device's built-in and interface drops);

   which is the autoregressive model of Kennedy & O'Hagan [1]_ with scale ``rho = 1`` (in log space for the
   multiplicative targets) and the discrepancy ``delta(x)`` interpolated deterministically (a tensor cubic
   spline with >= 4 coarse values per axis, else piecewise linear) instead of by a Gaussian process: on a tensor
   grid of 3-5 values per axis a GP's hyperparameters are poorly determined, and the interpolant reproduces the
   DD values at the coarse points exactly (the interpolation property tested in
   ``tests/test_sweep_multifidelity.py``). The additive and multiplicative ("beta") corrections are the
   standard pair of the variable-fidelity literature [2]_ [3]_ [4]_. Measured (``benchmarks/bench_multifidelity.py``,
   PO-T2T x QD thickness): with the cubic interpolant the two corrections are equally accurate for peak EQE and
   maximum luminance (0.3 % and 0.8 % at the held-out points of a 5 x 5 grid), and the multiplicative one is 16x
   better for the current density (0.18 % against 2.9 %: the two models' currents differ by a nearly constant
   factor ~0.42 while spanning an order of magnitude over QD thickness); with linear interpolation the additive
   correction is ~2x better for EQE and luminance, the multiplicative one 20x better for current;
4. reports the surrogate's error against real DD solves at held-out points: the centres of the coarse cells
   (the midpoint of each coarse interval on every axis, taken on the fine grid), where an interpolated
   correction is least constrained. Max and RMS relative errors per target (and those of the uncorrected
   compact model at the same points, for scale) go into the Dataset's attributes.

Every output is marked :data:`MODEL_LABEL`. Unlike :func:`qdled.sweep.run_sweep`, a multi-fidelity sweep is
not checkpointed (its DD points are few and solved first).

References
----------
.. [1] Kennedy, M. C. & O'Hagan, A., "Predicting the output from a complex computer code when fast
   approximations are available", Biometrika 87, 1-13 (2000).
.. [2] Haftka, R. T., "Combining global and local approximations", AIAA J. 29, 1523-1525 (1991).
.. [3] Eldred, M. S., Giunta, A. A., Collis, S. S., Alexandrov, N. A. & Lewis, R. M., "Second-order corrections
   for surrogate-based optimization with model hierarchies", AIAA 2004-4457 (2004).
.. [4] Peherstorfer, B., Willcox, K. & Gunzburger, M., "Survey of multifidelity methods in uncertainty
   propagation, inference, and optimization", SIAM Rev. 60, 550-591 (2018).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable, Sequence

import numpy as np

from qdled.errors import ConvergenceError, InputError, require_finite_positive
from qdled.sweep.design import Axis, check_n_points, grid_design, parse_vary

__all__ = [
    "CORRECTIONS",
    "MAX_DD_POINTS",
    "MODEL_LABEL",
    "TARGETS",
    "coarse_axes",
    "corrected_surrogate",
    "device_targets",
    "holdout_axes",
    "multifidelity_sweep",
    "surrogate_error",
]

#: How the outputs of a multi-fidelity sweep are marked (Dataset attribute ``model``, CLI output).
MODEL_LABEL = "drift-diffusion (coarse) + compact surrogate (corrected)"

#: Targets of a device sweep: peak EQE (fraction), maximum luminance [cd/m^2], the voltage of maximum luminance
#: [V] (vertex of the parabola through the three grid voltages around the maximum, so that it does not move in
#: steps of the voltage grid; the grid's end where the luminance does not turn over) and the current density
#: [mA/cm^2] at a fixed voltage (log-linear between grid voltages).
TARGETS = ("peak_eqe", "max_luminance_cd_m2", "voltage_at_max_luminance_V", "current_density_at_fixed_voltage_mA_cm2")

#: Correction of the compact model per target (module docstring): ``multiplicative`` or ``additive``.
CORRECTIONS = {
    "peak_eqe": "multiplicative",
    "max_luminance_cd_m2": "multiplicative",
    "voltage_at_max_luminance_V": "additive",
    "current_density_at_fixed_voltage_mA_cm2": "multiplicative",
}

_UNITS = {
    "peak_eqe": "1",
    "max_luminance_cd_m2": "cd m-2",
    "voltage_at_max_luminance_V": "V",
    "current_density_at_fixed_voltage_mA_cm2": "mA cm-2",
}

#: Most drift-diffusion solves (coarse and held-out points) one sweep may ask for: at 2-5 s each, 500 solves are
#: 0.3-0.7 core-hours; more means a coarse grid that is not coarse (a 2-D sweep at 22 values per axis).
MAX_DD_POINTS = 500

#: Interpolants of the correction over the coarse grid (:class:`scipy.interpolate.RegularGridInterpolator`) and
#: the fewest coarse values per axis each needs.
METHODS = {"linear": 2, "cubic": 4}

#: Compact-model points per task (a DD point is one task: it costs ~10 compact points).
COMPACT_CHUNK = 8


def _check_int(name: str, value, lowest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lowest:
        raise InputError(f"{name} must be an integer >= {lowest}, got {value!r}")
    return int(value)


def coarse_indices(n_fine: int, n_coarse: int) -> np.ndarray:
    """Indices of ``n_coarse`` nearly evenly spaced values among ``n_fine`` (both ends included)."""
    return np.unique(np.round(np.linspace(0, n_fine - 1, n_coarse)).astype(int))


def coarse_axes(axes: Sequence[Axis], coarse: int) -> tuple[Axis, ...]:
    """The coarse grid: ``coarse`` values of each fine axis, nearly evenly spaced, ends included.

    The coarse values are fine-grid values, so every coarse point is a point of the fine grid.

    Raises
    ------
    InputError
        ``coarse`` < 2, or an axis with fewer than ``coarse`` values.
    """
    coarse = _check_int("coarse", coarse, 2)
    out = []
    for a in axes:
        if len(a.values) < coarse:
            raise InputError(
                f"coarse {coarse}: axis {a.key} has only {len(a.values)} values; the fine grid needs at least as "
                "many values per axis as the coarse grid"
            )
        vals = np.asarray(a.values)
        out.append(Axis(a.key, tuple(float(v) for v in vals[coarse_indices(len(vals), coarse)])))
    return tuple(out)


def holdout_axes(axes: Sequence[Axis], coarse: Sequence[Axis]) -> tuple[Axis, ...] | None:
    """Held-out values per axis: the fine value nearest the middle of each coarse interval that has a fine
    value strictly inside it; an axis whose coarse values are all its fine values keeps the coarse values.

    The held-out points (all combinations) are the centres of the coarse cells. Returns ``None`` when no axis has
    an interior value (the coarse grid is the fine grid: nothing is interpolated, nothing to hold out).
    """
    out, interior = [], False
    for a, c in zip(axes, coarse, strict=True):
        vals = np.asarray(a.values)
        idx = [int(np.flatnonzero(vals == v)[0]) for v in c.values]
        mids = [(i + j) // 2 for i, j in zip(idx[:-1], idx[1:], strict=False) if j - i >= 2]
        interior |= bool(mids)
        out.append(Axis(a.key, tuple(float(vals[m]) for m in mids)) if mids else c)
    return tuple(out) if interior else None


def _log_interp(x: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """``ys(x)`` linear in log y between the bracketing grid points where both are positive, else linear."""
    k = int(np.clip(np.searchsorted(xs, x), 1, xs.size - 1))
    (x0, x1), (y0, y1) = xs[k - 1 : k + 1], ys[k - 1 : k + 1]
    t = (x - x0) / (x1 - x0)
    if y0 > 0 and y1 > 0:
        return float(np.exp((1 - t) * np.log(y0) + t * np.log(y1)))
    return float((1 - t) * y0 + t * y1)


def _vertex_voltage(v: np.ndarray, lum: np.ndarray) -> float:
    """Voltage of maximum luminance: vertex of the parabola through the grid maximum and its neighbours."""
    k = int(np.nanargmax(lum))
    if k == 0 or k == v.size - 1 or not np.all(np.isfinite(lum[k - 1 : k + 2])):
        return float(v[k])
    (a, b, c), (fa, fb, fc) = v[k - 1 : k + 2], lum[k - 1 : k + 2]
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    if den == 0:
        return float(b)
    vx = b - 0.5 * ((b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)) / den
    return float(np.clip(vx, a, c))


def device_targets(result, fixed_voltage_V: float) -> dict[str, float]:
    """The sweep targets (:data:`TARGETS`) of one :class:`qdled.device.DeviceResult`.

    ``peak_eqe`` and ``max_luminance_cd_m2`` are those of ``result.figures_of_merit()``;
    ``voltage_at_max_luminance_V`` is refined between grid voltages (see :data:`TARGETS`);
    ``current_density_at_fixed_voltage_mA_cm2`` is taken at ``fixed_voltage_V`` [V].

    Raises
    ------
    InputError
        ``fixed_voltage_V`` outside the result's voltage range.
    """
    v = np.asarray(result.voltage_V, float)
    if not v[0] <= fixed_voltage_V <= v[-1]:
        raise InputError(f"fixed_voltage_V {fixed_voltage_V} is outside the voltages {v[0]}-{v[-1]} V solved")
    eqe, lum = np.asarray(result.eqe, float), np.asarray(result.luminance_cd_m2, float)
    return {
        "peak_eqe": float(eqe[int(np.nanargmax(eqe))]),
        "max_luminance_cd_m2": float(lum[int(np.nanargmax(lum))]),
        "voltage_at_max_luminance_V": _vertex_voltage(v, lum),
        "current_density_at_fixed_voltage_mA_cm2": _log_interp(
            fixed_voltage_V, v, np.asarray(result.current_density_mA_cm2, float)
        ),
    }


def corrected_surrogate(
    coarse_values: Sequence[np.ndarray],
    high_coarse: np.ndarray,
    low_coarse: np.ndarray,
    points: np.ndarray,
    low_points: np.ndarray,
    *,
    correction: str = "multiplicative",
    method: str = "linear",
) -> np.ndarray:
    """The cheap model at ``points`` corrected by the expensive/cheap discrepancy interpolated over a coarse grid.

    Parameters
    ----------
    coarse_values : sequence of 1-D arrays
        The coarse grid's values per axis (increasing).
    high_coarse, low_coarse : array, shape (len(coarse_values[0]), len(coarse_values[1]), ...)
        The expensive (high-fidelity) and cheap (low-fidelity) model on the coarse grid.
    points : array, shape (n, n_axes)
        Where to predict (inside the coarse grid's bounds).
    low_points : array, shape (n,)
        The cheap model at ``points``.
    correction : {"multiplicative", "additive"}
        ``high = low * exp(delta)`` with ``delta = ln(high / low)`` (both models positive), or
        ``high = low + delta`` with ``delta = high - low``; ``delta`` interpolated over the coarse grid.
    method : {"linear", "cubic"}
        Interpolant of ``delta`` (:class:`scipy.interpolate.RegularGridInterpolator`; cubic needs >= 4 coarse
        values per axis).

    Returns
    -------
    array, shape (n,)
        The corrected surrogate; equal to ``high_coarse`` at the coarse points (to rounding).

    References
    ----------
    .. [1] Kennedy, M. C. & O'Hagan, A., Biometrika 87, 1-13 (2000): ``f_high = rho f_low + delta``.
    .. [2] Haftka, R. T., AIAA J. 29, 1523 (1991): the multiplicative (scaling) correction.
    """
    from scipy.interpolate import RegularGridInterpolator
    from scipy.sparse.linalg import spsolve

    if correction not in ("multiplicative", "additive"):
        raise InputError(f"correction must be 'multiplicative' or 'additive', got {correction!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    grid = tuple(np.asarray(c, float) for c in coarse_values)
    hi, lo = np.asarray(high_coarse, float), np.asarray(low_coarse, float)
    pts, lo_pts = np.atleast_2d(np.asarray(points, float)), np.asarray(low_points, float)
    shape = tuple(g.size for g in grid)
    if hi.shape != shape or lo.shape != shape:
        raise InputError(f"high_coarse and low_coarse must have the coarse grid's shape {shape}")
    if pts.shape[1] != len(grid) or lo_pts.shape != (pts.shape[0],):
        raise InputError(f"points must be (n, {len(grid)}) and low_points (n,)")
    if any(g.size < METHODS[method] for g in grid):
        raise InputError(f"method {method!r} needs at least {METHODS[method]} coarse values per axis, got {shape}")
    for name, arr in (("high_coarse", hi), ("low_coarse", lo), ("low_points", lo_pts)):
        if not np.all(np.isfinite(arr)):
            raise InputError(f"{name} must be finite")
        if correction == "multiplicative" and np.any(arr <= 0):
            raise InputError(f"{name} must be > 0 for a multiplicative correction")
    delta = np.log(hi) - np.log(lo) if correction == "multiplicative" else hi - lo
    lo_b, hi_b = np.array([g[0] for g in grid]), np.array([g[-1] for g in grid])
    if np.any(pts < lo_b - 1e-9 * np.abs(lo_b)) or np.any(pts > hi_b + 1e-9 * np.abs(hi_b)):
        raise InputError("points must lie within the coarse grid's bounds (no extrapolation)")
    # cubic: a tensor not-a-knot spline; its collocation system solved directly (scipy's default iterative
    # solver stops at ~1e-6 and would lose the interpolation property)
    kw = {"solver": spsolve} if method == "cubic" else {}
    interp = RegularGridInterpolator(grid, delta, method=method, **kw)
    d = interp(np.clip(pts, lo_b, hi_b))
    return lo_pts * np.exp(d) if correction == "multiplicative" else lo_pts + d


def surrogate_error(surrogate: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Relative (``|s - r| / |r|``) and absolute errors of ``surrogate`` against ``reference``: max and RMS."""
    s, r = np.asarray(surrogate, float).ravel(), np.asarray(reference, float).ravel()
    if s.shape != r.shape or s.size == 0:
        raise InputError("surrogate and reference must be non-empty arrays of the same size")
    err = s - r
    rel = np.abs(err) / np.abs(r)
    return {
        "max_relative": float(np.max(rel)),
        "rms_relative": float(np.sqrt(np.mean(rel**2))),
        "max_absolute": float(np.max(np.abs(err))),
        "rms_absolute": float(np.sqrt(np.mean(err**2))),
        "n_points": int(s.size),
    }


@dataclass(frozen=True)
class _Task:
    """What a worker needs (small and picklable: the stack travels as TOML text, the points as their axes)."""

    base_toml: str
    device: str
    axes: tuple[Axis, ...]
    coarse: tuple[Axis, ...]
    holdout: tuple[Axis, ...] | None
    voltage_V: tuple[float, ...]
    fixed_voltage_V: float

    def items(self) -> list[tuple[str, np.ndarray]]:
        """Work items: one per drift-diffusion point (coarse, then held out), then blocks of compact points."""
        return _items(self)


@lru_cache(maxsize=4)
def _items(task: _Task) -> list[tuple[str, np.ndarray]]:
    dd = list(_points(task.coarse)) + (list(_points(task.holdout)) if task.holdout else [])
    fine = _points(task.axes)
    return [("dd", p[None, :]) for p in dd] + [
        ("compact", fine[i : i + COMPACT_CHUNK]) for i in range(0, len(fine), COMPACT_CHUNK)
    ]


def _evaluate(task: _Task, i: int) -> tuple[dict[str, np.ndarray], float]:
    """Targets of work item ``i`` (model ``"dd"`` or ``"compact"`` on its points) and its wall time [s]."""
    from qdled.device.chain import simulate_stack, simulate_stack_drift_diffusion
    from qdled.sweep.targets import _base_stack

    model, points = task.items()[i]
    base = _base_stack(task.base_toml)
    keys = [a.key for a in task.axes]
    out = {t: np.full(len(points), np.nan) for t in (*TARGETS, "turns_over")}
    t0 = time.perf_counter()
    for k, p in enumerate(points):
        values = dict(zip(keys, map(float, p), strict=True))
        stack = base.with_values(values)
        if model == "dd":
            try:
                res = simulate_stack_drift_diffusion(stack, task.device, voltage_V=np.asarray(task.voltage_V)).result
            except ConvergenceError as exc:
                raise ConvergenceError(f"drift-diffusion at {values}: {exc}") from exc
        else:
            res = simulate_stack(stack, task.device).result
        for t, v in device_targets(res, task.fixed_voltage_V).items():
            out[t][k] = v
        k_max = int(np.nanargmax(res.luminance_cd_m2))
        out["turns_over"][k] = float(0 < k_max < len(res.voltage_V) - 1)
    return out, time.perf_counter() - t0


def _points(axes: Sequence[Axis]) -> np.ndarray:
    return grid_design(list(axes))


def multifidelity_sweep(
    vary: Sequence[str | Axis],
    *,
    stack=None,
    device: str = "li2024-nsa-pf6",
    coarse: int = 4,
    method: str = "auto",
    corrections: dict[str, str] | None = None,
    fixed_voltage_V: float = 5.0,
    voltage_V=None,
    holdout: bool = True,
    executor=None,
    progress: Callable[[int, int], None] | None = None,
):
    """Device sweep over a grid of stack values: drift-diffusion on a coarse sub-grid, the compact model corrected
    in between, and the surrogate's error at held-out drift-diffusion points.

    Parameters
    ----------
    vary : sequence of str or Axis
        The fine grid: ``"KEY=start:stop:step"`` / ``"KEY=v1,v2,..."`` (:func:`qdled.sweep.parse_vary`), each key
        once and at least ``coarse`` values each, e.g. ``"PO-T2T.thickness_nm=20:80:5"``.
    stack : qdled.io.stack.Stack or str or path, optional
        Base stack (object, file or built-in name; default the paper's).
    device : str
        Parameter set of the device (``"li2024-nsa-pf6"`` or ``"li2024-control"``).
    coarse : int
        Drift-diffusion values per axis (>= 2; >= 4 for ``method="cubic"``), taken from the fine values with
        both ends included.
    method : {"auto", "linear", "cubic"}
        Interpolant of the correction over the coarse grid (:func:`corrected_surrogate`); ``"auto"``: cubic with
        >= 4 coarse values per axis, else linear (cubic was 2-7x more accurate than linear at the held-out
        points of ``benchmarks/bench_multifidelity.py``, see benchmarks/README.md).
    corrections : dict, optional
        ``{target: "multiplicative" | "additive"}`` overriding :data:`CORRECTIONS` for the targets given.
    fixed_voltage_V : float
        Voltage [V] of the target ``current_density_at_fixed_voltage_mA_cm2``.
    voltage_V : array, optional
        Voltages [V] of the drift-diffusion J-V sweeps (default :data:`qdled.device.chain.DD_VOLTAGE_V`, 0-8 V
        in 0.1 V steps); fewer voltages are cheaper. The compact model uses its own grid (0-8 V, 20 mV).
    holdout : bool
        Also solve drift-diffusion at the centres of the coarse cells (:func:`holdout_axes`) and report the
        surrogate's error there ((coarse - 1)^n_axes more solves).
    executor : optional
        From :func:`qdled.sweep.executors.make_executor` (default serial, in this process).
    progress : callable, optional
        Called as ``progress(done_points, total_points)``.

    Returns
    -------
    xarray.Dataset
        On the fine grid (one dim per key): each target of :data:`TARGETS` as the corrected surrogate, and
        ``<target>_compact`` (the compact model alone); ``is_dd_point`` (1 at coarse points). On the coarse grid
        (dims ``coarse_<key>``): ``<target>_dd``. At the held-out points (dims ``holdout_<key>``):
        ``<target>_dd_holdout`` and ``<target>_surrogate_holdout``. Attributes: ``model`` (:data:`MODEL_LABEL`),
        ``surrogate_error`` (JSON: per target, max/RMS relative and absolute error of the corrected surrogate
        and of the uncorrected compact model at the held-out points), per-target ``surrogate_max_relative_error``
        and ``surrogate_rms_relative_error``, the cost (``dd_seconds_per_point``, ``compact_seconds_per_point``,
        ``full_dd_estimate_s``: what drift-diffusion on every fine point would take at the measured rate) and the
        specification ``qdled_sweep`` (JSON).

    Raises
    ------
    InputError
        A bad key, bound, device, ``coarse``, ``method``, voltage or more than :data:`MAX_DD_POINTS` solves.
    ConvergenceError
        The drift-diffusion solver failed at a point (the message names the point and the voltage).

    References
    ----------
    .. [1] Kennedy, M. C. & O'Hagan, A., Biometrika 87, 1-13 (2000).
    .. [2] Haftka, R. T., AIAA J. 29, 1523-1525 (1991).
    .. [3] Eldred, M. S. et al., AIAA 2004-4457 (2004).

    Examples
    --------
    >>> ds = multifidelity_sweep(["PO-T2T.thickness_nm=20:80:5"], coarse=4)  # doctest: +SKIP
    >>> ds["peak_eqe"], ds.attrs["surrogate_error"]  # doctest: +SKIP
    """
    import xarray as xr

    from qdled.device.chain import DD_VOLTAGE_V, chain_pl
    from qdled.device.parameters import DEVICE_NAMES
    from qdled.io.stack import Stack, load_stack
    from qdled.sweep.runner import _var

    if device not in DEVICE_NAMES:
        raise InputError(f"device must be one of {', '.join(DEVICE_NAMES)}, got {device!r}")
    if method != "auto" and method not in METHODS:
        raise InputError(f"method must be auto, {' or '.join(METHODS)}, got {method!r}")
    coarse = _check_int("coarse", coarse, METHODS.get(method, 2))
    if method == "auto":
        method = "cubic" if coarse >= METHODS["cubic"] else "linear"
    corrections = {**CORRECTIONS, **(corrections or {})}
    bad = [k for k, v in corrections.items() if k not in TARGETS or v not in ("multiplicative", "additive")]
    if bad:
        raise InputError(
            f"corrections: {bad[0]!r}: {corrections[bad[0]]!r}; targets are {', '.join(TARGETS)}, corrections "
            "multiplicative or additive"
        )
    fixed_voltage_V = require_finite_positive("fixed_voltage_V", fixed_voltage_V)
    volts = np.asarray(DD_VOLTAGE_V if voltage_V is None else voltage_V, float)
    if volts.ndim != 1 or volts.size < 3 or not np.all(np.isfinite(volts)) or np.any(np.diff(volts) <= 0):
        raise InputError("voltage_V must be at least 3 finite, increasing voltages")
    if not volts[0] <= fixed_voltage_V <= min(volts[-1], 8.0):  # 8 V: the end of the compact model's grid
        raise InputError(f"fixed_voltage_V {fixed_voltage_V} must lie within voltage_V ({volts[0]}-{volts[-1]} V)")
    if isinstance(vary, (str, Axis)):
        vary = [vary]
    axes = tuple(a if isinstance(a, Axis) else parse_vary(a) for a in vary)
    if not axes:
        raise InputError("vary: a sweep needs at least one axis")
    keys = tuple(a.key for a in axes)
    if len(set(keys)) != len(keys):
        raise InputError(f"vary: each key may appear once, got {list(keys)}")
    for a in axes:
        if list(a.values) != sorted(set(a.values)):
            raise InputError(f"vary {a.key}: values must increase")
    base = stack if isinstance(stack, Stack) else load_stack(stack)
    for end in (0, 1):  # a bad key or an out-of-range bound fails here, not in a worker
        base.with_values({a.key: a.bounds[end] for a in axes})
    fine = _points(axes)  # checks the fine grid's size (MAX_POINTS)
    c_axes = coarse_axes(axes, coarse)
    h_axes = holdout_axes(axes, c_axes) if holdout else None
    c_pts = _points(c_axes)
    h_pts = _points(h_axes) if h_axes is not None else np.empty((0, len(axes)))
    n_dd = check_n_points(len(c_pts) + len(h_pts), "the coarse and held-out drift-diffusion points")
    if n_dd > MAX_DD_POINTS:
        raise InputError(
            f"coarse {coarse} asks for {n_dd} drift-diffusion solves ({len(c_pts)} coarse, {len(h_pts)} held out), "
            f"more than {MAX_DD_POINTS}; use fewer coarse values or axes"
        )
    chain_pl(device)  # the film PL (synthesis + dots, ~2 s) once here: forked pool workers inherit it

    task = _Task(base.to_toml(), device, axes, c_axes, h_axes, tuple(float(v) for v in volts), float(fixed_voltage_V))
    items = task.items()
    total = len(c_pts) + len(h_pts) + len(fine)
    results: dict[int, tuple[dict, float]] = {}
    done = 0
    if progress:
        progress(0, total)
    from qdled.sweep.executors import SerialExecutor

    executor = executor or SerialExecutor()
    if getattr(executor, "name", "") != "dask":
        from qdled.sweep.executors import warm_up

        warm_up()  # optical constants loaded once here, inherited by forked workers
    t_wall = time.perf_counter()
    for i, res in executor.map_unordered(partial(_evaluate, task), range(len(items))):
        results[i] = res
        done += len(items[i][1])
        if progress:
            progress(done, total)
    t_wall = time.perf_counter() - t_wall

    def gather(lo: int, hi: int) -> dict[str, np.ndarray]:
        return {
            t: np.concatenate([np.empty(0)] + [results[i][0][t] for i in range(lo, hi)])
            for t in (*TARGETS, "turns_over")
        }

    n_c, n_h = len(c_pts), len(h_pts)
    dd_c, dd_h, comp = gather(0, n_c), gather(n_c, n_c + n_h), gather(n_c + n_h, len(items))
    dd_time = sum(results[i][1] for i in range(n_c + n_h))
    comp_time = sum(results[i][1] for i in range(n_c + n_h, len(items)))

    fshape, cshape = tuple(len(a.values) for a in axes), tuple(len(a.values) for a in c_axes)
    fine_index = {tuple(p): k for k, p in enumerate(fine)}
    c_in_fine = np.array([fine_index[tuple(p)] for p in c_pts])
    h_in_fine = np.array([fine_index[tuple(p)] for p in h_pts], dtype=int)
    surrogate, errors = {}, {}
    for t in TARGETS:
        surrogate[t] = corrected_surrogate(
            [np.asarray(a.values) for a in c_axes],
            dd_c[t].reshape(cshape),
            comp[t][c_in_fine].reshape(cshape),
            fine,
            comp[t],
            correction=corrections[t],
            method=method,
        )
        if n_h:
            errors[t] = {
                "correction": corrections[t],
                "surrogate": surrogate_error(surrogate[t][h_in_fine], dd_h[t]),
                "compact_uncorrected": surrogate_error(comp[t][h_in_fine], dd_h[t]),
            }

    fdims = [_var(k) for k in keys]
    cdims, hdims = [f"coarse_{d}" for d in fdims], [f"holdout_{d}" for d in fdims]

    def coord(dim, a):
        return (dim, np.asarray(a.values), {"key": a.key, "units": _axis_units(a.key)})

    coords = {d: coord(d, a) for d, a in zip(fdims, axes, strict=True)}
    coords.update({d: coord(d, a) for d, a in zip(cdims, c_axes, strict=True)})
    if n_h:
        coords.update({d: coord(d, a) for d, a in zip(hdims, h_axes, strict=True)})
    data = {}
    for t in TARGETS:
        attrs = {"units": _UNITS[t], "model": MODEL_LABEL, "correction": corrections[t], "interpolation": method}
        if t in errors:
            attrs["surrogate_max_relative_error"] = errors[t]["surrogate"]["max_relative"]
            attrs["surrogate_rms_relative_error"] = errors[t]["surrogate"]["rms_relative"]
        if t == "current_density_at_fixed_voltage_mA_cm2":
            attrs["fixed_voltage_V"] = float(fixed_voltage_V)
        data[t] = (fdims, surrogate[t].reshape(fshape), attrs)
        data[f"{t}_compact"] = (fdims, comp[t].reshape(fshape), {"units": _UNITS[t], "model": "compact"})
        data[f"{t}_dd"] = (cdims, dd_c[t].reshape(cshape), {"units": _UNITS[t], "model": "drift-diffusion"})
        if n_h:
            hshape = tuple(len(a.values) for a in h_axes)
            data[f"{t}_dd_holdout"] = (hdims, dd_h[t].reshape(hshape), {"units": _UNITS[t], "model": "drift-diffusion"})
            data[f"{t}_surrogate_holdout"] = (
                hdims,
                surrogate[t][h_in_fine].reshape(hshape),
                {"units": _UNITS[t], "model": MODEL_LABEL},
            )
    flat = {
        "luminance_turns_over_dd": (cdims, dd_c["turns_over"].astype(np.int8).reshape(cshape)),
        "luminance_turns_over_compact": (fdims, comp["turns_over"].astype(np.int8).reshape(fshape)),
    }
    note = "1 where the luminance peaks inside the voltage grid; 0: voltage_at_max_luminance_V is the grid's end"
    for name, (dims, v) in flat.items():
        data[name] = (dims, v, {"units": "1", "description": note})
    is_dd = np.zeros(len(fine), np.int8)
    is_dd[c_in_fine] = 1
    data["is_dd_point"] = (fdims, is_dd.reshape(fshape), {"units": "1", "description": "1 at coarse points"})
    spec = {
        "kind": "stack",
        "base_toml": base.to_toml(),
        "axes": [{"key": a.key, "values": list(a.values)} for a in axes],
        "coarse": coarse,
        "device": device,
        "method": method,
        "corrections": corrections,
        "fixed_voltage_V": float(fixed_voltage_V),
        "dd_voltage_V": [float(v) for v in volts],
        "holdout": bool(holdout),
    }
    n_fine = len(fine)
    dd_per_point = dd_time / max(n_c + n_h, 1)
    ds_attrs = {
        "model": MODEL_LABEL,
        "kind": "stack",
        "design": "grid",
        "qdled_sweep": json.dumps(spec, sort_keys=True),
        "n_fine_points": n_fine,
        "n_dd_coarse_points": n_c,
        "n_dd_holdout_points": n_h,
        "holdout": "centres of the coarse cells" if n_h else "none",
        "n_dd_points_without_luminance_maximum": int(np.sum(dd_c["turns_over"] == 0) + np.sum(dd_h["turns_over"] == 0)),
        "surrogate_error": json.dumps(errors, sort_keys=True),
        "dd_seconds_per_point": dd_per_point,
        "compact_seconds_per_point": comp_time / n_fine,
        "evaluation_seconds": dd_time + comp_time,
        "wall_seconds": t_wall,
        "full_dd_estimate_s": dd_per_point * n_fine,
        "references": "Kennedy & O'Hagan, Biometrika 87, 1 (2000); Haftka, AIAA J. 29, 1523 (1991)",
    }
    return xr.Dataset(data, coords=coords, attrs=ds_attrs)


def _axis_units(key: str) -> str:
    from qdled.sweep.runner import _units

    return _units(key)


def summary(ds) -> dict:
    """JSON-ready summary of a multi-fidelity Dataset: model label, point counts, cost and surrogate error."""
    a = ds.attrs
    out = {
        "model": a["model"],
        "n_fine_points": int(a["n_fine_points"]),
        "n_dd_points": int(a["n_dd_coarse_points"]) + int(a["n_dd_holdout_points"]),
        "dd_seconds_per_point": float(a["dd_seconds_per_point"]),
        "compact_seconds_per_point": float(a["compact_seconds_per_point"]),
        "evaluation_seconds": float(a["evaluation_seconds"]),
        "full_dd_estimate_s": float(a["full_dd_estimate_s"]),
        "surrogate_error": json.loads(a["surrogate_error"]),
    }
    out["speed_up"] = out["full_dd_estimate_s"] / out["evaluation_seconds"] if out["evaluation_seconds"] else math.nan
    return out
