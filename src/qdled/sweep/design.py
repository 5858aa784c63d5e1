"""Sweep designs: axes from ``KEY=start:stop:step`` specifications, grids and space-filling samples."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError

#: Most points one sweep may hold. The count is checked before anything is allocated: a stack point
#: costs ~28 ms of one core (35 points/s, ``benchmarks/bench_sweep.py``) and a recipe point ~1 s (a
#: population-balance run), so a million points is already ~8 core-hours (stacks) to ~12 core-days
#: (recipes); a larger count is nearly always a typo (a step of 1e-9 instead of 1), not a plan, and
#: would first try to allocate the whole design in memory (a step of 1e-9 over 10-60 nm: 373 GiB).
MAX_POINTS = 1_000_000


def check_n_points(n: float, what: str) -> int:
    """Refuse a design of more than :data:`MAX_POINTS` points (``what`` names the input that asked for it)."""
    if not n <= MAX_POINTS:  # also an overflowed (inf) count
        raise InputError(f"{what} gives {n:.4g} points, more than the limit of {MAX_POINTS:,} per sweep")
    return int(n)


@dataclass(frozen=True)
class Axis:
    """One varied parameter: its key (e.g. ``"QD.thickness_nm"``), grid values and bounds."""

    key: str
    values: tuple[float, ...]

    @property
    def bounds(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))


def parse_vary(spec: str) -> Axis:
    """Parse ``"KEY=start:stop:step"`` (stop included when on the grid) or ``"KEY=v1,v2,..."``.

    Examples
    --------
    >>> parse_vary("PO-T2T.thickness_nm=20:30:5").values
    (20.0, 25.0, 30.0)
    """
    key, sep, rhs = spec.partition("=")
    key, rhs = key.strip(), rhs.strip()
    if not sep or not key or not rhs:
        raise InputError(f"--vary {spec!r}: expected KEY=start:stop:step or KEY=v1,v2,...")
    try:
        if ":" in rhs:
            parts = [float(x) for x in rhs.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if not all(math.isfinite(x) for x in parts):
                raise InputError(f"--vary {spec!r}: start, stop and step must be finite")
            if step <= 0 or stop < start:
                raise InputError(f"--vary {spec!r}: need step > 0 and stop >= start")
            ratio = (stop - start) / step  # the count, checked before anything is allocated
            check_n_points(ratio + 1, f"--vary {spec!r}")
            n = math.floor(ratio + 1e-9) + 1
            values = start + step * np.arange(n)
        else:
            values = np.array([float(x) for x in rhs.split(",")])
    except InputError:
        raise
    except ValueError:
        raise InputError(f"--vary {spec!r}: values must be numbers") from None
    if not np.all(np.isfinite(values)):
        raise InputError(f"--vary {spec!r}: values must be finite")
    return Axis(key, tuple(float(np.round(v, 12)) for v in values))


def grid_design(axes: list[Axis]) -> np.ndarray:
    """All combinations of the axes' values, shape (n_points, n_axes), C order (last axis fastest)."""
    if not axes:
        raise InputError("a sweep needs at least one --vary")
    check_n_points(
        math.prod(len(a.values) for a in axes),
        "the grid of the --vary axes " + " x ".join(str(len(a.values)) for a in axes),
    )
    mesh = np.meshgrid(*[np.asarray(a.values) for a in axes], indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=-1)


def check_seed(seed) -> int:
    """A random seed for NumPy and SciPy: an integer in 0 .. 2**32 - 1 (what both accept)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise InputError(f"seed must be an integer in 0..{2**32 - 1}, got {seed!r}")
    return int(seed)


def _check_samples(n: int) -> None:
    if int(n) < 1:
        raise InputError(f"--samples must be >= 1, got {n}")
    check_n_points(int(n), f"--samples {n}")


def random_design(axes: list[Axis], n: int, seed: int = 0) -> np.ndarray:
    """``n`` uniform random points within the axes' bounds (reproducible with ``seed``)."""
    _check_samples(n)
    rng = np.random.default_rng(check_seed(seed))
    lo, hi = np.array([a.bounds for a in axes]).T
    return lo + (hi - lo) * rng.random((n, len(axes)))


def latin_hypercube_design(axes: list[Axis], n: int, seed: int = 0) -> np.ndarray:
    """``n`` Latin-hypercube points within the axes' bounds (``scipy.stats.qmc``)."""
    from scipy.stats import qmc

    _check_samples(n)
    lo, hi = np.array([a.bounds for a in axes]).T
    sample = qmc.LatinHypercube(d=len(axes), seed=check_seed(seed)).random(n)
    return lo + (hi - lo) * sample  # per column: an axis with a single value stays fixed, the others vary
