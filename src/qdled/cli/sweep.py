"""``qdled sweep`` and ``qdled optimize``: parameter sweeps and design search over a stack or a recipe."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt
from qdled.io.paper import paper_value

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
_MODEL = typer.Option(
    "optics",
    "--model",
    help="optics (a stack's optics at one wavelength; the default) | drift-diffusion (device sweep: the "
    "drift-diffusion device on a coarse grid, the compact surrogate corrected in between, its error reported).",
)
_COARSE = typer.Option(
    None, "--coarse", help="--model drift-diffusion: drift-diffusion values per axis, ends included (default 4)."
)
_INTERP = typer.Option(
    None,
    "--interpolation",
    help="--model drift-diffusion: interpolation of the correction between DD points: auto (cubic with "
    "--coarse >= 4, else linear; the default), linear or cubic.",
)
_WAVELENGTH = typer.Option(
    paper_value("nsa_pf6.el_peak_nm"), "--wavelength-nm", help="Emission wavelength of a stack sweep (nm)."
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
    wavelength_nm: float = _WAVELENGTH,
    model: str = _MODEL,
    coarse: Optional[int] = _COARSE,
    interpolation: Optional[str] = _INTERP,
    minimize: bool = typer.Option(False, "--minimize", help="Report the smallest value of the first target."),
    scheduler: Optional[str] = _SCHED,
    workers: Optional[int] = _WORKERS,
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted sweep from its checkpoints."),
    force: bool = ForceOpt,
    plot: Optional[Path] = PlotOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Sweep layer thicknesses/indices of a stack, or the parameters of a recipe; results as an xarray Dataset
    in netCDF. ``--model drift-diffusion``: a multi-fidelity device sweep (:mod:`qdled.sweep.multifidelity`)."""
    from rich.console import Console
    from rich.progress import Progress

    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.sweep.executors import make_executor
    from qdled.sweep.runner import best, run_sweep
    from qdled.sweep.spec import make_spec

    check_plot(plot, force)
    if plot is not None and plot.resolve() == out.resolve():
        from qdled.errors import InputError

        raise InputError(f"--plot {plot} is the --out file; give the figure its own name")
    if not resume:  # before any work (a resumed sweep checks its checkpoints in run_sweep)
        from qdled.io.atomic import check_new_file

        check_new_file(out, force=force)
    if model not in ("optics", "drift-diffusion"):
        from qdled.errors import InputError

        raise InputError(f"--model must be 'optics' or 'drift-diffusion', got {model!r}")
    if model == "drift-diffusion":
        others = {"--recipe": recipe is not None, "--design": design != "grid", "--samples": samples != 0}
        others.update({"--resume": resume, "--chunk": chunk != 32, "--seed": seed != 0})
        refused = [k for k, v in others.items() if v]
        args = (stack_file, vary, out, target, coarse, interpolation, refused, minimize)
        return _sweep_multifidelity(*args, scheduler, workers, force, plot, as_json)
    if coarse is not None or interpolation is not None:
        from qdled.errors import InputError

        raise InputError("--coarse and --interpolation apply to --model drift-diffusion only")
    spec = make_spec(
        vary,
        stack_file=stack_file,
        recipe=recipe,
        target=target,
        design=design,
        samples=samples,
        seed=seed,
        chunk=chunk,
        wavelength_nm=wavelength_nm,
    )
    spec.points()  # the design's size is checked (qdled.sweep.design.MAX_POINTS) before a worker starts
    executor = make_executor(scheduler, workers)
    try:
        with Progress(console=Console(stderr=True), disable=as_json or not sys.stderr.isatty()) as bar:
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


