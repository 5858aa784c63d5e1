"""Figures of the fits: data and best fit on top, normalised residuals below."""

from __future__ import annotations

import numpy as np


def _groups(keys):
    """Indices of each distinct key (in first-seen order)."""
    out = {}
    for i, k in enumerate(keys):
        out.setdefault(k, []).append(i)
    return {k: np.array(v) for k, v in out.items()}


def plot_fit(result, title: str | None = None):
    """A matplotlib figure of ``result`` (any :class:`qdled.fit.FitResult`); the caller saves and closes it."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    c = result.curves
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    if result.kind == "jvl":
        V = c["voltage_V"]
        ax.semilogy(V, c["current_density_mA_cm2"], "o", ms=3, color="C0", label="J data [mA/cm2]")
        ax.semilogy(V, c["model_current_density_mA_cm2"], "-", color="C0", label="J fit")
        with np.errstate(divide="ignore", invalid="ignore"):
            axr.plot(V, np.log(c["current_density_mA_cm2"] / c["model_current_density_mA_cm2"]), "o", ms=3, color="C0")
        if c.get("luminance_cd_m2") is not None:
            ax.semilogy(V, c["luminance_cd_m2"], "s", ms=3, color="C3", label="L data [cd/m2]")
            ax.semilogy(V, c["model_luminance_cd_m2"], "-", color="C3", label="L fit")
            with np.errstate(divide="ignore", invalid="ignore"):
                axr.plot(V, np.log(c["luminance_cd_m2"] / c["model_luminance_cd_m2"]), "s", ms=3, color="C3")
        axr.set_xlabel("voltage [V]")
        axr.set_ylabel("ln(data/fit)")
    else:
        data, model, sig = c["data"], c["model"], c["sigma"]
        # residuals in units of the fitted noise: sigma times sqrt(redchi), as in the covariance (scale_covar)
        scale = np.sqrt(result.redchi) if np.isfinite(result.redchi) and result.redchi > 0 else 1.0
        if result.kind == "sizes":
            x = c["wavelength_nm"]
            groups = {"": np.arange(x.size)}
            axr.set_xlabel("wavelength [nm]")
        else:
            x = c["angle_deg"]
            wl = c["wavelength_nm"]
            pol = c.get("polarisation")
            keys = [(w, pol[i] if pol is not None else "") for i, w in enumerate(wl)]
            groups = _groups(keys)
            if len(groups) > 4:  # a few wavelengths across the spectrum, brightest included
                ordered = sorted(groups, key=lambda k: k[0])
                peak = max(groups, key=lambda k: data[groups[k]].sum())
                pick = {ordered[0], ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3], peak}
                groups = {k: groups[k] for k in ordered if k in pick}
            axr.set_xlabel("angle [deg]")
        for key, idx in groups.items():
            label = key if isinstance(key, str) else f"{key[0]:g} nm {key[1]}".strip()
            order = np.argsort(x[idx])
            i = idx[order]
            (line,) = ax.plot(x[i], model[i], "-", label=f"fit {label}".strip())
            ax.plot(x[i], data[i], "o", ms=3, color=line.get_color(), label=f"data {label}".strip())
            axr.plot(x[i], (data[i] - model[i]) / (sig[i] * scale), "o", ms=3, color=line.get_color())
        ax.set_ylabel("intensity [a.u.]" if result.kind != "sizes" else "signal [a.u.]")
        axr.set_ylabel("normalised residual")
    axr.axhline(0.0, color="0.5", lw=0.8)
    ests = "\n".join(
        f"{k} = {e.value:.4g} ± {e.stderr:.2g}" + (" (degenerate)" if e.degenerate else "")
        for k, e in result.parameters.items()
    )
    ax.set_title(title or f"qdled fit {result.kind}: {ests}", fontsize=8)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


__all__ = ["plot_fit"]
