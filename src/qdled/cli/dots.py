"""``qdled dots``: optical properties of a CsPbI3 quantum-dot ensemble of a given size."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt
from qdled.io.paper import paper_value


def dots(
    edge_nm: float = typer.Option(
        paper_value("nsa_pf6.mean_edge_nm"), "--edge-nm", help="Mean cube edge length (nm; default the paper's TEM)."
    ),
    sd_nm: Optional[float] = typer.Option(
        None, "--sd-nm", help="Size spread, sd (nm). Default: the effective spread calibrated to the paper's FWHM."
    ),
    method: str = typer.Option("kane", "--method", help="Confinement model: kane, brus or infinite-well."),
    ligands: str = typer.Option("NSA-NH4PF6", "--ligands", help="Surface ligands: NSA-NH4PF6 or OA/OAm."),
    film: bool = typer.Option(
        False, "--film", help="Also the PL of a close-packed film: peak, FWHM, red shift by mechanism, lifetime."
    ),
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
        if sd_nm > 0.5 * edge_nm:  # a normal spread wider than L/2 puts > 2 % of the dots below zero size
            from qdled.errors import InputError

            raise InputError(f"--sd-nm must be at most half of --edge-nm ({0.5 * edge_nm:g} nm), got {sd_nm:g}")
    result = summarize(edge_nm, sd_nm=sd_nm, method=method, ligands=ligands)
    if film:
        result.update(_film_rows(edge_nm, sd_nm, method, ligands))
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
    if "film_pl_peak_nm" in result:  # --film
        from qdled.dots.film import film_emission

        film = film_emission(result["edge_nm"], result["sd_nm"], result["ligands"], method=result["method"])
        ax.plot(film.wavelength_nm, film.film_pl.intensity, label="film PL (model)")
    ax.set_xlim(pl.peak_nm - 170, pl.peak_nm + 100)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("normalised intensity")
    ax.set_title(f"CsPbI3 QDs, L = {result['edge_nm']:g} nm, sd = {result['sd_nm']:.3g} nm ({result['method']})")
    ax.legend()
    save_plot(fig, path, force)
    plt.close(fig)


def _film_rows(edge_nm: float, sd_nm: Optional[float], method: str, ligands: str) -> dict:
    """The film rows of ``--film`` (:func:`qdled.dots.film_emission`), flat so that the table shows them."""
    from qdled.dots.film import film_emission

    r = film_emission(edge_nm, sd_nm, ligands, method=method)
    total = sum(r.shift_nm.values())
    rows = {
        "film_pl_peak_nm": r.film_peak_nm,
        "film_pl_fwhm_nm": r.film_fwhm_nm,
        "film_red_shift_nm": r.red_shift_nm,
    }
    for name, shift in r.shift_nm.items():
        rows[f"film_shift_{name}_nm"] = shift
        rows[f"film_share_{name}"] = shift / total if total else 0.0
    rows.update(
        {
            "film_pl_lifetime_ns": r.film_lifetime_ns,
            "film_transfer_probability": r.transfer_probability,
            "film_centre_distance_nm": r.centre_distance_nm,
            "film_forster_radius_nm": r.forster_radius_nm,
        }
    )
    return rows


def register(app: typer.Typer) -> None:
    app.command("dots")(dots)
