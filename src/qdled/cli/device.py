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
    model: str = typer.Option(
        "compact",
        "--model",
        help="compact (calibrated series model) | drift-diffusion (1-D solver of the whole stack; not yet "
        "calibrated, see the JSON note).",
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Simulate J-V-L, EQE(J), EL colour and T50 of the paper's LED (calibrated vs predicted listed)."""
    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.device import device_for_recipe, paper_comparison, simulate_device
    from qdled.device.chain import parameters_for_stack, simulate_stack
    from qdled.errors import InputError
    from qdled.io.stack import load_stack

    if model not in ("compact", "drift-diffusion"):
        raise InputError(f"--model must be 'compact' or 'drift-diffusion', got {model!r}")
    if model == "drift-diffusion" and eta_out is not None:
        raise InputError("--eta-out applies to --model compact only")
    check_plot(plot, force)
    name = device_for_recipe(recipe)
    stack = load_stack(stack_file)
    if model == "drift-diffusion":
        from qdled.device.chain import simulate_stack_drift_diffusion
        from qdled.device.plots import plot_drift_diffusion

        r, out = simulate_stack_drift_diffusion(stack, name)
        if plot is not None:
            save_plot(plot_drift_diffusion(r, float(r.voltage_V[-1])), plot, force)
        if as_json:
            print_json(out)
        else:
            i = int(np.argmax(r.voltage_V))
            print_table(
                f"qdled device --model drift-diffusion ({name})",
                {
                    "voltage_V": float(r.voltage_V[i]),
                    "current_density_mA_cm2": out["current_density_mA_cm2"][i],
                    "peak_eqe": out["peak_eqe"],
                    "max_luminance_cd_m2": out["max_luminance_cd_m2"],
                    "voltage_at_max_luminance_V": out["voltage_at_max_luminance_V"],
                    "turn_on_voltage_V": out["turn_on_voltage_V"],
                    "charge_balance": out["charge_balance"][i],
                    "emission_zone_nm": out["emission_zone_nm"][i],
                    "built_in_voltage_V": out["built_in_voltage_V"],
                },
            )
            typer.echo(out["note"])
        return
    if eta_out is None:  # the stack's optics with the paper's measured PL of this batch
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
        typer.echo("calibrated: " + "; ".join(f"{k} ({c['targets']})" for k, c in out["calibrated"].items()))
        typer.echo("optics: " + source)


def register(app: typer.Typer) -> None:
    app.command("device")(device)
