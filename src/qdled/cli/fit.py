"""``qdled fit KIND FILE [STACK.toml]``: a lab's measurement -> model parameters with uncertainties."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt, check_plot

fit_app = typer.Typer(
    help="Fit model parameters to a measurement (orientation, emission-zone, sizes, jvl), with 95 % intervals.",
    no_args_is_help=True,
)

FileArg = typer.Argument(..., help="Measurement file (formats: README, section 'Fitting measurements').")
StackArg = typer.Argument(None, help="Stack TOML (default: see the command's help).")
NoiseOpt = typer.Option(
    "gaussian", "--noise", help="gaussian (equal errors, scale from the residuals) or poisson (counts)."
)


def _noise(noise: str):
    from qdled.errors import InputError

    if noise not in ("gaussian", "poisson"):
        raise InputError(f"--noise must be gaussian or poisson, got {noise!r}")
    return None if noise == "gaussian" else "poisson"


def _fit(file: Path, fn, *args, **kwargs):
    """Run a fit; an input error found in the data is reported with the file's name."""
    from qdled.errors import InputError

    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        raise InputError(f"{file}: {exc}") from None


def _emit(result, title: str, as_json: bool, plot: Optional[Path], force: bool) -> None:
    from qdled.cli._common import print_json, print_table, save_plot

    if plot is not None:
        import matplotlib.pyplot as plt

        from qdled.fit.plots import plot_fit

        fig = plot_fit(result)
        try:
            save_plot(fig, plot, force)
        finally:
            plt.close(fig)
    d = result.to_dict()
    if as_json:
        print_json(d)
        return
    rows = {}
    for name, e in result.parameters.items():
        unit = f" {e.unit}" if e.unit and " " not in e.unit else ""
        flag = "  DEGENERATE" if e.degenerate else "  (approximate)" if e.interval_reliable is False else ""
        rows[name] = f"{e.value:.4g} ± {e.stderr:.2g}{unit}  [{e.ci95[0]:.4g}, {e.ci95[1]:.4g}]{flag}"
    rows["reduced chi-square"] = result.redchi
    rows["converged"] = result.converged
    for a, b, r in result.correlations:
        rows[f"corr({a}, {b})"] = r
    print_table(title, rows)
    for note in result.notes:
        typer.echo("note: " + note)


