"""Plots of sweep results: grids via :func:`qdled.optics.plots.plot_sweep`, scattered designs as a scatter."""

from __future__ import annotations


def plot_sweep(ds, target: str):
    """Figure of ``target``: line (1-D grid), heat map (2-D grid) or scatter coloured by value (random/LHS)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "point" not in ds[target].dims:
        from qdled.optics.plots import plot_sweep as plot_grid

        return plot_grid(ds, target)
    keys = [c for c in ds.coords if c != "point"]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    sc = ax.scatter(ds[keys[0]].values, ds[keys[-1]].values, c=ds[target].values, cmap="viridis")
    fig.colorbar(sc, ax=ax, label=target)
    ax.set_xlabel(keys[0])
    ax.set_ylabel(keys[-1])
    ax.set_title(f"{target} ({ds.attrs.get('design', '')} design)")
    return fig
