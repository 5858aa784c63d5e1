"""``qdled bind``: ligand binding energies on CsPbI3 (GFN2-xTB), shipped or recomputed."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import List, Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt


def bind(
    ligand: Optional[List[str]] = typer.Option(
        None, "--ligand", help="Ligand (repeatable): OAm, OA, NSA, PF6, NH4PF6, OA-, NSA-, I-. Default: OAm OA NSA PF6."
    ),
    recompute: bool = typer.Option(
        False, "--recompute", help="Compute with tblite (GFN2-xTB) instead of the shipped values."
    ),
    cluster_n: int = typer.Option(
        1, "--cluster-n", help="Surface cluster size, Pb per edge (1: Cs4PbI6, 3: Cs24Pb9I42)."
    ),
    mode: str = typer.Option(
        "relaxed", "--mode", help="'relaxed' (BFGS, fixed core) or 'rigid' (rigid ligand, distance scan)."
    ),
    slab: bool = typer.Option(
        False,
        "--slab",
        help="Periodic CsPbI3 (100) slab, ligands as ion pairs (see qdled.binding.slab) with convergence.",
    ),
    layers: int = typer.Option(3, "--layers", help="With --slab: atomic planes of the slab (3, 5, 7)."),
    method: str = typer.Option("GFN2-xTB", "--method", help="With --slab: GFN2-xTB or GFN1-xTB."),
    max_steps: int = typer.Option(
        300, "--max-steps", help="With --slab: optimiser steps per relaxation, SCF-failure restarts included."
    ),
    convergence: bool = typer.Option(
        True,
        "--convergence/--no-convergence",
        help="With --slab --write-runs: run the thickness/cell/isolated-limit scan (an earlier scan of the "
        "same relaxed pair is kept either way).",
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore earlier results in the disk cache."),
    write_runs: Optional[Path] = typer.Option(
        None,
        "--write-runs",
        help="Merge this run (values, results, command) into a JSON file such as the shipped cache.",
    ),
    force: bool = ForceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Ligand binding energies (eV) to surface Pb of a CsPbI3 cluster, beside the paper's DFT values."""
    from qdled.binding import DEFAULT_LIGANDS, LIGANDS, binding_energies, compute_binding_energy, paper_dft_eV
    from qdled.binding.shipped import add_run
    from qdled.cli._common import print_json

    names = list(ligand) if ligand else list(DEFAULT_LIGANDS)
    if slab:
        return _bind_slab(
            list(ligand) if ligand else None,
            layers,
            method,
            max_steps,
            convergence,
            recompute or write_runs is not None,
            not no_cache,
            write_runs,
            force,
            as_json,
        )
    if write_runs is not None:
        from qdled.io.atomic import check_new_file

        check_new_file(write_runs, force=force)  # before hours of relaxations, not after
        results = [
            compute_binding_energy(n, cluster_n=cluster_n, mode=mode, use_cache=not no_cache, progress=not as_json)
            for n in names
        ]
        command = shlex.join(
            [
                "qdled",
                "bind",
                "--recompute",
                "--cluster-n",
                str(cluster_n),
                "--mode",
                mode,
                *[a for n in names for a in ("--ligand", n)],
                "--write-runs",
                str(write_runs),
                "--force",
            ]
        )
        add_run(write_runs, results, command, force=force)
        values = {r.ligand: r.binding_energy_eV for r in results}
    else:
        values = binding_energies(
            names, recompute=recompute, cluster_n=cluster_n, mode=mode, use_cache=not no_cache, progress=not as_json
        )
    if as_json:
        print_json(values)
        return
    from rich.console import Console
    from rich.table import Table

    paper = paper_dft_eV()
    table = Table(title=f"Binding energy to surface Pb, GFN2-xTB ({mode}, cluster n={cluster_n}) vs paper DFT")
    for col in ("ligand", "model", "charge", "E_bind (eV)", "paper DFT (eV)", "difference (eV)"):
        table.add_column(col, justify="right" if "eV" in col or col == "charge" else "left")
    for name, value in values.items():
        ref = paper.get(name)
        table.add_row(
            name,
            LIGANDS[name].model,
            f"{LIGANDS[name].charge:+d}",
            f"{value:.2f}",
            "-" if ref is None else f"{ref:.2f}",
            "-" if ref is None else f"{value - ref:+.2f}",
        )
    Console().print(table)


def _bind_slab(names, layers, method, max_steps, convergence, recompute, use_cache, write_runs, force, as_json) -> None:
    """``qdled bind --slab``: shipped or recomputed slab values, convergence, beside cluster and paper DFT."""
    from qdled.binding import binding_energies, paper_dft_eV
    from qdled.binding.slab_engine import add_slab_run, slab_binding_energies, vacuum_drift_eV
    from qdled.cli._common import print_json

    if write_runs is not None:
        from qdled.io.atomic import check_new_file

        check_new_file(write_runs, force=force)  # before the relaxations, not after
    out = slab_binding_energies(
        names,
        recompute,
        n_layers=layers,
        method=method,
        max_steps=max_steps,
        convergence=convergence and write_runs is not None,
        use_cache=use_cache,
    )
    if write_runs is not None:
        words = ["qdled", "bind", "--slab", "--layers", str(layers), "--method", method, "--max-steps", str(max_steps)]
        words += [] if convergence else ["--no-convergence"]
        ligands = [a for n in out["binding_energies_eV"] for a in ("--ligand", n)]
        command = shlex.join([*words, *ligands, "--write-runs", str(write_runs)])
        add_slab_run(write_runs, out["results"], out["convergence"], command + " --force", force=force)
    out.pop("results", None)
    cluster = binding_energies(list(out["binding_energies_eV"]))
    out["cluster_eV"], out["paper_dft_eV"] = cluster, paper_dft_eV()
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Binding energy, {method} on the CsPbI3 (100) slab ({layers} planes, 2x2; ion pairs)")
    cols = ("ligand", "slab (eV)", "7 planes (eV)", "vacuum 25->100 A (eV)", "cluster (eV)", "paper DFT (eV)")
    for col in (*cols, "slab - paper (eV)"):
        table.add_column(col, justify="left" if col == "ligand" else "right")
    seven = out.get("binding_energies_7plane_eV") or {}
    for name, value in out["binding_energies_eV"].items():
        ref = out["paper_dft_eV"].get(name)
        drift = vacuum_drift_eV((out.get("convergence") or {}).get(name))
        bound = "" if out["converged"][name] else ">= "  # an unconverged relaxation bounds E_bind from below
        table.add_row(
            name,
            f"{bound}{value:.2f}",
            "-" if seven.get(name) is None else f"{bound}{seven[name]:.2f}",
            "-" if drift is None else f"{drift:+.2f}",
            f"{cluster[name]:.2f}",
            "-" if ref is None else f"{ref:.2f}",
            "-" if ref is None else f"{value - ref:+.2f}",
        )
    Console().print(table)
    if out.get("notes"):
        Console().print(out["notes"])


def register(app: typer.Typer) -> None:
    app.command("bind")(bind)
