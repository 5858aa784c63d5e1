"""Figures of the device stage: energy levels, J-V-L, EQE(J), luminance decay (like the paper's Fig. 4)."""

from __future__ import annotations

import numpy as np

from qdled.device.levels import energy_levels, plot_energy_levels
from qdled.device.lifetime import decay_time_constant_min, luminance_decay

__all__ = ["plot_device", "plot_drift_diffusion"]


def plot_device(results, lifetime_params=None, qd_gap_eV: float | None = None):
    """2x2 figure: energy levels, J-V-L, EQE-J, normalised luminance vs time at 1000 cd/m^2.

    ``results``: list of :class:`qdled.device.DeviceResult`; ``lifetime_params``: matching list of
    :class:`qdled.device.DeviceParameters` (for the decay curves; omitted if None).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 2, figsize=(10, 7.5))
    plot_energy_levels(energy_levels(qd_gap_eV), ax=ax[0, 0])
    axl = ax[0, 1].twinx()
    for r in results:
        (line,) = ax[0, 1].semilogy(r.voltage_V, r.current_density_mA_cm2, label=f"{r.name} J")
        axl.semilogy(
            r.voltage_V,
            np.where(r.luminance_cd_m2 > 0, r.luminance_cd_m2, np.nan),
            "--",
            color=line.get_color(),
            label=f"{r.name} L",
        )
        ax[1, 0].semilogx(r.current_density_mA_cm2, 100 * r.eqe, color=line.get_color(), label=r.name)
    ax[0, 1].set_xlabel("voltage (V)")
    ax[0, 1].set_ylabel("J (mA cm$^{-2}$) [solid]")
    axl.set_ylabel("L (cd m$^{-2}$) [dashed]")
    axl.set_ylim(1e-2, None)
    ax[0, 1].legend(fontsize=7, loc="upper left")
    ax[1, 0].set_xlabel("J (mA cm$^{-2}$)")
    ax[1, 0].set_ylabel("EQE (%)")
    ax[1, 0].set_xlim(1e-3, None)
    ax[1, 0].legend(fontsize=7)
    # devices without a T50 (they never reach 1000 cd/m^2) have no decay curve
    aged = (
        []
        if lifetime_params is None
        else [(r, p) for r, p in zip(results, lifetime_params, strict=False) if np.isfinite(r.t50_min_at_1000_cd_m2)]
    )
    if aged:
        t = np.linspace(0.0, 1.5 * max(r.t50_min_at_1000_cd_m2 for r, _ in aged), 300)
        for r, p in aged:
            tau = decay_time_constant_min(r.t50_min_at_1000_cd_m2, p.lifetime_beta)
            ax[1, 1].plot(
                t, luminance_decay(t, tau, p.lifetime_beta), label=f"{r.name}: T50 {r.t50_min_at_1000_cd_m2:.0f} min"
            )
        ax[1, 1].axhline(0.5, color="0.6", lw=0.8)
        ax[1, 1].set_xlabel("time at L0 = 1000 cd m$^{-2}$ (min)")
        ax[1, 1].set_ylabel("L / L0")
        ax[1, 1].legend(fontsize=7)
    else:
        ax[1, 1].axis("off")
    fig.tight_layout()
    return fig


def plot_drift_diffusion(result, voltage_V: float):
    """Band diagram, carrier densities and recombination profile R(x) of a drift-diffusion solution at the
    solved voltage closest to ``voltage_V`` [V] (:class:`qdled.device.dd.DriftDiffusionResult`)."""
    import matplotlib.pyplot as plt

    i = result.at(voltage_V)
    x = result.x_nm
    fig, ax = plt.subplots(3, 1, figsize=(6.4, 8.4), sharex=True)
    ax[0].plot(x, result.conduction_band_eV[i], "k-", label="LUMO / CB")
    ax[0].plot(x, result.valence_band_eV[i], "k-", label="HOMO / VB")
    ax[0].plot(x, result.electron_fermi_eV[i], "b--", label="E$_{Fn}$")
    ax[0].plot(x, result.hole_fermi_eV[i], "r--", label="E$_{Fp}$")
    ax[0].set_ylabel("energy (eV, cathode E$_F$ = 0)")
    ax[0].set_title(f"{result.voltage_V[i]:.2f} V")
    ax[0].legend(fontsize=7)
    ax[1].semilogy(x, np.maximum(result.electron_density_m3[i], 1e10), "b-", label="n")
    ax[1].semilogy(x, np.maximum(result.hole_density_m3[i], 1e10), "r-", label="p")
    ax[1].set_ylabel("density (m$^{-3}$)")
    ax[1].legend(fontsize=7)
    ax[2].plot(x, result.recombination_m3_s[i], "k-", label="R(x)")
    ax[2].plot(x, result.photon_generation_m3_s[i], "m--", label="photons")
    ax[2].set_ylabel("rate (m$^{-3}$ s$^{-1}$)")
    ax[2].set_xlabel("position from the anode (nm)")
    ax[2].legend(fontsize=7)
    for a in ax:
        for xi in result.interfaces_nm:
            a.axvline(xi, color="grey", lw=0.5, ls=":")
    fig.tight_layout()
    return fig
