"""One-call summary of a dot ensemble (used by ``qdled dots`` and by later stages/report)."""

from __future__ import annotations

import numpy as np

from qdled.dots.calibration import CALIBRATED
from qdled.dots.confinement import confinement_energy
from qdled.dots.photophysics import REFERENCE_EDGE_NM, ROUTE_LIGANDS, plqy
from qdled.dots.spectra import ensemble_absorption, ensemble_pl, size_distribution
from qdled.errors import InputError
from qdled.io.paper import paper_value


def summarize(
    edge_nm=REFERENCE_EDGE_NM,
    weight=None,
    *,
    sd_nm: float | None = None,
    method: str = "kane",
    ligands: str | tuple[str, ...] = "NSA-NH4PF6",
) -> dict:
    """Absorption/PL peaks, PL FWHM, band-edge energy, PLQY and lifetime of a size distribution.

    Parameters
    ----------
    edge_nm, weight, sd_nm
        Size distribution (see :func:`qdled.dots.size_distribution`); default the paper's TEM edge of the
        NSA-NH4PF6 dots. With a scalar ``edge_nm`` and neither ``weight`` nor ``sd_nm``, the effective spread
        calibrated to the paper's PL FWHM is used.
    method
        Confinement model.
    ligands
        "NSA-NH4PF6" or "OA/OAm", or a tuple of ligand names such as ("OAm", "NSA") (surface coverage for
        PLQY and lifetime, :func:`qdled.dots.ligand_coverages`).

    Returns
    -------
    dict
        Keys ``absorption_peak_nm``, ``pl_peak_nm``, ``pl_fwhm_nm``, ``bandgap_eV`` (band-edge transition of the
        number-mean size), ``plqy``, ``tau_avg_ns`` (1 / (k_r + k_nr) at the mean size), ``pl_fwhm_nm_with_tem_sd``
        (scalar input only), ``calibrated`` (the provenance records of :data:`qdled.dots.CALIBRATED`),
        ``predicted``, ``note``.
    """
    if isinstance(ligands, str) and ligands not in ROUTE_LIGANDS:
        raise InputError(f"ligands must be one of {sorted(ROUTE_LIGANDS)} or a tuple of ligand names, got {ligands!r}")
    scalar = np.ndim(edge_nm) == 0 and weight is None
    default_sd = scalar and sd_nm is None
    if default_sd:
        sd_nm = CALIBRATED["effective_sd_nm"].value
    edges, w = size_distribution(edge_nm, weight, sd_nm=sd_nm)
    mean = float(np.sum(edges * w))
    pl = ensemble_pl(edges, w, method=method)
    first_exciton = ensemble_absorption(edges, w, method=method, band_edge_only=True)
    photo = plqy(mean, ligands=ligands)
    paper_point = default_sd and method == "kane" and abs(mean - paper_value("nsa_pf6.mean_edge_nm")) < 1e-9
    result = {
        "edge_nm": mean,
        "sd_nm": float(np.sqrt(np.sum(w * (edges - mean) ** 2))),
        "sd_note": (
            f"effective optical size spread calibrated to the paper's {paper_value('nsa_pf6.pl_fwhm_nm'):g} nm PL "
            f"FWHM: the paper's TEM spread ({paper_value('nsa_pf6.sd_edge_nm'):g} nm) includes sizing error and "
            "gives the wider line in pl_fwhm_nm_with_tem_sd"
        )
        if default_sd
        else "size distribution as given",
        "method": method,
        "ligands": ligands if isinstance(ligands, str) else list(ligands),
        "bandgap_eV": float(confinement_energy(mean, method)),
        "absorption_peak_nm": first_exciton.peak_nm,
        "pl_peak_nm": pl.peak_nm,
        "pl_fwhm_nm": pl.fwhm_nm,
        "plqy": photo.plqy,
        "tau_avg_ns": photo.tau_ns,
        "calibrated": {k: r.to_dict() for k, r in CALIBRATED.items()},
        "predicted": ["absorption_peak_nm", "bandgap_eV", "size dependence of all outputs"]
        + ([] if paper_point else ["pl_peak_nm"])
        + ([] if default_sd else ["pl_fwhm_nm"]),
        "note": "PL peak/FWHM at the paper's mean edge with the default spread, and PLQY/tau of the two ligand "
        "routes at their sizes, reproduce calibration targets (not predictions); see qdled.dots.CALIBRATED",
    }
    if scalar:
        result["pl_fwhm_nm_with_tem_sd"] = ensemble_pl(
            mean, sd_nm=paper_value("nsa_pf6.sd_edge_nm"), method=method
        ).fwhm_nm
    return result


