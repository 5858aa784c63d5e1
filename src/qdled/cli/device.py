"""``qdled device``: simulate the LED's J-V-L, EQE(J), colour and lifetime."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt


def _device_name(recipe: str) -> str:
    from qdled.device import DEVICE_NAMES

    if recipe in DEVICE_NAMES:
        return recipe
    from qdled.io.recipe import load_recipe

    route = load_recipe(recipe).purification.route
    return "li2024-nsa-pf6" if route == "NH4PF6" else "li2024-control"


def device(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's stack)."),
    recipe: str = typer.Option("li2024-nsa-pf6", "--recipe", help="li2024-nsa-pf6 | li2024-control | recipe TOML."),
    eta_out: Optional[float] = typer.Option(None, "--eta-out", help="Outcoupling fraction; skips qdled.optics (fast)."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Simulate J-V-L, EQE(J), EL colour and T50 of the paper's LED (calibrated vs predicted listed)."""
    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.device import paper_comparison, simulate_device
    from qdled.device.chain import parameters_for_stack, simulate_stack
    from qdled.io.stack import load_stack

    check_plot(plot, force)
    name = _device_name(recipe)
    stack = load_stack(stack_file)
    if eta_out is None:  # the stack's optics with the paper's measured PL of this batch
        sim = simulate_stack(stack, name)
        res, params = sim.result, sim.params
        source = "qdled.optics.el_spectrum (cavity-filtered PL)"
    else:  # fast path: the calibration's optical inputs (the paper's EL) with the given eta_out
        from qdled.device.calibration import calibration_inputs

        params = parameters_for_stack(stack, name)
        opt = calibration_inputs(name)
        source = opt.pop("source").replace(f"eta_out {opt['eta_out']:g}", f"eta_out {eta_out:g} (--eta-out)")
        opt["eta_out"] = eta_out
        res = simulate_device(params, **opt)
    out = res.figures_of_merit()
    out["inputs"]["optics_source"] = source
    if eta_out is not None:  # EL given as input: its colour is an echo, not a prediction
        echoed = ("el_peak_nm", "el_fwhm_nm", "cie_x", "cie_y")
        out["predicted_outputs"] = [k for k in out["predicted_outputs"] if k not in echoed]
        out["echoed_inputs"] = list(echoed)
    out["paper_comparison"] = paper_comparison(
        res, params.lifetime_reference_cd_m2, params.acceleration_exponent, el_is_input=eta_out is not None
    )
    if plot is not None:
        from qdled.device.plots import plot_device

        save_plot(plot_device([res], [params], params.qd_gap_eV), plot, force)
    if as_json:
        print_json(out)
    else:
        print_table(f"qdled device ({name})", {k: v for k, v in out.items() if not isinstance(v, (list, dict))})
        typer.echo("calibrated: " + "; ".join(out["calibrated"]))
        typer.echo("optics: " + source)


def register(app: typer.Typer) -> None:
    app.command("device")(device)