def _sweep_multifidelity(
    stack_file, vary, out, target, coarse, interpolation, refused, minimize, scheduler, workers, force, plot, as_json
) -> None:
    """``qdled sweep --model drift-diffusion``: :func:`qdled.sweep.multifidelity.multifidelity_sweep` to netCDF."""
    from rich.console import Console
    from rich.progress import Progress

    from qdled.cli._common import print_json, print_table, save_plot
    from qdled.errors import InputError
    from qdled.io.atomic import atomic_path
    from qdled.sweep.executors import make_executor
    from qdled.sweep.multifidelity import MODEL_LABEL, TARGETS, multifidelity_sweep, summary
    from qdled.sweep.runner import best

    if refused:
        raise InputError(f"{refused[0]} does not apply to --model drift-diffusion (a grid over a stack)")
    targets = list(target or TARGETS)
    bad = [t for t in targets if t not in TARGETS]
    if bad:
        raise InputError(f"unknown --target {bad[0]!r} for --model drift-diffusion; choose from {', '.join(TARGETS)}")
    kwargs = {"coarse": 4 if coarse is None else coarse, "method": interpolation or "auto"}
    executor = make_executor(scheduler, workers)
    try:
        with Progress(console=Console(stderr=True), disable=as_json or not sys.stderr.isatty()) as bar:
            task = bar.add_task("sweep (drift-diffusion + surrogate)", total=None)
            ds = multifidelity_sweep(
                vary,
                stack=stack_file,
                executor=executor,
                progress=lambda d, n: bar.update(task, completed=d, total=n),
                **kwargs,
            )
    finally:
        executor.close()
    with atomic_path(out, force=force) as tmp:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
    top = best(ds, targets[0], minimize)
    if plot is not None:
        from qdled.sweep.plots import plot_sweep

        save_plot(plot_sweep(ds, targets[0]), plot, force)
    info = summary(ds)
    result = {"out": str(out), "n_points": int(ds[targets[0]].size), "best": top, **info}
    if as_json:
        print_json(result)
        return
    print_table(f"best {targets[0]} ({'min' if minimize else 'max'}), {MODEL_LABEL}", top)
    rows = {}
    for t, e in info["surrogate_error"].items():
        s, c = e["surrogate"], e["compact_uncorrected"]
        rows[t] = (
            f"{100 * s['max_relative']:.2f} / {100 * s['rms_relative']:.2f} % "
            f"(compact alone {100 * c['max_relative']:.1f} %)"
        )
    if rows:
        n = ds.attrs["n_dd_holdout_points"]
        print_table(f"surrogate error, max / RMS relative, at {n} held-out drift-diffusion points", rows)
    typer.echo(
        f"{result['n_points']} points ({info['n_dd_points']} drift-diffusion) written to {out}; "
        f"{info['evaluation_seconds']:.0f} s of evaluation against ~{info['full_dd_estimate_s']:.0f} s for "
        "drift-diffusion everywhere"
    )


def optimize(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's device)."),
    vary: List[str] = typer.Option(..., "--vary", help="KEY=lo:hi:step (only the bounds are used); repeat."),
    recipe: Optional[str] = _RECIPE,
    target: Optional[str] = typer.Option(None, "--target", help="default eqe_ceiling (stacks) or pl_peak_nm (recipes)"),
    minimize: bool = typer.Option(False, "--minimize"),
    maxiter: int = typer.Option(15, "--maxiter"),
    popsize: int = typer.Option(6, "--popsize"),
    seed: int = typer.Option(0, "--seed"),
    wavelength_nm: float = _WAVELENGTH,
    scheduler: Optional[str] = _SCHED,
    workers: Optional[int] = _WORKERS,
    as_json: bool = JsonOpt,
) -> None:
    """Find the best stack (or recipe) within the --vary bounds (differential evolution)."""
    from qdled.cli._common import print_json, print_table
    from qdled.errors import InputError
    from qdled.sweep.executors import make_executor
    from qdled.sweep.optimize import optimize as run

    for name, value, most in (("--maxiter", maxiter, 10_000), ("--popsize", popsize, 1_000)):
        if not 1 <= value <= most:  # scipy's differential_evolution: popsize x n_axes members per generation
            raise InputError(f"{name} must be in 1..{most}, got {value}")
    from qdled.sweep.spec import make_spec

    spec = make_spec(
        vary,
        stack_file=stack_file,
        recipe=recipe,
        target=[target] if target else None,
        seed=seed,
        chunk=1,
        wavelength_nm=wavelength_nm,
    )
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
