"""Sweep designs: axes from ``KEY=start:stop:step`` specifications, grids and space-filling samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError


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
            if step <= 0 or stop < start:
                raise InputError(f"--vary {spec!r}: need step > 0 and stop >= start")
            n = int(np.floor((stop - start) / step + 1e-9)) + 1
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
    mesh = np.meshgrid(*[np.asarray(a.values) for a in axes], indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=-1)


def random_design(axes: list[Axis], n: int, seed: int = 0) -> np.ndarray:
    """``n`` uniform random points within the axes' bounds (reproducible with ``seed``)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.array([a.bounds for a in axes]).T
    return lo + (hi - lo) * rng.random((n, len(axes)))


def latin_hypercube_design(axes: list[Axis], n: int, seed: int = 0) -> np.ndarray:
    """``n`` Latin-hypercube points within the axes' bounds (``scipy.stats.qmc``)."""
    from scipy.stats import qmc

    lo, hi = np.array([a.bounds for a in axes]).T
    sample = qmc.LatinHypercube(d=len(axes), seed=seed).random(n)
    return lo + (hi - lo) * sample  # per column: an axis with a single value stays fixed, the others vary
