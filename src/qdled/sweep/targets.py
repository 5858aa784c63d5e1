"""What a sweep point computes: optics of a stack, or the outcome of a synthesis recipe.

An evaluator takes the sweep specification and a block of points (n, n_axes) and returns
{target: array (n,)}; it runs on workers, so it rebuilds the base object from TOML text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from qdled.errors import InputError

#: Targets of a recipe sweep: final (purified) mean and sd of the edge [nm], PL peak [nm] of the mean
#: size (qdled.dots, calibrated effective optical spread) and the yield (fraction of Cs/Pb in dots).
RECIPE_TARGETS = ("mean_edge_nm", "sd_edge_nm", "pl_peak_nm", "yield_fraction")


@lru_cache(maxsize=8)
def _base_stack(toml_text: str):
    import tomllib

    from qdled.io.stack import stack_from_dict

    return stack_from_dict(tomllib.loads(toml_text), "sweep base stack")


def _over_points(base, spec, points: np.ndarray, compute: Callable) -> dict[str, np.ndarray]:
    """``compute(base.with_values(point)) -> {target: value}`` for every point, as arrays per target."""
    keys = [a.key for a in spec.axes]
    out = {t: np.full(len(points), np.nan) for t in spec.targets}
    for i, p in enumerate(points):
        values = compute(base.with_values(dict(zip(keys, map(float, p), strict=False))))
        for t in spec.targets:
            out[t][i] = values[t]
    return out


def evaluate_stacks(spec, points: np.ndarray) -> dict[str, np.ndarray]:
    """Optics of the base stack with each point's values applied (at ``options['wavelength_nm']``)."""
    from qdled.optics import EL_PEAK_NM
    from qdled.optics.sweep import points_values

    wl = float(spec.options.get("wavelength_nm", EL_PEAK_NM))
    base, keys = _base_stack(spec.base_toml), [a.key for a in spec.axes]
    stacks = [base.with_values(dict(zip(keys, map(float, p), strict=False))) for p in points]
    values = points_values(stacks, wavelength_nm=wl)  # the chunk's stacks solved together (vectorised)
    return {t: values[t] for t in spec.targets}


@lru_cache(maxsize=8)
def _base_recipe(toml_text: str):
    import tomllib

    from qdled.io._toml import parse_model
    from qdled.io.recipe import Recipe

    return parse_model(Recipe, tomllib.loads(toml_text), "sweep base recipe")


def evaluate_recipes(spec, points: np.ndarray) -> dict[str, np.ndarray]:
    """Synthesis outcome of the base recipe with each point's values applied (``options['n_bins']`` size bins)."""
    from qdled.dots import pl_peak_track_nm
    from qdled.synthesis import simulate

    n_bins = int(spec.options.get("n_bins", 400))

    def compute(recipe):
        r = simulate(recipe, n_bins=n_bins)
        values = {"mean_edge_nm": r.mean_edge_nm, "sd_edge_nm": r.sd_edge_nm, "yield_fraction": r.yield_fraction}
        if "pl_peak_nm" in spec.targets:
            values["pl_peak_nm"] = float(pl_peak_track_nm(r.mean_edge_nm)[0])
        return values

    return _over_points(_base_recipe(spec.base_toml), spec, points, compute)


def evaluator(kind: str) -> Callable:
    """The evaluator for sweep ``kind`` (``"stack"`` or ``"recipe"``)."""
    if kind == "stack":
        return evaluate_stacks
    if kind == "recipe":
        return evaluate_recipes
    raise InputError(f"unknown sweep kind {kind!r}")


def default_targets(kind: str) -> tuple[str, ...]:
    """Targets computed when none are asked for (the first is the one optimised)."""
    return ("eqe_ceiling", "outcoupled") if kind == "stack" else ("pl_peak_nm", "mean_edge_nm", "sd_edge_nm")


def check_targets(kind: str, targets) -> tuple[str, ...]:
    """Validate target names for ``kind``."""
    from qdled.optics.sweep import VARIABLES

    allowed = VARIABLES if kind == "stack" else RECIPE_TARGETS
    bad = [t for t in targets if t not in allowed]
    if bad:
        raise InputError(f"unknown --target {bad[0]!r} for a {kind} sweep; choose from {', '.join(allowed)}")
    return tuple(targets)
