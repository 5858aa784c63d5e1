"""A checked :class:`~qdled.sweep.runner.SweepSpec` from user-level inputs (what ``qdled sweep`` and
``qdled optimize`` are given): every check that can fail is made here, before a worker starts.

Error messages start with the name of the argument at fault (the CLI shows it as its option).
"""

from __future__ import annotations

from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import paper_value
from qdled.sweep.design import parse_vary
from qdled.sweep.runner import SweepSpec

__all__ = ["DESIGNS", "make_spec"]

#: Designs of a sweep: every combination of the values, or random / Latin-hypercube samples within the bounds.
DESIGNS = ("grid", "random", "lhs")
#: Size bins of the population balance in a recipe sweep.
RECIPE_BINS = 400


def make_spec(
    vary,
    *,
    stack_file=None,
    recipe: str | None = None,
    target=None,
    design: str = "grid",
    samples: int = 0,
    seed: int = 0,
    chunk: int = 32,
    wavelength_nm: float | None = None,
) -> SweepSpec:
    """The sweep of ``vary`` (``KEY=start:stop:step`` or ``KEY=v1,v2`` strings, each key once) over a stack
    (``stack_file``, default the paper's) or a recipe (``recipe``: built-in name or TOML file, not both).

    Parameters
    ----------
    target : sequence of str, optional
        Quantities to compute (default :func:`qdled.sweep.targets.default_targets`); the first is optimised.
    design : {"grid", "random", "lhs"}
        ``samples`` points are drawn for random and lhs designs; a grid takes every value (``samples`` 0).
    chunk : int
        Points per task (>= 1).
    wavelength_nm : float, optional
        Emission wavelength of a stack sweep [nm] (default the paper's EL peak).

    Raises
    ------
    InputError
        A bad key, bound, design, target or wavelength; the message starts with the argument's name.
    """
    from qdled.sweep.targets import check_targets, default_targets

    if design not in DESIGNS:
        raise InputError(f"design must be grid, random or lhs, got {design!r}")
    if chunk < 1:
        raise InputError(f"chunk must be >= 1, got {chunk}")
    if samples and design == "grid":
        raise InputError("samples is for design random or lhs; a grid takes every vary value")
    axes = tuple(parse_vary(v) for v in vary)
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise InputError(f"vary: each key may appear once, got {keys}")
    if recipe is not None:
        if stack_file is not None:
            raise InputError("recipe: give a stack file or a recipe, not both")
        from qdled.io.recipe import load_recipe

        kind, base = "recipe", load_recipe(recipe)
        options = {"n_bins": RECIPE_BINS}
    else:
        from qdled.io.stack import load_stack

        wl = paper_value("nsa_pf6.el_peak_nm") if wavelength_nm is None else wavelength_nm
        kind, base = "stack", load_stack(stack_file)
        options = {"wavelength_nm": require_finite_positive("wavelength_nm", wl)}
        base.layer_indices([wl])  # outside a material's data: refused here, not in the workers
    for end in (0, 1):  # a bad key or an out-of-range bound fails here (not inside the workers)
        base.with_values({a.key: a.bounds[end] for a in axes})
    return SweepSpec(
        kind=kind,
        base_toml=base.to_toml(),
        axes=axes,
        targets=check_targets(kind, target or default_targets(kind)),
        design=design,
        n_samples=samples,
        seed=seed,
        chunk_size=chunk,
        options=options,
    )
