"""``qdled optics``: dipole emission, loss channels and EQE ceiling of an LED stack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt, print_json, print_table


def _read_spectrum(path: Path):
    """Read a CSV with columns ``wavelength_nm,intensity`` (header required)."""
    import numpy as np

    from qdled.errors import InputError

    if not path.is_file():
        raise InputError(f"spectrum file {path} does not exist")
    try:
        data = np.genfromtxt(path, delimiter=",", names=True, dtype=float, encoding="utf-8")
    except ValueError as exc:
        raise InputError(f"spectrum file {path}: {exc}") from None
    names = data.dtype.names or ()
    if "wavelength_nm" not in names or "intensity" not in names:
        raise InputError(f"spectrum file {path} needs a header with columns wavelength_nm,intensity, got {names}")
    wl, inten = np.atleast_1d(data["wavelength_nm"]), np.atleast_1d(data["intensity"])
    if not (np.all(np.isfinite(wl)) and np.all(np.isfinite(inten))):
        raise InputError(f"spectrum file {path} has missing or non-numeric values")
    return wl, inten


def optics(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's li2024 device)."),
    wavelength_nm: float = typer.Option(628.0, "--wavelength-nm", help="Single emission wavelength in nm."),
    spectrum: Optional[Path] = typer.Option(
        None, "--spectrum", help="PL spectrum CSV (wavelength_nm,intensity); overrides --wavelength-nm."
    ),
    plqy: float = typer.Option(0.94, "--plqy", help="Intrinsic PLQY (paper: 0.94)."),
    charge_balance: float = typer.Option(1.0, "--charge-balance", help="Charge balance factor."),
    json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Purcell factor, loss channels (outcoupled/substrate/waveguide/plasmon/absorbed) and EQE ceiling."""
    from qdled.cli._common import check_plot
    from qdled.io.stack import load_stack
    from qdled.optics import summary

    stack = load_stack(stack_file)
    check_plot(plot, force)
    spec = _read_spectrum(spectrum) if spectrum is not None else None
    result = summary(stack, wavelength_nm=wavelength_nm, spectrum=spec, plqy=plqy, charge_balance=charge_balance)
    if plot is not None:
        from qdled.cli._common import save_plot
        from qdled.optics.plots import plot_power_dissipation

        save_plot(plot_power_dissipation(stack, result["wavelength_nm"]), plot, force)
    if json:
        print_json(result)
        return
    rows = {
        "stack": result["stack"],
        "wavelength_nm": result["wavelength_nm"],
        "Purcell factor (mix)": result["purcell_factor"],
        "Purcell vertical": result["purcell_vertical"],
        "Purcell horizontal": result["purcell_horizontal"],
        **{f"fraction {k}": v for k, v in result["fractions"].items()},
        **{f"absorbed in {k}": v for k, v in result["absorbed_by_layer"].items() if v > 1e-4},
        "q_eff": result["q_eff"],
        "EQE ceiling": result["eqe_ceiling"],
        **{
            f"mode {i + 1} ({m['polarisation']}, {m['channel']})": f"n_eff = {m['n_eff']:.4f}"
            for i, m in enumerate(result["modes"])
        },
    }
    print_table("qdled optics", rows)


def register(app: typer.Typer) -> None:
    """Add ``optics`` to the ``qdled`` app."""
    app.command("optics")(optics)
