"""Figures of a synthesis run: size distributions and the size (or PL peak) vs time."""

from __future__ import annotations

import numpy as np

from qdled.synthesis.run import SynthesisResult


def plot_result(result: SynthesisResult, pl_peak_t_nm=None):
    """Figure with (a) number distributions of the edge length at the snapshots, (b) mean edge
    vs time, or the PL peak vs time when ``pl_peak_t_nm`` (same length as ``result.time_s``) is
    given (the paper's in-situ PL, Fig. 1c), (c) monomer concentration and temperature vs time.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 3.8), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    edge = result.edge_nm
    width = np.gradient(edge)
    for t, label, number in zip(result.snapshot_time_s, result.snapshot_label, result.number_per_m3, strict=False):
        dens = np.clip(number, 0, None) / width
        if dens.max() > 0:
            ax1.plot(edge, dens / dens.max(), label=f"{label}, t = {t:.3g} s")
    ax1.set(
        xlabel="edge length [nm]",
        ylabel="number density (normalised)",
        xlim=(0, max(10.0, 2.5 * result.mean_edge_nm)),
        title=f"{result.recipe_name}, NSA {result.nsa_mmol:g} mmol",
    )
    ax1.legend(fontsize=7)
    t = np.maximum(result.time_s, 1e-3)
    if pl_peak_t_nm is None:
        ax2.semilogx(t, result.mean_edge_t_nm, "k-")
        ax2.fill_between(
            t, result.mean_edge_t_nm - result.sd_edge_t_nm, result.mean_edge_t_nm + result.sd_edge_t_nm, alpha=0.2
        )
        ax2.set(xlabel="time [s]", ylabel="mean edge +/- sd [nm]")
    else:
        ax2.semilogx(t, pl_peak_t_nm, "r-")
        ax2.set(xlabel="time [s]", ylabel="PL peak [nm]")
    for stage in result.stages[1:]:
        ax2.axvline(max(stage.t_start_s, 1e-3), color="0.7", lw=0.8)
    ax3.semilogx(t, result.monomer_mol_m3, "b-")
    ax3.set(xlabel="time [s]", ylabel="monomer [mol/m^3]")
    ax3b = ax3.twinx()
    ax3b.semilogx(t, result.temperature_C, "r--")
    ax3b.set_ylabel("temperature [degC]")
    return fig
