"""Figures of the optics stage: K(u) with its channel regions, sweep heat maps, far field."""

from __future__ import annotations

import numpy as np

from qdled.optics.dipole import power_dissipation
from qdled.optics.outcoupling import EL_PEAK_NM, emission_zone, geometry, stack_emission


def power_dissipation_curve(stack, wavelength_nm: float = EL_PEAK_NM, n_points: int = 3000, zone=None):
    """Zone-averaged K(neff) on a real grid: (neff, {"v", "h", "mixed"}) at one wavelength."""
    geom, _, _ = geometry(stack, [wavelength_nm])
    pos, w = emission_zone(stack, zone)
    ne = geom.n_emitter[0]
    n_hi = 1.15 * float(np.max(np.real(geom.n[0, 1:-1])[np.real(geom.n[0, 1:-1] ** 2) > 0]))
    neff = np.linspace(1e-4, n_hi, n_points)
    k = power_dissipation(geom, (neff / ne)[None, :], pos)
    # K is a density per du; per d(neff) divide by n_e
    curves = {o: (w @ k[o][0]) / ne for o in ("v", "h")}
    h = stack.emitter.horizontal_fraction
    curves["mixed"] = h * curves["h"] + (1 - h) * curves["v"]
    return neff, curves


def plot_power_dissipation(stack, wavelength_nm: float = EL_PEAK_NM, ax=None, zone=None):
    """Plot K(neff) (log scale) with the outside/substrate light lines and mode positions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    neff, curves = power_dissipation_curve(stack, wavelength_nm, zone=zone)
    em = stack_emission(stack, [wavelength_nm], zone)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    for key, style in (("mixed", "k-"), ("h", "C0--"), ("v", "C3:")):
        ax.semilogy(
            neff,
            np.clip(curves[key], 1e-6, None),
            style,
            label={"mixed": "orientation mix", "h": "horizontal", "v": "vertical"}[key],
        )
    n_out = float(stack.outside.index(wavelength_nm).real)
    n_sub = float(stack.substrate.index(wavelength_nm).real)
    for x, lab in ((n_out, "outside"), (n_sub, "substrate")):
        ax.axvline(x, color="0.5", lw=0.8)
        ax.text(x, ax.get_ylim()[1], f" {lab}", rotation=90, va="top", fontsize=8)
    for m in em.modes:
        ax.axvline(m.n_eff, color="C2" if m.channel == "waveguide" else "C1", lw=0.8, ls="--")
    ax.axvline(float(em.n_split_tm[0]), color="C1", lw=0.6, ls=":")
    ax.set_xlabel("effective index  $k_x/k_0$")
    ax.set_ylabel("power dissipation  $K$ per unit $n_{eff}$")
    ax.set_title(f"{stack.name}: dipole emission at {wavelength_nm:g} nm")
    ax.legend(fontsize=8)
    return ax.figure


def plot_sweep(ds, variable: str = "outcoupled", ax=None):
    """Line (one swept key) or heat map (two keys) of a :func:`qdled.optics.sweep.sweep` Dataset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    da = ds[variable]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 4.2))
    dims = [d for d in da.dims if da.sizes[d] > 1]
    if len(dims) == 1:
        ax.plot(da[dims[0]].values, da.values.ravel(), "o-")
        ax.set_xlabel(dims[0])
        ax.set_ylabel(variable)
    else:
        y, x = dims
        mesh = ax.pcolormesh(da[x].values, da[y].values, da.transpose(y, x).values, shading="auto", cmap="viridis")
        ax.figure.colorbar(mesh, ax=ax, label=variable)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    ax.set_title(variable)
    return ax.figure


def plot_far_field(angle_deg, intensity_s, intensity_p, ax=None):
    """Polar-free plot of radiant intensity vs angle with a Lambertian reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.6))
    total = intensity_s + intensity_p
    norm = total[0]
    ax.plot(angle_deg, total / norm, "k-", label="s + p")
    ax.plot(angle_deg, intensity_s / norm, "C0--", label="s")
    ax.plot(angle_deg, intensity_p / norm, "C3:", label="p")
    ax.plot(angle_deg, np.cos(np.radians(angle_deg)), color="0.6", label="Lambertian")
    ax.set_xlabel("angle in air (deg)")
    ax.set_ylabel("radiant intensity (normal = 1)")
    ax.legend(fontsize=8)
    return ax.figure
