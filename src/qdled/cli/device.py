"""``qdled device``: simulate the LED's J-V-L, EQE(J), colour and lifetime."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt


def device(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's stack)."),
    recipe: str = typer.Option("li2024-nsa-pf6", "--recipe", help="li2024-nsa-pf6 | li2024-control | recipe TOML."),
    eta_out: Optional[float] = typer.Option(
        None,
        "--eta-out",
        help="Outcoupling fraction; the EL and Purcell factor are then the calibration's (default stack), "
        "not the given stack's.",
    ),
    model: Optional[str] = typer.Option(
        None,
        "--model",
        help="drift-diffusion (1-D solver of the whole stack coupled with the optics; the default) | compact (the "
        "fast series-model surrogate; the default with --eta-out).",
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Simulate J-V-L, EQE(J), EL colour and T50 of the paper's LED (calibrated vs predicted listed).

    Default: the drift-diffusion device coupled with the stack's optics; ``--model compact`` (or ``--eta-out``)
    runs the fast series-model surrogate."""
    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.device import device_for_recipe, paper_comparison, simulate_device
    from qdled.device.chain import parameters_for_stack, simulate_stack
    from qdled.device.parameters import SURROGATE
    from qdled.errors import InputError
    from qdled.io.stack import load_stack

    if model is None:
        model = "compact" if eta_out is not None else "drift-diffusion"
    if model not in ("compact", "drift-diffusion"):
        raise InputError(f"--model must be 'compact' or 'drift-diffusion', got {model!r}")
    if model == "drift-diffusion" and eta_out is not None:
        raise InputError("--eta-out applies to --model compact only")
    check_plot(plot, force)
    name = device_for_recipe(recipe)
    stack = load_stack(stack_file)
    if model == "drift-diffusion":
        from dataclasses import replace

        from qdled.device.chain import simulate_stack_drift_diffusion, with_operational_lifetime

        d = simulate_stack_drift_diffusion(stack, name)
        res, life = with_operational_lifetime(d.result, stack, name)
        d = replace(d, result=res)
        params = d.params
        out = d.summary()
        out["lifetime"] = life
        out["inputs"]["optics_source"] = (
            "qdled.optics position-resolved (eta_out(x), Purcell(x) in the QD film) and the EL of the solved "
            "emission zone"
        )
        out["paper_comparison"] = paper_comparison(
            res, params.lifetime_reference_cd_m2, params.acceleration_exponent, lifetime=life
        )
        if plot is not None:
            from qdled.device.plots import plot_drift_diffusion

            k = int(np.nanargmax(res.luminance_cd_m2))
            save_plot(plot_drift_diffusion(d.dd, float(d.dd.voltage_V[k])), plot, force)
        if as_json:
            print_json(out)
        else:
            print_table(
                f"qdled device ({name}, drift-diffusion)",
                {k: v for k, v in out.items() if not isinstance(v, (list, dict)) and k != "note"},
            )
            typer.echo("calibrated: " + "; ".join(f"{k} ({c['targets']})" for k, c in out["calibrated"].items()))
            if not out["luminance_turns_over"]:
                typer.echo(
                    f"the luminance does not turn over up to {res.voltage_V[-1]:g} V (its maximum is the last point)"
                )
            if life["t50_min"] is None:
                typer.echo("lifetime: " + life["note"])
            typer.echo(out["note"])
        return
    from qdled.device.chain import with_operational_lifetime

    if eta_out is None:  # the stack's optics with the chain's film PL of this batch
        sim = simulate_stack(stack, name)
        res, params = sim.result, sim.params
        source = "qdled.optics.el_spectrum (cavity-filtered PL)"
    else:  # the calibration's optical inputs (default stack) with the given eta_out
        from qdled.device.calibration import calibration_inputs

        params = parameters_for_stack(stack, name)
        opt = calibration_inputs(name)
        opt.pop("source")
        opt["eta_out"] = eta_out
        source = (
            f"calibration inputs with eta_out {eta_out:g} (--eta-out): EL (peak {opt['el'].peak_nm:.1f} nm) and "
            f"Purcell factor {opt['purcell_factor']:.4g} of the default stack's optics"
        )
        res = simulate_device(params, **opt)
    res, life = with_operational_lifetime(res, stack, name, compact=sim if eta_out is None else None)
    out = res.figures_of_merit()
    out["lifetime"] = life
    out["model"] = "compact"
    # the surrogate's effective parameters fitted to the drift-diffusion device (qdled.device.calibration)
    out["surrogate_fit"] = {k: r.to_dict() for k, r in SURROGATE.get(name, {}).items()}
    out["inputs"]["optics_source"] = source
    if eta_out is not None:  # EL given as input: its colour is an echo, not a prediction
        echoed = ("el_peak_nm", "el_fwhm_nm", "cie_x", "cie_y")
        out["predicted_outputs"] = [k for k in out["predicted_outputs"] if k not in echoed]
        out["echoed_inputs"] = list(echoed)
    out["paper_comparison"] = paper_comparison(
        res,
        params.lifetime_reference_cd_m2,
        params.acceleration_exponent,
        el_is_input=eta_out is not None,
        lifetime=life,
    )
    if plot is not None:
        from qdled.device.plots import plot_device

        save_plot(plot_device([res], [params], params.qd_gap_eV), plot, force)
    if as_json:
        print_json(out)
    else:
        print_table(f"qdled device ({name})", {k: v for k, v in out.items() if not isinstance(v, (list, dict))})
        typer.echo("calibrated: " + "; ".join(f"{k} ({c['targets']})" for k, c in out["calibrated"].items()))
        if out.get("surrogate_fit"):
            typer.echo(
                "surrogate fitted to the drift-diffusion device: "
                + "; ".join(f"{k} ({c['fitted_to_drift_diffusion']})" for k, c in out["surrogate_fit"].items())
            )
        typer.echo("optics: " + source)


def register(app: typer.Typer) -> None:
    app.command("device")(device)
