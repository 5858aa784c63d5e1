"""``qdled device``: simulate the LED's J-V-L, EQE(J), colour and lifetime."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt

#: PL spectra of the two QD batches (paper, Fig. 2b): peak, FWHM [nm].
_PL = {"li2024-nsa-pf6": (623.0, 32.0), "li2024-control": (639.0, 42.0)}
_STACK_LAYERS = ("PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T")


def _device_name(recipe: str) -> str:
    from qdled.device import DEVICE_NAMES

    if recipe in DEVICE_NAMES:
        return recipe
    from qdled.io.recipe import load_recipe

    route = load_recipe(recipe).purification.route
    return "li2024-nsa-pf6" if route == "NH4PF6" else "li2024-control"


def _optical_inputs(stack, name: str, eta_out: Optional[float]) -> dict:
    """EL spectrum, eta_out and Purcell factor: from qdled.optics unless eta_out is given (then, or
    without qdled.optics, the calibration's default inputs: the paper's measured EL for the NSA device)."""
    if eta_out is None:
        try:
            from qdled.optics import el_spectrum, pl_spectrum
        except ImportError:
            el_spectrum = None
        if el_spectrum is not None:
            wl, pl = pl_spectrum(*_PL[name])
            el = el_spectrum(stack, wl, pl)
            return {"el_wavelength_nm": el.wavelength_nm, "el_intensity": el.el, "eta_out": el.eta_out,
                    "purcell_factor": el.purcell["mixed"], "source": "qdled.optics.el_spectrum (cavity-filtered PL)"}
    from qdled.device.calibration import calibration_inputs

    inp = calibration_inputs(name)
    if eta_out is not None:
        inp["eta_out"] = eta_out
        inp["source"] = inp["source"].replace("eta_out", "eta_out (--eta-out)")
    return inp


def device(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's stack)."),
    recipe: str = typer.Option("li2024-nsa-pf6", "--recipe", help="li2024-nsa-pf6 | li2024-control | recipe TOML."),
    eta_out: Optional[float] = typer.Option(None, "--eta-out", help="Outcoupling fraction; skips qdled.optics (fast)."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Simulate J-V-L, EQE(J), EL colour and T50 of the paper's LED (calibrated vs predicted listed)."""
    from qdled.cli._common import print_json, print_table, save_plot
    from qdled.device import device_parameters, paper_comparison, simulate_device
    from qdled.io.stack import load_stack

    if plot is not None and plot.exists() and not force:
        from qdled.errors import InputError

        raise InputError(f"{plot} exists; use --force to overwrite")
    name = _device_name(recipe)
    stack = load_stack(stack_file)
    names = [layer.name for layer in stack.layers]
    params = device_parameters(name).with_thicknesses({n: stack.layer(n).thickness_nm for n in _STACK_LAYERS if n in names})
    opt = _optical_inputs(stack, name, eta_out)
    res = simulate_device(params, **{k: v for k, v in opt.items() if k != "source"})
    out = res.figures_of_merit()
    out["inputs"]["optics_source"] = opt["source"]
    if not opt["source"].startswith("qdled.optics"):  # EL given as input: its colour is an echo, not a prediction
        echoed = ("el_peak_nm", "el_fwhm_nm", "cie_x", "cie_y")
        out["predicted_outputs"] = [k for k in out["predicted_outputs"] if k not in echoed]
        out["echoed_inputs"] = list(echoed)
    out["paper_comparison"] = paper_comparison(res, params.lifetime_reference_cd_m2, params.acceleration_exponent,
                                               el_is_input=not opt["source"].startswith("qdled.optics"))
    if plot is not None:
        from qdled.device.plots import plot_device

        save_plot(plot_device([res], [params], params.qd_gap_eV), plot, force)
    if as_json:
        print_json(out)
    else:
        print_table(f"qdled device ({name})", {k: v for k, v in out.items() if not isinstance(v, (list, dict))})
        typer.echo("calibrated: " + "; ".join(out["calibrated"]))
        typer.echo("optics: " + opt["source"])


def register(app: typer.Typer) -> None:
    app.command("device")(device)