@fit_app.command("orientation")
def orientation_cmd(
    file: Path = FileArg,
    stack_file: Optional[Path] = typer.Argument(
        None, help="Film stack TOML with a coherent substrate (default: 35 nm CsPbI3-QD film on n = 1.5 glass)."
    ),
    wavelength_nm: Optional[float] = typer.Option(
        None, "--wavelength-nm", help="Wavelength [nm] if the file has no wavelength_nm column."
    ),
    noise: str = NoiseOpt,
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Horizontal dipole fraction from angle-resolved (p-polarised) PL measured through a glass half-cylinder."""
    from qdled.errors import InputError
    from qdled.fit import film_on_glass, fit_orientation, read_angle_resolved
    from qdled.io.stack import load_stack

    check_plot(plot, force)
    sig = _noise(noise)
    data = read_angle_resolved(file)
    wl = data["wavelength_nm"]
    if wl is None:
        if wavelength_nm is None:
            raise InputError(f"{file}: no wavelength_nm column; give --wavelength-nm")
        wl = wavelength_nm
    elif wavelength_nm is not None:
        raise InputError(f"{file} has a wavelength_nm column; --wavelength-nm is not needed")
    stack = film_on_glass() if stack_file is None else load_stack(stack_file)
    pol = "p" if data["polarisation"] is None else data["polarisation"]
    res = _fit(file, fit_orientation, data["angle_deg"], data["intensity"], stack, wl, polarisation=pol, sigma=sig)
    _emit(res, f"orientation: {file.name}", as_json, plot, force)


@fit_app.command("emission-zone")
def zone_cmd(
    file: Path = FileArg,
    stack_file: Optional[Path] = typer.Argument(None, help="Device stack TOML (default: the paper's stack)."),
    profile: str = typer.Option("delta", "--profile", help="delta (one plane) or gaussian (centre and width)."),
    source: Optional[Path] = typer.Option(
        None, "--source", help="Intrinsic source spectrum file (default: free per wavelength, from the data)."
    ),
    fixed_orientation: bool = typer.Option(
        False, "--fixed-orientation", help="Hold the horizontal fraction at the stack's value."
    ),
    noise: str = NoiseOpt,
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Emission-zone position (and width) and dipole orientation from angle-resolved EL spectra."""
    from qdled.errors import InputError
    from qdled.fit import fit_emission_zone, read_angle_resolved
    from qdled.io.stack import load_stack

    check_plot(plot, force)
    sig = _noise(noise)
    data = read_angle_resolved(file)
    if data["wavelength_nm"] is None:
        raise InputError(f"{file}: emission-zone fit needs wavelengths (wavelength_nm column or a wide matrix)")
    src = None
    if source is not None:
        from qdled.io.measurements import read_spectrum

        spec, _ = read_spectrum(source)
        src = (spec["wavelength_nm"], spec["intensity"])
    stack = load_stack(stack_file)
    res = _fit(
        file,
        fit_emission_zone,
        data["angle_deg"],
        data["wavelength_nm"],
        data["intensity"],
        stack,
        profile=profile,
        source=src,
        polarisation=data["polarisation"],
        vary_orientation=not fixed_orientation,
        sigma=sig,
    )
    _emit(res, f"emission zone: {file.name}", as_json, plot, force)


@fit_app.command("sizes")
def sizes_cmd(
    file: Path = FileArg,
    kind: str = typer.Option("pl", "--kind", help="pl (emission spectrum) or absorption (absorbance)."),
    method: str = typer.Option("kane", "--method", help="Confinement model: kane, brus or infinite-well."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Mean edge and size spread of a dot solution from its PL or absorbance (and the sizing-curve estimate)."""
    from qdled.errors import InputError
    from qdled.fit import fit_sizes
    from qdled.io.measurements import read_absorbance, read_spectrum

    check_plot(plot, force)
    if kind == "pl":
        data, _ = read_spectrum(file)
        y = data["intensity"]
    elif kind == "absorption":
        data, _ = read_absorbance(file)
        y = data["absorbance"]
    else:
        raise InputError(f"--kind must be pl or absorption, got {kind!r}")
    res = _fit(file, fit_sizes, data["wavelength_nm"], y, kind, method=method)
    _emit(res, f"sizes: {file.name}", as_json, plot, force)


@fit_app.command("jvl")
def jvl_cmd(
    file: Path = FileArg,
    stack_file: Optional[Path] = typer.Argument(
        None, help="Device stack TOML: thicknesses and optics (default: the calibration's optical inputs)."
    ),
    device: str = typer.Option("li2024-nsa-pf6", "--device", help="Parameter set: li2024-nsa-pf6 | li2024-control."),
    area_mm2: float = typer.Option(4.0, "--area-mm2", help="Active area in mm^2 (paper: 4)."),
    vary: Optional[List[str]] = typer.Option(
        None, "--vary", help="Free parameter (repeatable); default mobility prefactor, PLQY, hole/electron ratio."
    ),
    model_name: str = typer.Option(
        "compact", "--model", help="Forward model: compact (fast) | drift-diffusion (tens of seconds)."
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """QD-film mobility prefactor, PLQY and mobility ratio from a J-V-L sweep (compact or drift-diffusion model)."""
    from qdled.errors import InputError, require_finite_positive
    from qdled.fit import compact_model, drift_diffusion_model, fit_jvl
    from qdled.fit.jvl import DEFAULT_VARY
    from qdled.io.measurements import read_jvl
    from qdled.io.stack import load_stack

    models = {"compact": compact_model, "drift-diffusion": drift_diffusion_model}
    if model_name not in models:
        raise InputError(f"--model must be one of {', '.join(models)}, got {model_name!r}")
    check_plot(plot, force)
    area = require_finite_positive("--area-mm2", area_mm2)
    data, _ = read_jvl(file)
    stack = None if stack_file is None else load_stack(stack_file)
    model = models[model_name](device, stack)
    J = data["current_mA"] / (area * 1e-2)  # mA / cm^2
    L = data.get("luminance_cd_m2")
    keep = data["voltage_V"] > 0
    res = _fit(
        file,
        fit_jvl,
        data["voltage_V"][keep],
        J[keep],
        None if L is None else L[keep],
        model=model,
        vary=tuple(vary) if vary else DEFAULT_VARY,
    )
    _emit(res, f"jvl: {file.name}", as_json, plot, force)


def register(app: typer.Typer) -> None:
    app.add_typer(fit_app, name="fit")