#: Wavelength grid [nm] of the PL spectra handed from the dots to the optics and the device (2 nm steps cover
#: both batches of the paper).
HANDOFF_GRID_NM = np.arange(560.0, 722.0, 2.0)


def pl_peak_track_nm(mean_edge_nm, *, method: str = "kane") -> np.ndarray:
    """PL peak [nm] of an ensemble of each mean edge [nm] with the calibrated effective optical spread.

    Used to turn a mean size vs time (e.g. from :mod:`qdled.synthesis`) into the PL peak vs time of an
    in-situ PL measurement. Non-finite or non-positive means give NaN.
    """
    means = np.atleast_1d(np.asarray(mean_edge_nm, dtype=float))
    sd = CALIBRATED["effective_sd_nm"].value
    out = np.full(means.shape, np.nan)
    ok = np.isfinite(means) & (means > 0)
    out[ok] = [ensemble_pl(m, sd_nm=sd, method=method).peak_nm for m in means[ok]]
    return out


#: Purification routes of a recipe (the route sets whether PF6 caps the dots).
ROUTES = ("OA/OAm", "NH4PF6")


def synthesis_ligands(route: str, nsa_mmol: float) -> tuple[str, ...]:
    """Ligand shell after a synthesis: OAm always, NSA when any was injected, PF6 after NH4PF6 purification."""
    if route not in ROUTES:
        raise InputError(f"route must be one of {list(ROUTES)}, got {route!r}")
    return ("OAm",) + (("NSA",) if nsa_mmol > 0 else ()) + (("PF6",) if route == "NH4PF6" else ())


def summarize_synthesis(result, route: str = "NH4PF6", *, count_edge_min_nm: float = 1.5) -> dict:
    """Hand a synthesis run (a :class:`qdled.synthesis.SynthesisResult`) to the dots models.

    The synthesis sizes were calibrated to PL peaks through the single-dot energy of the mean size, so the
    optical properties use the final **mean** edge with the calibrated effective optical spread
    (:func:`summarize`). The PL of the **full** simulated distribution is returned too
    (``pl_*_full_distribution_nm``): its spread is a physical (TEM-like) spread, wider than the optical one
    the paper's PL FWHM implies, so it is red-shifted and broadened; both are reported, not hidden.

    Parameters
    ----------
    result : SynthesisResult
        Needs ``mean_edge_nm``, ``edge_nm``, ``number_per_m3`` (last row = end of run), ``mean_edge_t_nm``.
    route : str
        Purification route of the recipe ("OA/OAm" or "NH4PF6"); with ``result.nsa_mmol`` it sets the ligand
        shell (:func:`synthesis_ligands`).
    count_edge_min_nm : float
        Smallest edge [nm] counted as a dot in the full distribution.

    Returns
    -------
    dict
        ``pl_peak_nm``, ``pl_fwhm_nm``, ``plqy``, ``tau_avg_ns`` (mean size, effective spread),
        ``pl_peak_full_distribution_nm``, ``pl_fwhm_full_distribution_nm`` and ``pl_peak_t_nm`` (PL peak of the
        mean size at every time of ``result.mean_edge_t_nm``).
    """
    s = summarize(float(result.mean_edge_nm), ligands=synthesis_ligands(route, float(result.nsa_mmol)))
    counted = np.asarray(result.edge_nm) >= count_edge_min_nm
    final = np.clip(np.asarray(result.number_per_m3)[-1], 0.0, None)[counted]
    full = ensemble_pl(np.asarray(result.edge_nm)[counted], final)
    return {
        "pl_peak_nm": s["pl_peak_nm"],
        "pl_fwhm_nm": s["pl_fwhm_nm"],
        "plqy": s["plqy"],
        "tau_avg_ns": s["tau_avg_ns"],
        "pl_peak_full_distribution_nm": full.peak_nm,
        "pl_fwhm_full_distribution_nm": full.fwhm_nm,
        "pl_peak_t_nm": pl_peak_track_nm(result.mean_edge_t_nm),
    }
