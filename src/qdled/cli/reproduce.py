"""``qdled reproduce``: the whole chain on the paper's defaults, as a report."""

from __future__ import annotations

from pathlib import Path

import typer

from qdled.cli._common import JsonOpt


def reproduce(
    out: Path = typer.Option(Path("qdled-report"), "--out", help="Report directory."),
    recompute_binding: bool = typer.Option(
        False, "--recompute-binding", help="Recompute binding energies with tblite."
    ),
    force: bool = typer.Option(False, "--force", help="Replace --out even if it is not a previous qdled report."),
    as_json: bool = JsonOpt,
) -> None:
    """Run synthesis -> dots -> binding -> optics -> device for both recipes and write a report."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from qdled.cli._common import print_json
    from qdled.report.pipeline import reproduce as run
    from qdled.report.stages import STAGES

    err = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json or not err.is_terminal,  # a bar only on a terminal: logs and errors stay clean
    ) as bar:
        task = bar.add_task("reproduce", total=len(STAGES))

        counter = iter(range(len(STAGES) + 1))

        def step(name: str) -> None:
            bar.update(task, completed=next(counter), description=f"stage: {name}")

        result = run(out, force=force, recompute_binding=recompute_binding, progress=step)
        bar.update(task, completed=len(STAGES), description="done")
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title="Li et al. 2024: model against paper")
    for col in ("quantity", "paper", "model", "diff", "unit", "status"):
        table.add_column(col, justify="right" if col in ("paper", "model", "diff") else "left")
    for r in result.rows:
        table.add_row(r.quantity, f"{r.paper:.4g}", f"{r.model:.4g}", f"{r.difference:+.3g}", r.unit, r.status)
    console = Console()
    console.print(table)
    console.print(f"report written to {result.out_dir}/index.html ({result.provenance['runtime_s']} s)")


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce)
