"""``qdled synthesize``: hot-injection synthesis, NSA treatment and purification of CsPbI3 dots."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt


def synthesize(
    recipe: Optional[str] = typer.Argument(
        None, help="Recipe TOML file or built-in name (li2024-control, li2024-nsa-pf6)."
    ),
    nsa_mmol: Optional[float] = typer.Option(None, "--nsa-mmol", help="Override the NSA amount (mmol)."),
    n_bins: int = typer.Option(400, "--bins", help="Number of size bins."),
    binding: str = typer.Option(
        "paper",
        "--binding",
        help="Ligand binding energies: 'paper' (DFT of Li et al., the "
        "calibration basis), 'xtb' (qdled bind, GFN2-xTB clusters) or 'slab' (qdled bind --slab, GFN2-xTB on a "
        "periodic CsPbI3 (100) slab; shipped values).",
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Simulate nucleation, growth, Ostwald ripening, NSA injection and purification; PL from qdled.dots."""
    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.dots import summarize_synthesis
    from qdled.errors import InputError
    from qdled.io.recipe import load_recipe
    from qdled.synthesis import CALIBRATED, SynthesisParameters, simulate
    from qdled.synthesis.run import check_n_bins, check_nsa_mmol

    if nsa_mmol is not None:
        check_nsa_mmol(nsa_mmol, "--nsa-mmol")  # the bounds live in qdled.synthesis.run, named as the option
    check_n_bins(n_bins, "--bins")
    check_plot(plot, force)
    if binding not in ("paper", "xtb", "slab"):
        raise InputError(f"--binding must be 'paper', 'xtb' or 'slab', got {binding!r}")
    params = SynthesisParameters()
    binding_note = None
    if binding == "xtb":
        from qdled.binding import binding_energies

        params = params.with_values(binding_energy_eV=binding_energies(("OAm", "OA", "NSA", "PF6")))
    elif binding == "slab":
        from qdled.binding.slab_engine import shipped_slab_run, slab_binding_energies

        slab = slab_binding_energies(("OAm", "OA", "NSA", "PF6"))
        params = params.with_values(binding_energy_eV=slab["binding_energies_eV"])
        run = shipped_slab_run()
        lower = sorted(n for n, r in run["results"].items() if not r.get("converged", True)) if run else []
        binding_note = f"slab binding energies ({slab['command']}); relaxation not converged, so lower bounds: " + (
            ", ".join(lower) if lower else "none"
        )
    rec = load_recipe(recipe)
    result = simulate(rec, nsa_mmol=nsa_mmol, n_bins=n_bins, params=params)
    optics = summarize_synthesis(result, rec.purification.route)
    out = {
        "recipe": result.recipe_name,
        "nsa_mmol": result.nsa_mmol,
        "binding_energies_eV": dict(params.binding_energy_eV),
        **({"binding_note": binding_note} if binding_note else {}),
        "mean_edge_nm": result.mean_edge_nm,
        "sd_edge_nm": result.sd_edge_nm,
        "synthesis_mean_edge_nm": result.synthesis_mean_edge_nm,
        "synthesis_sd_edge_nm": result.synthesis_sd_edge_nm,
        **{k: v for k, v in optics.items() if k != "pl_peak_t_nm"},
        "yield": result.yield_fraction,
        "mass_balance_error": result.mass_balance_error,
        "calibrated": {k: CALIBRATED[k].to_dict() for k in result.calibrated},
    }
    if plot is not None:
        from qdled.synthesis.plots import plot_result

        save_plot(plot_result(result, optics["pl_peak_t_nm"]), plot, force)
    if as_json:
        print_json(out)
    else:
        print_table(f"qdled synthesize: {result.recipe_name}", out)


def register(app: typer.Typer) -> None:
    """Add ``synthesize`` to the main app."""
    app.command("synthesize")(synthesize)
