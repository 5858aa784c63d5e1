"""``qdled optics``: dipole emission, loss channels and EQE ceiling of an LED stack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt, print_json, print_table
from qdled.io.paper import paper_value


def _read_spectrum(path: Path):
    """Read a PL spectrum with the analysis readers (any layout ``qdled analyze spectrum`` reads; empty,
    header-only, undecodable or all-zero files refused in one line naming the file)."""
    from qdled.io.measurements import read_spectrum
    from qdled.spectral import Spectrum

    data, _ = read_spectrum(path)
    return Spectrum(data["wavelength_nm"], data["intensity"])


def optics(
    stack_file: Optional[Path] = typer.Argument(None, help="Stack TOML (default: the paper's li2024 device)."),
    wavelength_nm: float = typer.Option(
        paper_value("nsa_pf6.el_peak_nm"), "--wavelength-nm", help="Single emission wavelength in nm (paper's EL peak)."
    ),
    spectrum: Optional[Path] = typer.Option(
        None, "--spectrum", help="PL spectrum CSV (wavelength_nm,intensity); overrides --wavelength-nm."
    ),
    plqy: float = typer.Option(paper_value("nsa_pf6.plqy"), "--plqy", help="Intrinsic PLQY (default the paper's)."),
    charge_balance: float = typer.Option(1.0, "--charge-balance", help="Charge balance factor."),
    as_json: bool = JsonOpt,
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
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        result = summary(stack, wavelength_nm=wavelength_nm, spectrum=spec, plqy=plqy, charge_balance=charge_balance)
    for w in caught:  # e.g. an unconverged quadrature (also "quadrature_converged": false in --json)
        typer.echo(f"warning: {w.message}", err=True)
    if plot is not None:
        from qdled.cli._common import save_plot
        from qdled.optics.plots import plot_power_dissipation

        save_plot(plot_power_dissipation(stack, result["wavelength_nm"]), plot, force)
    if as_json:
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
