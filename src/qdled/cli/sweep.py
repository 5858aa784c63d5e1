"""``qdled sweep`` and ``qdled optimize``: parameter sweeps and design search over a stack or a recipe."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt

_VARY = typer.Option(..., "--vary", help='KEY=start:stop:step or KEY=v1,v2 (e.g. "QD.thickness_nm=10:60:2"); repeat.')
_SCHED = typer.Option(
    None,
    "--scheduler",
    help="Dask scheduler tcp://HOST:PORT, 'local' (LocalCluster) or 'serial'; default a local process pool.",
)
_WORKERS = typer.Option(None, "--workers", help="Worker processes (default: all cores).")
_RECIPE = typer.Option(
    None,
    "--recipe",
    help="Sweep a synthesis recipe (TOML file or built-in name) instead of a stack; "
    'keys like "nsa.amount_mmol=0:0.8:0.1", "injection.temperature_C=140:180:10".',
)


def _spec(stack_file, recipe, vary, targets, design, samples, seed, chunk, wavelength_nm):
    from qdled.errors import InputError
    from qdled.sweep import SweepSpec, parse_vary
    from qdled.sweep.targets import check_targets, default_targets

    axes = tuple(parse_vary(v) for v in vary)
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise InputError(f"each --vary key may appear once, got {keys}")
    if samples and design == "grid":
        raise InputError("--samples is for --design random or lhs; a grid takes every --vary value")
    if recipe is not None:
        if stack_file is not None:
            raise InputError("give a stack file or --recipe, not both")
        from qdled.io.recipe import load_recipe

        kind, base = "recipe", load_recipe(recipe)
        options = {"n_bins": 400}
    else:
        from qdled.io.stack import load_stack

        kind, base = "stack", load_stack(stack_file)
        options = {"wavelength_nm": wavelength_nm}
    for end in (0, 1):  # fail early on a bad key or an out-of-range bound (not inside the workers)
        base.with_values({a.key: a.bounds[end] for a in axes})
    return SweepSpec(
        kind=kind,
        base_toml=base.to_toml(),
        axes=axes,
        targets=check_targets(kind, targets or default_targets(kind)),
        design=design,
        n_samples=samples,
        seed=seed,
        chunk_size=chunk,
        options=options,
    )


def sweep(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's device)."),
    vary: List[str] = _VARY,
    out: Path = typer.Option(..., "--out", help="netCDF file to write."),
    recipe: Optional[str] = _RECIPE,
    target: Optional[List[str]] = typer.Option(
        None,
        "--target",
        help="Quantities to compute; the first is optimised "
        "(default eqe_ceiling, outcoupled; for recipes pl_peak_nm, mean_edge_nm, sd_edge_nm).",
    ),
    design: str = typer.Option("grid", "--design", help="grid, random or lhs (Latin hypercube)."),
    samples: int = typer.Option(0, "--samples", help="Points for random/lhs designs."),
    seed: int = typer.Option(0, "--seed"),
    chunk: int = typer.Option(32, "--chunk", help="Points per task."),
    wavelength_nm: float = typer.Option(628.0, "--wavelength-nm"),
    minimize: bool = typer.Option(False, "--minimize", help="Report the smallest value of the first target."),
    scheduler: Optional[str] = _SCHED,
    workers: Optional[int] = _WORKERS,
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted sweep from its checkpoints."),
    force: bool = ForceOpt,
    plot: Optional[Path] = PlotOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Sweep layer thicknesses/indices of a stack, or the parameters of a recipe; results as an xarray Dataset
    in netCDF."""
    from rich.console import Console
    from rich.progress import Progress

    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.errors import InputError
    from qdled.sweep.executors import make_executor
    from qdled.sweep.runner import best, run_sweep

    if design not in ("grid", "random", "lhs"):
        raise InputError(f"--design must be grid, random or lhs, got {design!r}")
    if chunk < 1:
        raise InputError(f"--chunk must be >= 1, got {chunk}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    check_plot(plot, force)
    spec = _spec(stack_file, recipe, vary, target, design, samples, seed, chunk, wavelength_nm)
    executor = make_executor(scheduler, workers)
    try:
        with Progress(console=Console(stderr=True), disable=as_json) as bar:
            task = bar.add_task("sweep", total=spec.n_chunks)
            ds = run_sweep(
                spec,
                out,
                executor=executor,
                resume=resume,
                force=force,
                progress=lambda d, n: bar.update(task, completed=d, total=n),
            )
    finally:
        executor.close()
    top = best(ds, spec.targets[0], minimize)
    if plot is not None:
        from qdled.sweep.plots import plot_sweep

        save_plot(plot_sweep(ds, spec.targets[0]), plot, force)
    result = {"out": str(out), "n_points": int(ds[spec.targets[0]].size), "best": top}
    if as_json:
        print_json(result)
    else:
        print_table(f"best {spec.targets[0]} ({'min' if minimize else 'max'})", top)
        typer.echo(f"{result['n_points']} points written to {out}")


def optimize(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's device)."),
    vary: List[str] = typer.Option(..., "--vary", help="KEY=lo:hi:step (only the bounds are used); repeat."),
    recipe: Optional[str] = _RECIPE,
    target: Optional[str] = typer.Option(None, "--target", help="default eqe_ceiling (stacks) or pl_peak_nm (recipes)"),
    minimize: bool = typer.Option(False, "--minimize"),
    maxiter: int = typer.Option(15, "--maxiter"),
    popsize: int = typer.Option(6, "--popsize"),
    seed: int = typer.Option(0, "--seed"),
    wavelength_nm: float = typer.Option(628.0, "--wavelength-nm"),
    scheduler: Optional[str] = _SCHED,
    workers: Optional[int] = _WORKERS,
    as_json: bool = JsonOpt,
) -> None:
    """Find the best stack (or recipe) within the --vary bounds (differential evolution)."""
    from qdled.cli._common import print_json, print_table
    from qdled.sweep.executors import make_executor
    from qdled.sweep.optimize import optimize as run

    if workers is not None and workers < 1:
        from qdled.errors import InputError

        raise InputError(f"--workers must be >= 1, got {workers}")
    spec = _spec(stack_file, recipe, vary, [target] if target else None, "grid", 0, seed, 1, wavelength_nm)
    target = spec.targets[0]
    executor = make_executor(scheduler, workers)
    try:
        res = run(spec, target, minimize=minimize, executor=executor, maxiter=maxiter, popsize=popsize, seed=seed)
    finally:
        executor.close()
    out = {"best": res.best, target: res.value, "n_evaluations": res.n_evaluations, "converged": res.success}
    if as_json:
        print_json(out)
    else:
        print_table(f"optimum of {target}", {**res.best, target: res.value, "evaluations": res.n_evaluations})


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
    app.command("optimize")(optimize)
