"""``qdled dots``: optical properties of a CsPbI3 quantum-dot ensemble of a given size."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt


def dots(
    edge_nm: float = typer.Option(4.3, "--edge-nm", help="Mean cube edge length (nm)."),
    sd_nm: Optional[float] = typer.Option(
        None, "--sd-nm", help="Size spread, sd (nm). Default: the effective spread calibrated to the paper's FWHM."
    ),
    method: str = typer.Option("kane", "--method", help="Confinement model: kane, brus or infinite-well."),
    ligands: str = typer.Option("NSA-NH4PF6", "--ligands", help="Surface ligands: NSA-NH4PF6 or OA/OAm."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Absorption and PL peak, PL FWHM, band-edge energy, PLQY and PL lifetime of a dot ensemble."""
    from qdled.cli._common import check_plot, print_json, print_table, save_plot
    from qdled.dots.summary import summarize
    from qdled.errors import require_finite_positive

    check_plot(plot, force)
    require_finite_positive("--edge-nm", edge_nm)
    if not 1.0 <= edge_nm <= 30.0:  # the photophysics (k_r ~ volume, Langmuir coverage) is built for 1-30 nm dots
        from qdled.errors import InputError

        raise InputError(f"--edge-nm must be within 1-30 nm (the range the dots models are built for), got {edge_nm:g}")
    if sd_nm is not None:
        require_finite_positive("--sd-nm", sd_nm, allow_zero=True)
    result = summarize(edge_nm, sd_nm=sd_nm, method=method, ligands=ligands)
    if plot is not None:
        _plot(result, plot, force, save_plot)
    if as_json:
        print_json(result)
    else:
        print_table("qdled dots", {k: v for k, v in result.items() if not isinstance(v, (dict, list))})


def _plot(result: dict, path: Path, force: bool, save_plot) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qdled.dots import ensemble_absorption, ensemble_pl

    kw = {"sd_nm": result["sd_nm"], "method": result["method"]}
    absorption = ensemble_absorption(result["edge_nm"], **kw)
    pl = ensemble_pl(result["edge_nm"], **kw)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(absorption.wavelength_nm, absorption.intensity, label="absorption")
    ax.plot(pl.wavelength_nm, pl.intensity, label="PL")
    ax.set_xlim(pl.peak_nm - 170, pl.peak_nm + 100)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("normalised intensity")
    ax.set_title(f"CsPbI3 QDs, L = {result['edge_nm']:g} nm, sd = {result['sd_nm']:.3g} nm ({result['method']})")
    ax.legend()
    save_plot(fig, path, force)
    plt.close(fig)


def register(app: typer.Typer) -> None:
    app.command("dots")(dots)
