"""Figures of the device stage: energy levels, J-V-L, EQE(J), luminance decay (like the paper's Fig. 4)."""

from __future__ import annotations

import numpy as np

from qdled.device.levels import energy_levels, plot_energy_levels
from qdled.device.lifetime import decay_time_constant_min, luminance_decay

__all__ = ["plot_device"]


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
    if lifetime_params is not None:
        t = np.linspace(0.0, 1.5 * max(r.t50_min_at_1000_cd_m2 for r in results), 300)
        for r, p in zip(results, lifetime_params, strict=False):
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
