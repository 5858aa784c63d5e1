"""What a sweep point computes: optics of a stack, or the outcome of a synthesis recipe.

An evaluator takes the sweep specification and a block of points (n, n_axes) and returns
{target: array (n,)}; it runs on workers, so it rebuilds the base object from TOML text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from qdled.errors import InputError

@lru_cache(maxsize=8)
def _base_stack(toml_text: str):
    import tomllib

    from qdled.io.stack import stack_from_dict

    return stack_from_dict(tomllib.loads(toml_text), "sweep base stack")


def evaluate_stacks(spec, points: np.ndarray) -> dict[str, np.ndarray]:
    """Optics of the base stack with each point's values applied (at ``options['wavelength_nm']``)."""
    from qdled.optics.sweep import point_values

    base = _base_stack(spec.base_toml)
    keys = [a.key for a in spec.axes]
    wl = float(spec.options.get("wavelength_nm", 628.0))
    out = {t: np.full(len(points), np.nan) for t in spec.targets}
    for i, p in enumerate(points):
        values = point_values(base.with_values(dict(zip(keys, map(float, p)))), wavelength_nm=wl)
        for t in spec.targets:
            out[t][i] = values[t]
    return out


def evaluator(kind: str) -> Callable:
    """The evaluator for sweep ``kind`` (``"stack"`` or ``"recipe"``)."""
    if kind == "stack":
        return evaluate_stacks
    raise InputError(f"unknown sweep kind {kind!r}")


def check_targets(kind: str, targets) -> tuple[str, ...]:
    """Validate target names for ``kind``."""
    from qdled.optics.sweep import VARIABLES as allowed

    bad = [t for t in targets if t not in allowed]
    if bad:
        raise InputError(f"unknown --target {bad[0]!r} for a {kind} sweep; choose from {', '.join(allowed)}")
    return tuple(targets)
